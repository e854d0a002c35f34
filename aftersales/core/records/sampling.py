"""Reproducible audit samples: same seed and same population → same sample, whatever the order.

The frame is sorted by record key and hashed (SHA-256 of the sorted keys joined by newlines);
the random generator is seeded from the seed AND that hash, so a changed population is visible
and gives another sample. Stratified sampling allocates n proportionally to stratum sizes with
largest remainders (ties: stratum name), at least one per non-empty stratum when n allows.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Literal

from ..problems import Problem, ProblemsError

METHODS = ("simple", "stratified")


@dataclass(frozen=True)
class Sample:
    keys: tuple[str, ...]  # drawn record keys, sorted
    frame_hash: str
    frame_size: int
    method: str
    seed: str
    allocation: Mapping[str, int]  # stratum -> drawn count (simple: one stratum "")


def frame_hash(keys: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode("utf-8")).hexdigest()


def draw_sample(
    frame: Sequence[tuple[str, str]], *, n: int, seed: str, method: Literal["simple", "stratified"] = "simple"
) -> Sample:
    """Draw `n` of the (record key, stratum) items; n larger than the frame is refused."""
    items = sorted(frame)
    keys = [k for k, _ in items]
    problems = []
    if method not in METHODS:
        problems.append(Problem("records_sample_method", params={"value": method, "allowed": ", ".join(METHODS)}))
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= len(keys):
        problems.append(Problem("records_sample_size", params={"n": n, "size": len(keys)}))
    dupes = sorted({a for a, b in itertools.pairwise(keys) if a == b})
    problems += [Problem("records_sample_duplicate_key", where=k, params={"key": k}) for k in dupes[:20]]
    if problems:
        raise ProblemsError(problems)
    digest = frame_hash(keys)
    rng = random.Random(hashlib.sha256(f"{seed}\n{digest}".encode()).digest())
    if method == "simple":
        drawn = rng.sample(keys, n)
        allocation = {"": n}
    else:
        strata: dict[str, list[str]] = {}
        for key, stratum in items:
            strata.setdefault(stratum, []).append(key)
        allocation = allocate(n, {s: len(v) for s, v in strata.items()})
        drawn = []
        for stratum in sorted(strata):
            drawn += rng.sample(strata[stratum], allocation[stratum])
    return Sample(
        keys=tuple(sorted(drawn)),
        frame_hash=digest,
        frame_size=len(keys),
        method=method,
        seed=seed,
        allocation=MappingProxyType(dict(sorted(allocation.items()))),
    )


def allocate(n: int, sizes: Mapping[str, int]) -> dict[str, int]:
    """Proportional allocation of n over strata by largest remainders, ≥ 1 per non-empty stratum
    when n ≥ the number of non-empty strata; never more than a stratum holds."""
    total = sum(sizes.values())
    if total == 0 or n == 0:
        return dict.fromkeys(sizes, 0)
    quota = {s: Fraction(n * size, total) for s, size in sizes.items()}
    alloc = {s: int(q) for s, q in quota.items()}
    nonempty = [s for s, size in sizes.items() if size > 0]
    if n >= len(nonempty):
        for s in nonempty:
            alloc[s] = max(alloc[s], 1)
    # remove from the most over-allocated (allocation − quota) while above n
    while sum(alloc.values()) > n:
        s = max((s for s in alloc if alloc[s] > 1), key=lambda s: (alloc[s] - quota[s], s))
        alloc[s] -= 1
    # add by largest remainder while below n
    while sum(alloc.values()) < n:
        s = max((s for s in alloc if alloc[s] < sizes[s]), key=lambda s: (quota[s] - alloc[s], [-ord(c) for c in s]))
        alloc[s] += 1
    return alloc

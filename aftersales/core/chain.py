"""Hash chains: every event of a case, certificate or appeal carries the hash of the one before it.

Changing, removing or reordering a past event breaks every later link, so a verifier holding only
the events can tell where the history was altered. The hash covers a canonical JSON form of the
event's fields (sorted keys, no spaces, UTF-8), so it does not depend on the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(payload: Mapping[str, object]) -> bytes:
    """The bytes that are hashed: sorted keys, compact separators, non-ASCII kept as UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def link_hash(prev_hash: str, payload: Mapping[str, object]) -> str:
    """The hash of one event: SHA-256 over the previous hash and the event's canonical form."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(payload)).hexdigest()


@dataclass(frozen=True)
class Link:
    seq: int
    prev_hash: str
    hash: str
    payload: Mapping[str, object]


@dataclass(frozen=True)
class Break:
    seq: int
    # "prev_hash" (does not point at the event before), "hash" (content changed), "seq" (gap),
    # "head" (the stored head is not the last event), "truncated" / "rewritten" (see checkpoints)
    reason: str


def verify(links: Iterable[Link]) -> list[Break]:
    """Every place the chain does not hold, in order; [] means intact."""
    breaks = []
    expected_prev, expected_seq = GENESIS, 1
    for link in links:
        if link.seq != expected_seq:
            breaks.append(Break(link.seq, "seq"))
        if link.prev_hash != expected_prev:
            breaks.append(Break(link.seq, "prev_hash"))
        if link_hash(link.prev_hash, link.payload) != link.hash:
            breaks.append(Break(link.seq, "hash"))
        expected_prev, expected_seq = link.hash, link.seq + 1
    return breaks


def history_breaks(links: list[Link], *, head_hash: str, event_count: int) -> list[Break]:
    """`verify` of a stored history, plus a "head" break when the owner's stored head (hash and
    count) does not point at the last link."""
    breaks = verify(links)
    last = links[-1] if links else None
    if (last.hash if last else "") != head_hash or (last.seq if last else 0) != event_count:
        breaks.append(Break(event_count, "head"))
    return breaks


# ------------------------------------------------------------------------------ checkpoints
#
# The links alone do not stop someone who can write the database: they can rewrite an event and
# recompute every later hash, or delete the last events and move the head back. A checkpoint is the
# certification body's Ed25519 signature over (chain, seq, head) kept outside the database
# (certificates/checkpoints.py); a chain whose event `seq` no longer has that hash was rewritten,
# one that no longer reaches `seq` was cut short.

CHECKPOINT_FORMAT = "aftersales-chain-checkpoint/1"


def checkpoint_payload(chain: str, seq: int, head: str) -> dict:
    """What a checkpoint signs: the chain's name ("certificate:ASC26SC00001J"), its length and head."""
    return {"format": CHECKPOINT_FORMAT, "chain": chain, "seq": seq, "head": head}


def checkpoint_breaks(hashes: Mapping[int, str], checkpoints: Iterable[tuple[int, str]]) -> list[Break]:
    """Where the stored chain (`hashes`: seq → hash) departs from its signed checkpoints (seq, head):
    "truncated" (the event is gone), "rewritten" (it has another hash)."""
    breaks = []
    for seq, head in sorted(set(checkpoints)):
        if seq not in hashes:
            breaks.append(Break(seq, "truncated"))
        elif hashes[seq] != head:
            breaks.append(Break(seq, "rewritten"))
    return breaks

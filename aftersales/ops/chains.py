"""Every hash chain of the platform, checked against its links and its signed checkpoints.

The chains: each case's events (`certification.CaseEvent`, audits included), each certificate's
(`certificates.CertificateEvent`) and each appeal's (`appeals.AppealEvent`), named
"case:AS-2026-0001", "certificate:ASC26SC00001J", "appeal:AP-2026-0001". `chains_verify` is what
`aftersales verify-chain` reports; `chains_anchor` (the daily job) signs the heads the checkpoint
log lacks, but only of chains that still agree with their links and checkpoints.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from aftersales.appeals.models import Appeal
from aftersales.appeals.services import appeal_chain_breaks
from aftersales.certificates.checkpoints import checkpoint_append, checkpoint_signed, checkpoints_read, trusted_keys
from aftersales.certificates.models import Certificate
from aftersales.certificates.services import certificate_chain_breaks
from aftersales.certification.cases import case_chain_breaks
from aftersales.certification.models import Case
from aftersales.core.chain import Break, checkpoint_breaks

KINDS = ("case", "certificate", "appeal")


@dataclass(frozen=True)
class Chain:
    name: str  # "certificate:ASC26SC00001J"
    seq: int  # the stored event count
    head: str  # the stored head hash
    hashes: dict[int, str]  # seq → hash of the stored events
    link_breaks: list[Break]


@dataclass
class ChainReport:
    checked: int = 0
    breaks: list[dict] = field(default_factory=list)  # {"chain", "seq", "reason"}
    unanchored: list[str] = field(default_factory=list)  # chains whose head no checkpoint signs yet

    @property
    def intact(self) -> bool:
        return not self.breaks

    def as_json(self) -> dict:
        return {"checked": self.checked, "intact": self.intact, "breaks": self.breaks, "unanchored": self.unanchored}


def chains(kinds: tuple[str, ...] = KINDS, *, only: str | None = None) -> Iterator[Chain]:
    """Every stored chain of `kinds` (or the one named `only`), with its links checked."""
    sources = {
        "case": (Case.objects.prefetch_related("events"), "reference", case_chain_breaks),
        "certificate": (Certificate.objects.prefetch_related("events"), "number", certificate_chain_breaks),
        "appeal": (Appeal.objects.prefetch_related("events"), "reference", appeal_chain_breaks),
    }
    for kind in kinds:
        rows, key, breaks_of = sources[kind]
        rows = rows.order_by(key)
        if only is not None:
            if not only.startswith(f"{kind}:"):
                continue
            rows = rows.filter(**{key: only.removeprefix(f"{kind}:")})
        for row in rows.iterator(chunk_size=500):
            hashes = {e.seq: e.hash for e in row.events.all()}
            name = f"{kind}:{getattr(row, key)}"
            yield Chain(name, row.event_count, row.head_hash, hashes, breaks_of(row))


def chains_verify(
    *, keys: dict[str, str] | None = None, kinds: tuple[str, ...] = KINDS, only: str | None = None
) -> ChainReport:
    """Links and checkpoints of every chain; a checkpointed chain missing from the database, and
    every log line that is not a good signature by a trusted key, are breaks too."""
    report = ChainReport()
    checkpoints, problems = checkpoints_read(trusted_keys(keys))
    report.breaks += [{"chain": "checkpoint-log", "seq": p["line"], "reason": p["reason"]} for p in problems]
    seen = set()
    for chain in chains(kinds, only=only):
        report.checked += 1
        seen.add(chain.name)
        signed = checkpoints.get(chain.name, set())
        found = chain.link_breaks + checkpoint_breaks(chain.hashes, signed)
        report.breaks += [{"chain": chain.name, "seq": b.seq, "reason": b.reason} for b in found]
        if chain.seq and (chain.seq, chain.head) not in signed:
            report.unanchored.append(chain.name)
    for name, signed in sorted(checkpoints.items()):
        kind = name.split(":", 1)[0]
        if name not in seen and kind in kinds and (only is None or only == name):
            report.breaks.append({"chain": name, "seq": max(seq for seq, _ in signed), "reason": "deleted"})
    return report


def chains_anchor() -> ChainReport:
    """Sign and log the head of every intact chain that no checkpoint signs yet (the daily job)."""
    report = chains_verify()
    broken = {b["chain"] for b in report.breaks}
    heads = {c.name: c for c in chains() if c.name in set(report.unanchored) - broken}
    checkpoint_append([checkpoint_signed(name, c.seq, c.head) for name, c in sorted(heads.items())])
    report.unanchored = sorted(heads)
    return report

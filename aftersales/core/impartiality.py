"""Impartiality of the audit team: who may not audit a client, and why.

Pure rules, no Django. A candidate is refused when
- their qualification is not valid on the audit's first day;
- they declared a link with the client (consulting, employment, other) that was still going on
  within the last `conflict_years` years (counted back from the audit's first day, inclusive:
  a link ending exactly `conflict_years` years before is still a conflict);
- they led the client's last `max_consecutive_leads` audits (rotation of the team leader).
Every refusal carries its reasons as bilingual text, so the picker shows them and the service
refuses with the same words.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from .dates import years_before
from .text import Text

KIND_TEXT = {
    "consulting": Text("咨询", "consulting"),
    "employment": Text("任职", "employment"),
    "other": Text("其他关系", "another link"),
}


@dataclass(frozen=True, slots=True)
class Candidate:
    key: Hashable
    name: str
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class Declaration:
    auditor: Hashable
    client: Hashable
    kind: str  # consulting | employment | other
    start: date
    end: date | None  # None: still going on


@dataclass(frozen=True, slots=True)
class Verdict:
    key: Hashable
    name: str
    reasons: tuple[Text, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        return not self.reasons


def check_candidates(
    candidates: Iterable[Candidate],
    *,
    client: Hashable,
    declarations: Iterable[Declaration],
    lead_history: Sequence[Hashable],
    on: date,
    conflict_years: int,
    max_consecutive_leads: int,
) -> list[Verdict]:
    """A verdict per candidate, in order. `lead_history`: who led the client's earlier audits,
    most recent first. `on`: the audit's first day. The two limits are the CB's policy
    (aftersales/core/policy.py)."""
    if conflict_years < 0 or max_consecutive_leads < 1:
        raise ValueError("conflict_years must be ≥ 0 and max_consecutive_leads ≥ 1")
    cutoff = years_before(on, conflict_years)
    declared = [d for d in declarations if d.client == client]
    recent = list(lead_history[:max_consecutive_leads])
    verdicts = []
    for c in candidates:
        reasons: list[Text] = []
        if c.valid_until is None or c.valid_until < on:
            until = c.valid_until.isoformat() if c.valid_until else "—"
            reasons.append(
                Text(
                    f"审核员资格有效期至 {until}，审核首日 {on.isoformat()} 时已失效",
                    f"qualification valid until {until}, expired on the audit's first day {on.isoformat()}",
                )
            )
        for d in declared:
            if d.auditor != c.key or d.start > on or (d.end is not None and d.end < cutoff):
                continue
            span = f"{d.start.isoformat()}–{d.end.isoformat() if d.end else '至今'}"
            span_en = f"{d.start.isoformat()}–{d.end.isoformat() if d.end else 'ongoing'}"
            kind = KIND_TEXT.get(d.kind, KIND_TEXT["other"])
            reasons.append(
                Text(
                    f"申报了与该客户的{kind.zh}关系（{span}），在 {conflict_years} 年利益冲突期内",
                    f"declared {kind.en} with this client ({span_en}), "
                    f"within the {conflict_years}-year conflict window",
                )
            )
        if len(recent) == max_consecutive_leads and all(k == c.key for k in recent):
            reasons.append(
                Text(
                    f"已连续担任该客户最近 {max_consecutive_leads} 次审核的组长",
                    f"led this client's last {max_consecutive_leads} audits",
                )
            )
        verdicts.append(Verdict(c.key, c.name, tuple(reasons)))
    return verdicts

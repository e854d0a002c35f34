"""Do the records cover the months an applicant needs? (eligibility: complete, traceable records)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from ..display import format_decimal

# the kinds an applicant must show for every required month (domain.md §3)
REQUIRED_KINDS = ("complaint", "work_order", "return_visit")


def months_before(as_of: date, count: int) -> tuple[str, ...]:
    """The `count` whole calendar months before `as_of`'s month, oldest first, as "YYYY-MM"."""
    year, month = as_of.year, as_of.month
    out = []
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(f"{year:04d}-{month:02d}")
    return tuple(reversed(out))


@dataclass(frozen=True)
class Coverage:
    """Which of the required months hold records of each required kind."""

    months: tuple[str, ...]  # the months checked, oldest first ("YYYY-MM")
    present: Mapping[str, frozenset[str]]  # kind -> months with at least one record
    kinds: tuple[str, ...] = REQUIRED_KINDS
    # return visits made in those months against the work orders and complaints received in them,
    # and the share (per cent) the CB's policy asks for (eligibility.return_visit_percent; 0: none)
    visits: int = 0
    followed: int = 0
    visit_percent_required: int = 0

    @property
    def visit_percent(self) -> Fraction | None:
        """Return visits per 100 work orders and complaints (exact), None when there were none."""
        return Fraction(100 * self.visits, self.followed) if self.followed else None

    @property
    def visit_percent_text(self) -> str:
        """The share as shown (one decimal, rounded down: never shown as reaching what it does not)."""
        share = self.visit_percent
        return "" if share is None else format_decimal(share, 1)

    @property
    def visits_enough(self) -> bool:
        share = self.visit_percent
        return share is None or share >= self.visit_percent_required

    @property
    def missing(self) -> dict[str, list[str]]:
        """kind -> required months without any record of that kind (only kinds with gaps)."""
        out = {}
        for kind in self.kinds:
            gaps = [m for m in self.months if m not in self.present.get(kind, frozenset())]
            if gaps:
                out[kind] = gaps
        return out

    @property
    def ok(self) -> bool:
        return not self.missing and self.visits_enough


def coverage(
    months_with_records: Mapping[str, Iterable[str]],
    *,
    required_months: int,
    as_of: date,
    visits: int = 0,
    followed: int = 0,
    visit_percent_required: int = 0,
) -> Coverage:
    """Coverage of the `required_months` whole months before `as_of` by the given record months,
    with the return visits made and the work orders and complaints received in those months."""
    months = months_before(as_of, required_months)
    present = {kind: frozenset(m for m in months_with_records.get(kind, ()) if m in months) for kind in REQUIRED_KINDS}
    return Coverage(
        months=months, present=present, visits=visits, followed=followed, visit_percent_required=visit_percent_required
    )

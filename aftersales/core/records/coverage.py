"""Do the records cover the months an applicant needs? (eligibility: complete, traceable records)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

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
        return not self.missing


def coverage(months_with_records: Mapping[str, Iterable[str]], *, required_months: int, as_of: date) -> Coverage:
    """Coverage of the `required_months` whole months before `as_of` by the given record months."""
    months = months_before(as_of, required_months)
    present = {kind: frozenset(m for m in months_with_records.get(kind, ()) if m in months) for kind in REQUIRED_KINDS}
    return Coverage(months=months, present=present)

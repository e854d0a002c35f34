"""The dates of a certificate's cycle (domain.md §5), as pure functions.

- Month arithmetic (core.dates) clamps to the month's end: 31 Jan + 1 month = 28 (or 29) Feb;
  29 Feb 2028 + 12 months = 28 Feb 2029.
- Surveillance k of a cycle is due `k × interval` months after the decision and may be done from
  `window` months before that date; surveillances stop before the recertification window opens
  (the recertification audit stands for any later one). A 3-year certificate with a 12-month
  interval and a 3-month recertification window has two: due at +12 and +24 months.
- The recertification window opens `open_months` before expiry.
- Reminders are sent at lead times (days before a date); `lead_due` answers which lead a job
  running on `today` should send, so a job that missed days still sends the latest one, once.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from .concepts import ProposalState, SurveillanceStanding
from .dates import add_months, add_years, months_between  # noqa: F401 (months_between: re-exported)

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def expiry_date(issued_on: date, years: int) -> date:
    """The last day of validity: `years` later, the day before the anniversary (issued 2026-01-15,
    3 years → 2029-01-14). Every certificate's expiry is computed here (certificates/versions.py)."""
    return add_years(issued_on, years) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Due:
    """One surveillance of a cycle: the n-th, done from `window_opens` up to `due_by` (inclusive)."""

    n: int
    window_opens: date
    due_by: date


def surveillance_schedule(
    decided_on: date,
    *,
    expires_on: date,
    interval_months: int,
    window_months: int,
    recertification_open_months: int = 0,
) -> tuple[Due, ...]:
    """The surveillances of one cycle. Due `k × interval_months` after `decided_on` (k = 1, 2 …)
    while that date is before the recertification window (`expires_on` − open months). The window
    opens `window_months` before the due date, never before the decision."""
    if interval_months < 1:
        raise ValueError("the surveillance interval is at least one month")
    if window_months < 0 or recertification_open_months < 0:
        raise ValueError("window and recertification months cannot be negative")
    if expires_on <= decided_on:
        raise ValueError("the certificate expires before it is decided")
    stop = add_months(expires_on, -recertification_open_months)
    out: list[Due] = []
    k = 1
    while True:
        due = add_months(decided_on, k * interval_months)
        if due >= stop:
            break
        opens = max(add_months(due, -window_months), decided_on + timedelta(days=1))
        out.append(Due(k, min(opens, due), due))
        k += 1
    return tuple(out)


class SurveillanceRow(Protocol):
    """What `surveillance_state` reads of a surveillance (certificates.models.Surveillance)."""

    state: str  # planned | opened | done | missed | cancelled
    window_opens: date
    due_by: date
    done_on: date | None
    proposal_answer: str  # "" | suspended | waived | withdrawn


TO_DO = ("planned", "opened")


@dataclass(frozen=True, slots=True)
class SurveillanceState:
    """A certificate's surveillance standing on a day. `due_by`: the date the surveillance in
    question is (due) or was (overdue, missed) due; `proposal`: the suspension a missed one
    proposes and the CB's answer (None otherwise)."""

    standing: SurveillanceStanding | None  # None: nothing to do (not live, or none planned)
    due_by: date | None = None
    window_opens: date | None = None
    window_open: bool = False
    proposal: ProposalState | None = None
    done: int = 0
    last_done_on: date | None = None

    @property
    def late(self) -> bool:
        return self.standing in (SurveillanceStanding.OVERDUE, SurveillanceStanding.MISSED)

    @property
    def public_standing(self) -> SurveillanceStanding | None:
        """What the public registry states: missed is overdue there (the proposal is the CB's)."""
        return SurveillanceStanding.OVERDUE if self.standing is SurveillanceStanding.MISSED else self.standing


def surveillance_state(rows: Iterable[SurveillanceRow], today: date, *, live: bool = True) -> SurveillanceState:
    """The one rule for where a certificate (or, given one row, a surveillance) stands on `today`;
    the cycle page, the certificate list and page, the API and the registry all ask it.

    A surveillance not done after its due date is overdue (missed once the daily job has marked it
    and proposed suspension); the earliest such decides. Else the earliest still to do is due
    (`window_open` from its window's first day). Else, with one done, the cycle's are done. A
    certificate no longer live (`live` False) has none to do; done and last_done_on still count."""
    rows = [r for r in rows if r.state != "cancelled"]
    done = [r for r in rows if r.state == "done"]
    last = max((r.done_on for r in done if r.done_on), default=None)
    counted = {"done": len(done), "last_done_on": last}
    if not live:
        return SurveillanceState(None, **counted)
    late = [r for r in rows if r.state == "missed" or (r.state in TO_DO and r.due_by < today)]
    if late:
        r = min(late, key=lambda r: r.due_by)
        if r.state == "missed":
            answer = ProposalState(r.proposal_answer) if r.proposal_answer else ProposalState.PENDING
            return SurveillanceState(SurveillanceStanding.MISSED, r.due_by, r.window_opens, True, answer, **counted)
        return SurveillanceState(SurveillanceStanding.OVERDUE, r.due_by, r.window_opens, True, **counted)
    ahead = [r for r in rows if r.state in TO_DO]
    if ahead:
        r = min(ahead, key=lambda r: r.due_by)
        return SurveillanceState(SurveillanceStanding.DUE, r.due_by, r.window_opens, r.window_opens <= today, **counted)
    return SurveillanceState(SurveillanceStanding.DONE if done else None, **counted)


def recertification_opens(expires_on: date, open_months: int) -> date:
    """The first day a recertification application may be opened."""
    return add_months(expires_on, -open_months)


def recertification_open_until(today: date, open_months: int) -> date:
    """The last expiry date whose recertification window has opened by `today` (windows open for
    every expiry up to it and for none after: `recertification_opens` never decreases), so that a
    database can select them with one comparison."""
    last = add_months(today, open_months)
    while recertification_opens(last + timedelta(days=1), open_months) <= today:
        last += timedelta(days=1)
    return last


def reminder_dates(target: date, lead_days: list[int] | tuple[int, ...]) -> list[tuple[int, date]]:
    """(lead, the day its reminder is due) for every lead time, farthest first."""
    return [(lead, target - timedelta(days=lead)) for lead in sorted(set(lead_days), reverse=True)]


def lead_due(target: date, lead_days: list[int] | tuple[int, ...], today: date) -> int | None:
    """The lead whose reminder a job running on `today` sends for `target`: the shortest lead whose
    day has come, as long as `target` has not passed; None when no reminder is due yet or any more."""
    if today > target:
        return None
    reached = [lead for lead, day in reminder_dates(target, lead_days) if day <= today]
    return min(reached) if reached else None


# --------------------------------------------------------------------------------- calendar


def month_parse(text: str | None, *, default: date) -> date:
    """The first day of the month written "YYYY-MM" (years 1900–9998); the month of `default` when
    the text is empty or malformed."""
    m = MONTH_PATTERN.match((text or "").strip())
    if m and 1 <= int(m.group(2)) <= 12 and 1900 <= int(m.group(1)) <= 9998:
        return date(int(m.group(1)), int(m.group(2)), 1)
    return default.replace(day=1)


def month_grid(first: date) -> list[list[date | None]]:
    """The month of `first` as weeks (Monday first) of days; None pads days of other months."""
    weeks = calendar.Calendar(firstweekday=0).monthdayscalendar(first.year, first.month)
    return [[date(first.year, first.month, d) if d else None for d in week] for week in weeks]


def month_bounds(first: date) -> tuple[date, date]:
    """The first and last day of the month of `first`."""
    start = first.replace(day=1)
    return start, add_months(start, 1) - timedelta(days=1)

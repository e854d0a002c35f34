"""The deadlines of an appeal, in calendar days. Pure Python (no Django), so it can move to
aftersales/core/ unchanged.

- lodging: an appeal is lodged at the latest `lodge_days` after the day of the contested decision
  (that day counts as day 0: decided on 1 March with 30 days → last day 31 March);
- acknowledgement: by `ack_days` after the day it was lodged;
- decision: by `decide_days` after the day it was lodged.
A deadline is met on its own day; it is overdue from the next day on. The numbers of days are the
CB's policy (aftersales/core/policy.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


def lodge_deadline(decided_on: date, lodge_days: int) -> date:
    return decided_on + timedelta(days=lodge_days)


def may_lodge(decided_on: date, today: date, lodge_days: int) -> bool:
    return today <= lodge_deadline(decided_on, lodge_days)


@dataclass(frozen=True, slots=True)
class Deadlines:
    acknowledge_by: date
    decide_by: date


def deadlines(lodged_on: date, ack_days: int, decide_days: int) -> Deadlines:
    if ack_days < 0 or decide_days < ack_days:
        raise ValueError("need 0 <= ack_days <= decide_days")
    return Deadlines(lodged_on + timedelta(days=ack_days), lodged_on + timedelta(days=decide_days))


def overdue(*, status: str, acknowledge_by: date, decide_by: date, today: date) -> tuple[bool, bool]:
    """(acknowledgement overdue, decision overdue) for an appeal in `status` on `today`."""
    open_ = status in {"lodged", "acknowledged", "under_review"}
    return (status == "lodged" and today > acknowledge_by, open_ and today > decide_by)

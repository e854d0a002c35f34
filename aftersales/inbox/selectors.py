"""The inbox: every step that waits for one person, read from the workflow's own state (no copy
of it is stored). Overdue first, then by due date. A fixed number of queries per person,
whatever the number of items (tests/inbox/test_queries.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from .appeals import appeal_items
from .cases import certificate_items, committee_items, enterprise_items, planning_items, review_items, team_items
from .cycle import cycle_items
from .items import Item, Who

SOURCES = (
    enterprise_items,
    review_items,
    planning_items,
    team_items,
    committee_items,
    certificate_items,
    cycle_items,
    appeal_items,
)


def inbox_for(user, *, today: date | None = None) -> list[Item]:
    """What waits for `user`, overdue first, then by due date."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    who = Who.of(user)
    return sorted((item for source in SOURCES for item in source(who, today)), key=Item.sort_key)


@dataclass(frozen=True)
class Count:
    total: int
    overdue: int


def count_of(items: list[Item]) -> Count:
    return Count(len(items), sum(1 for i in items if i.overdue))

"""An inbox item (one step that waits for one person) and who the person is in which organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from aftersales.accounts.models import Membership, Role
from aftersales.certification.models import CaseEvent


@dataclass(frozen=True)
class Item:
    """What to do (`what`, translated), on what (`subject`, `url` the viewer may follow), since
    when and due when. `kind` is a stable code ("case.review") for tests and styling."""

    kind: str
    what: str
    subject: str
    url: str
    since: date | None
    due: date | None
    today: date

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due < self.today

    @property
    def days_left(self) -> int | None:
        return None if self.due is None else (self.due - self.today).days

    @property
    def days_late(self) -> int:
        return (self.today - self.due).days if self.overdue else 0

    def sort_key(self) -> tuple:
        """Overdue first, then by due date (undated last), then the longest waiting."""
        return (not self.overdue, self.due is None, self.due or date.max, self.since or date.max, self.subject)


def day(value: date | datetime | None) -> date | None:
    """A stored moment as the local day it fell on."""
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


@dataclass(frozen=True)
class Who:
    """The user and the organisations they hold each role in (one query)."""

    user: object
    orgs_by_role: dict[str, frozenset[int]]

    @classmethod
    def of(cls, user) -> Who:
        found: dict[str, set[int]] = {}
        for role, org in Membership.objects.filter(user=user).values_list("role", "organisation_id"):
            found.setdefault(role, set()).add(org)
        return cls(user, {role: frozenset(ids) for role, ids in found.items()})

    def orgs(self, *roles: str) -> frozenset[int]:
        out: set[int] = set()
        for role in roles:
            out |= self.orgs_by_role.get(role, frozenset())
        return frozenset(out)

    @property
    def enterprises(self) -> frozenset[int]:
        return self.orgs(Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER)


def status_since():
    """Annotation: when a case entered its present status (its last event moving it there)."""
    return Subquery(
        CaseEvent.objects.filter(case=OuterRef("pk"), to_status=OuterRef("status")).order_by("-seq").values("at")[:1]
    )


def case_subject(case) -> str:
    return f"{case.reference} · {case.enterprise.name}"

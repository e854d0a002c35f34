"""Reads of appeals: lists with their deadline flags, a case's appeals, what a case lets the
enterprise contest, the history a viewer may see, the handlers a CB admin may choose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from aftersales.accounts.models import CB_ROLES, ENTERPRISE_ROLES, Membership, Role, User
from aftersales.audits.models import Decision
from aftersales.certificates.models import Certificate, CertificateEvent
from aftersales.certification.access import CB_STAFF_ROLES
from aftersales.certification.models import Case

from . import deadlines
from .access import appeals_visible_to
from .impartiality import handler_conflicts
from .models import OPEN, Appeal, AppealEvent
from .services import CONTESTABLE_OUTCOMES, CONTESTABLE_STATUSES, contested_on, lodge_days

FILTERS = ("open", "overdue")


def flag(appeal: Appeal, today: date) -> Appeal:
    """Set `ack_overdue` and `decide_overdue` on the appeal (no query)."""
    appeal.ack_overdue, appeal.decide_overdue = deadlines.overdue(
        status=appeal.status, acknowledge_by=appeal.acknowledge_by, decide_by=appeal.decide_by, today=today
    )
    appeal.overdue = appeal.ack_overdue or appeal.decide_overdue
    return appeal


def overdue_q(today: date) -> Q:
    return Q(status=Appeal.Status.LODGED, acknowledge_by__lt=today) | Q(status__in=OPEN, decide_by__lt=today)


def appeal_list(user, *, state: str = "", today: date | None = None) -> list[Appeal]:
    """The appeals the user sees, newest first; state "open" or "overdue" filters (2 queries)."""
    today = today or timezone.localdate()
    rows: QuerySet[Appeal] = appeals_visible_to(user).select_related("case", "enterprise", "cb", "handler")
    if state == "open":
        rows = rows.filter(status__in=OPEN)
    elif state == "overdue":
        rows = rows.filter(overdue_q(today))
    return [flag(a, today) for a in rows.order_by("-lodged_at", "-id")]


def case_appeals(case: Case, user, roles: set[str], *, today: date | None = None) -> list[Appeal]:
    """The case's appeals the viewer sees: all of them for the enterprise and CB staff, the ones
    they handle for anyone else."""
    today = today or timezone.localdate()
    rows = Appeal.objects.filter(case=case).select_related("handler")
    if not (roles & ENTERPRISE_ROLES or roles & CB_STAFF_ROLES):
        rows = rows.filter(handler_id=user.pk) if user.is_authenticated else rows.none()
    return [flag(a, today) for a in rows.order_by("-lodged_at", "-id")]


@dataclass
class Contestable:
    """A decision the enterprise may appeal: the committee's or a certificate status change."""

    key: str  # "decision-12" / "event-7", the form's value
    decision: Decision | None
    certificate_event: CertificateEvent | None
    decided_on: date
    last_day: date
    in_time: bool
    open_appeal: bool
    status_label: str = ""


def contestable(case: Case, *, today: date | None = None) -> list[Contestable]:
    """The case's decisions and certificate suspensions/withdrawals, with the last day to appeal
    each and whether an appeal of it is open already (3 queries)."""
    today = today or timezone.localdate()
    open_decisions = set(
        Appeal.objects.filter(case=case, status__in=OPEN, decision__isnull=False).values_list("decision_id", flat=True)
    )
    open_events = set(
        Appeal.objects.filter(status__in=OPEN, certificate_event__certificate__cases__case=case).values_list(
            "certificate_event_id", flat=True
        )
    )
    out = []
    for d in Decision.objects.filter(case=case, outcome__in=CONTESTABLE_OUTCOMES).order_by("decided_at", "id"):
        day = contested_on(decision=d)
        out.append(
            Contestable(
                f"decision-{d.pk}",
                d,
                None,
                day,
                deadlines.lodge_deadline(day, lodge_days(day)),
                deadlines.may_lodge(day, today, lodge_days(day)),
                d.pk in open_decisions,
            )
        )
    events = (
        CertificateEvent.objects.filter(certificate__cases__case=case, to_status__in=CONTESTABLE_STATUSES)
        .select_related("certificate")
        .order_by("at", "id")
        .distinct()
    )
    for e in events:
        day = contested_on(certificate_event=e)
        out.append(
            Contestable(
                f"event-{e.pk}",
                None,
                e,
                day,
                deadlines.lodge_deadline(day, lodge_days(day)),
                deadlines.may_lodge(day, today, lodge_days(day)),
                e.pk in open_events,
                str(Certificate.Status(e.to_status).label),
            )
        )
    return out


def history(appeal: Appeal, *, internal: bool) -> QuerySet[AppealEvent]:
    """The appeal's events in order; internal ones (assignment, notes) only with internal=True."""
    rows = appeal.events.select_related("actor").order_by("seq")
    return rows if internal else rows.filter(public=True)


def handler_candidates(appeal: Appeal) -> list[tuple[User, list[tuple[str, str]]]]:
    """Members of the appeal's CB, each with the rules that refuse them ([] = may handle)."""
    users = (
        User.objects.filter(memberships__organisation_id=appeal.cb_id, memberships__role__in=CB_ROLES, is_active=True)
        .distinct()
        .order_by("username")
    )
    return [(u, handler_conflicts(appeal, u)) for u in users]


def lodgeable_cases(user) -> QuerySet[Case]:
    """Cases of the enterprises the user administers that are past the draft (for the lodge form)."""
    admin_of = Membership.objects.filter(user=user, role=Role.ENTERPRISE_ADMIN).values("organisation_id")
    return (
        Case.objects.filter(enterprise_id__in=admin_of)
        .exclude(status=Case.Status.DRAFT)
        .select_related("cb")
        .order_by("-created_at", "-id")
    )

"""What the daily job tells people: rectification deadlines coming or passed, the certificate cycle's
reminders in the app, and the digests. Each notification once (its key); a second run adds nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role
from aftersales.audits.findings import OPEN_STATES
from aftersales.audits.models import Nonconformity
from aftersales.certificates.models import Reminder
from aftersales.certification.models import Case
from aftersales.policy import policy_on

from . import recipients
from .kinds import Kind
from .services import Message, digests_send, mails_retry, notify

DUE_SUBJECT = _("%(case)s: rectification of item %(item)s due in %(days)s days")
DUE_BODY = _("The nonconformity on item %(item)s of case %(case)s (%(enterprise)s) must be rectified by %(deadline)s.")
OVERDUE_SUBJECT = _("%(case)s: rectification of item %(item)s overdue")
OVERDUE_BODY = _(
    "The nonconformity on item %(item)s of case %(case)s (%(enterprise)s) was due on %(deadline)s "
    "and is not yet rectified."
)


@dataclass
class DailyNotices:
    rectification: int = 0
    reminders: int = 0
    digests: list = field(default_factory=list)
    retried: int = 0


def notifications_daily(*, today: date) -> DailyNotices:
    """Run by the daily job after the certificate cycle (ops/daily.py)."""
    return DailyNotices(
        rectification=rectification_notices(today=today),
        reminders=reminder_notices(today=today),
        digests=[m.key for m in digests_send(today=today)],
        retried=mails_retry(),
    )


def _lead(deadline: date, today: date, leads: tuple[int, ...], period: int) -> int | None:
    """The nearest lead time (days before the deadline) reached today, if any shorter than the
    rectification period itself (a reminder on the day the period starts says nothing new)."""
    reached = [n for n in leads if n < period and deadline - timedelta(days=n) <= today <= deadline]
    return min(reached) if reached else None


def rectification_notices(*, today: date) -> int:
    """For each open nonconformity of a case in rectification: "due in N days" at the policy's
    reminder lead times (reminder_lead_days), "overdue" the day after its deadline; to the
    enterprise and the audit team."""
    findings = (
        Nonconformity.objects.filter(
            audit__case__status=Case.Status.RECTIFICATION, state__in=OPEN_STATES, deadline__isnull=False
        )
        .select_related("audit__case__enterprise", "audit__case__cb")
        .order_by("id")
    )
    policy = policy_on(today)
    told = 0
    for nc in findings:
        case = nc.audit.case
        if nc.deadline < today:
            key, subject, body = f"rectification:{nc.pk}:overdue", OVERDUE_SUBJECT, OVERDUE_BODY
        else:
            days = _lead(nc.deadline, today, policy.reminder_lead_days, policy.rectification_days[nc.grade])
            if days is None:
                continue
            key, subject, body = f"rectification:{nc.pk}:due:{days}", DUE_SUBJECT, DUE_BODY

        def fill(nc=nc, case=case) -> dict:
            return {
                "case": case.reference,
                "item": nc.item_code,
                "enterprise": case.enterprise.name,
                "deadline": nc.deadline.isoformat(),
                "days": (nc.deadline - today).days,
            }

        users = recipients.people(
            (recipients.ENTERPRISE, recipients.TEAM), case=case, enterprise=case.enterprise, cb=case.cb
        )
        message = Message(subject=lambda s=subject, f=fill: str(s) % f(), body=lambda b=body, f=fill: str(b) % f())
        link = reverse("audit_rectification", args=[case.pk])
        told += len(notify(users, kind=Kind.RECTIFICATION_DUE, key=key, message=message, link=link))
    return told


ADMIN = {"enterprise": Role.ENTERPRISE_ADMIN, "cb": Role.CB_ADMIN}


def reminder_notices(*, today: date) -> int:
    """The certificate cycle's and the regulator's reminders of the last days (surveillance due or
    missed, recertification window, expiry, monthly report), in the app of the organisation's
    admins. Their mail went out through the reminder itself (certificates/notify.py)."""
    since = timezone.now() - timedelta(days=2)
    told = 0
    for reminder in Reminder.objects.filter(created_at__gte=since).select_related("organisation", "certificate"):
        org = reminder.organisation
        users = recipients.members(org.pk, {ADMIN[org.kind]}).order_by("pk")
        if reminder.certificate is not None:
            link = reverse("certificate_detail", args=[reminder.certificate.number])
        elif reminder.kind == Reminder.Kind.REGULATOR_REPORT:
            link = reverse("regulator_home")
        else:
            link = ""
        message = Message(subject=lambda r=reminder: r.subject, body=lambda r=reminder: r.body)
        told += len(
            notify(users, kind=Kind.CYCLE, key=f"reminder:{reminder.key}", message=message, link=link, mail=False)
        )
    return told

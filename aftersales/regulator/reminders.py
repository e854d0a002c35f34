"""The reminder before the monthly report is due (called daily by the cycle job)."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Organisation
from aftersales.certificates.models import Reminder
from aftersales.policy import policy_on

from .models import RegulatorExport
from .selectors import Scope, cb_admins, due_count, last_month


def report_due_on(today: date) -> date:
    """The day last month's report is due (the CB policy's regulator_report.due_day of this month,
    at most its last day; the policy in force on the first of the month)."""
    day = policy_on(today.replace(day=1)).regulator_report_day
    first = today.replace(day=1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return min(first.replace(day=1) + timedelta(days=day - 1), nxt - timedelta(days=1))


def reminder_key(cb: Organisation, month: date) -> str:
    return f"regulator:{cb.pk}:{month:%Y-%m}"


def regulator_reminders(today: date) -> list[Reminder]:
    """From the policy's regulator_report.reminder_days before the due day up to it, remind each CB whose
    last month is not reported (no export of the month, and records of it still due; once: the key
    makes it idempotent). Returns the new reminders."""
    due = report_due_on(today)
    if not (due - timedelta(days=policy_on(today).regulator_reminder_days) <= today <= due):
        return []
    month = last_month(today)
    exported = set(RegulatorExport.objects.filter(period=month).values_list("cb_id", flat=True))
    done = set(Reminder.objects.filter(kind=Reminder.Kind.REGULATOR_REPORT).values_list("key", flat=True))
    created = []
    for cb in Organisation.objects.filter(kind=Organisation.Kind.CERTIFICATION_BODY).order_by("pk"):
        key = reminder_key(cb, month)
        if cb.pk in exported or key in done or not _month_due(cb, month):
            continue
        recipients = sorted({m.user.email for m in cb_admins(cb) if m.user.email})
        params = {"month": f"{month:%Y-%m}", "due": due.isoformat(), "cb": cb.name}
        subject = _("Monthly regulator report for %(month)s due on %(due)s") % params
        body = (
            _(
                "%(cb)s has not yet exported the monthly report to the regulator for %(month)s. "
                "It is due on %(due)s. Export it on the regulator report page or with "
                "`aftersales regulator report --month %(month)s -o FILE`."
            )
            % params
        )
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    key=key,
                    kind=Reminder.Kind.REGULATOR_REPORT,
                    organisation=cb,
                    due_on=due,
                    subject=subject,
                    body=body,
                    recipients=recipients,
                )
        except IntegrityError:  # another run created it meanwhile
            continue
        if recipients:
            send_mail(subject, body, None, recipients)
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["sent_at"])
        created.append(reminder)
    return created


def _month_due(cb: Organisation, month: date) -> bool:
    """The month still has records to report (not carried by any export yet)."""
    return due_count(Scope.month(cb, month)) > 0


def reminder_state(cb: Organisation, today: date) -> dict:
    """For the CB page: last month, its due day, whether it is exported, the reminder if any."""
    month = last_month(today)
    return {
        "month": month,
        "due_on": report_due_on(today),
        "exported": RegulatorExport.objects.filter(cb=cb, period=month).exists(),
        "nothing_due": not _month_due(cb, month),
        "reminder": Reminder.objects.filter(key=reminder_key(cb, month)).first(),
        "overdue": today > report_due_on(today),
    }

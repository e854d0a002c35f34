"""The certificate cycle's part of the daily job (`cycle_run`;
the whole job is ops/daily.py): expiry, reminders at lead times, missed surveillances proposing
suspension. Idempotent: a second run on the same day sends and changes nothing."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.certification.models import Case
from aftersales.core import cycle as rules
from aftersales.core.concepts import LIVE_STATUSES
from aftersales.policy import policy_on

from .. import notify
from ..models import Certificate, CertificateCase, Reminder, Surveillance
from ..services import CertificateRefused, certificate_event_record, certificate_expire

log = logging.getLogger(__name__)

S = Certificate.Status
SV = Surveillance.State
LIVE = LIVE_STATUSES
TO_DO = (SV.PLANNED, SV.OPENED)


def recertification_opens(certificate: Certificate, today: date) -> date:
    """The first day recertification may be opened (the CB policy in force on `today`)."""
    return rules.recertification_opens(certificate.expires_on, policy_on(today).recertification_open_months)


# ------------------------------------------------------------------------------------- job


@dataclass
class CycleReport:
    today: date
    expired: list[str] = field(default_factory=list)  # certificate numbers
    missed: list[str] = field(default_factory=list)  # "<number> <cycle>.<n>"
    cancelled: list[str] = field(default_factory=list)
    reminders: list[str] = field(default_factory=list)  # reminder keys sent
    retried: int = 0
    regulator: list[str] = field(default_factory=list)  # filled by the daily job (ops/daily.py)
    notified: int = 0  # notifications the daily job wrote (ops/daily.py: rectification deadlines, reminders)
    digests: list[str] = field(default_factory=list)  # digest mails the daily job queued

    def as_json(self) -> dict:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        return data

    @property
    def quiet(self) -> bool:
        return not (self.expired or self.missed or self.cancelled or self.reminders or self.regulator)


def _remind(report: CycleReport, *, key: str, kind: str, organisation, certificate, due_on, subject, body) -> None:
    sent = notify.reminder_send(
        key=key,
        kind=kind,
        organisation=organisation,
        certificate=certificate,
        due_on=due_on,
        subject=subject,
        body=body,
    )
    if sent is not None:
        report.reminders.append(key)


def _both(certificate: Certificate):
    return (("ent", certificate.enterprise), ("cb", certificate.cb))


def _expire(report: CycleReport, today: date, by_label: str) -> None:
    due = Certificate.objects.filter(status__in=LIVE, expires_on__lt=today).select_related("enterprise", "cb")
    for certificate in due.order_by("expires_on", "number"):
        try:
            certificate_expire(certificate=certificate, today=today, by_label=by_label)
        except CertificateRefused as exc:  # reported, the others still expire
            log.error("certificate %s not expired: %s", certificate.number, exc)
            continue
        report.expired.append(certificate.number)
        for who, org in _both(certificate):
            _remind(
                report,
                key=f"expired:{certificate.number}:{certificate.expires_on.isoformat()}:{who}",
                kind=Reminder.Kind.EXPIRED,
                organisation=org,
                certificate=certificate,
                due_on=certificate.expires_on,
                subject=lambda c=certificate: _("Certificate %(number)s has expired") % {"number": c.number},
                body=lambda c=certificate: (
                    _(
                        "Certificate %(number)s of %(name)s expired on %(date)s without recertification. It is shown "
                        "as expired in the public registry."
                    )
                    % {"number": c.number, "name": c.name, "date": c.expires_on.isoformat()}
                ),
            )


def _cancel_dead(report: CycleReport, by_label: str) -> None:
    """Planned surveillances of certificates no longer live are cancelled, each certificate in its
    own transaction with an event (not public): the event moves the certificate's head, so its
    registry answers (which show the next surveillance) are published again and an older answer
    can never pass for current."""
    dead = Surveillance.objects.filter(state=SV.PLANNED).exclude(certificate__status__in=LIVE)
    for certificate_id in sorted(set(dead.values_list("certificate_id", flat=True))):
        with transaction.atomic():
            c = Certificate.objects.select_for_update().get(pk=certificate_id)
            rows = list(dead.filter(certificate=c).order_by("cycle", "n"))
            if not rows:
                continue
            Surveillance.objects.filter(pk__in=[s.pk for s in rows]).update(state=SV.CANCELLED)
            certificate_event_record(
                certificate=c,
                action="surveillance.cancelled",
                by_label=by_label,
                data={"surveillances": [f"{s.cycle}.{s.n}" for s in rows], "status": c.status},
                public=False,
            )
        report.cancelled += [f"{c.number} {s.cycle}.{s.n}" for s in rows]


def _missed(report: CycleReport, today: date, by_label: str) -> None:
    rows = Surveillance.objects.filter(state__in=TO_DO, due_by__lt=today, certificate__status__in=LIVE)
    for s in rows.select_related("certificate__cb", "certificate__enterprise").order_by("due_by", "id"):
        with transaction.atomic():
            s = Surveillance.objects.select_for_update().select_related("certificate__cb").get(pk=s.pk)
            if s.state not in TO_DO:
                continue
            s.state, s.missed_on = SV.MISSED, today
            s.save(update_fields=["state", "missed_on"])
            c = s.certificate
            certificate_event_record(
                certificate=c,
                action="surveillance.missed",
                by_label=by_label,
                data={"cycle": s.cycle, "n": s.n, "due_by": s.due_by.isoformat(), "proposal": "suspension"},
                public=False,
                effective_on=today,
            )
        report.missed.append(f"{c.number} {s.cycle}.{s.n}")
        _remind(
            report,
            key=f"missed:{s.pk}:cb",
            kind=Reminder.Kind.SURVEILLANCE_MISSED,
            organisation=c.cb,
            certificate=c,
            due_on=s.due_by,
            subject=lambda c=c: _("Surveillance of %(number)s missed: suspension proposed") % {"number": c.number},
            body=lambda c=c, s=s: (
                _(
                    "The surveillance audit %(cycle)s.%(n)s of certificate %(number)s (%(name)s) was due by %(due)s "
                    "and has not been decided. The cycle proposes to suspend the certificate: answer on the cycle "
                    "dashboard with suspend or waive, with a reason."
                )
                % {"cycle": s.cycle, "n": s.n, "number": c.number, "name": c.name, "due": s.due_by.isoformat()}
            ),
        )
        _remind(
            report,
            key=f"missed:{s.pk}:ent",
            kind=Reminder.Kind.SURVEILLANCE_MISSED,
            organisation=c.enterprise,
            certificate=c,
            due_on=s.due_by,
            subject=lambda c=c: _("Surveillance of %(number)s overdue") % {"number": c.number},
            body=lambda c=c, s=s: (
                _(
                    "The surveillance audit of certificate %(number)s was due by %(due)s. Contact %(cb)s: the "
                    "certificate may be suspended."
                )
                % {"number": c.number, "due": s.due_by.isoformat(), "cb": c.cb.name}
            ),
        )


def _surveillance_reminders(report: CycleReport, today: date, leads: list[int]) -> None:
    if not leads:
        return
    horizon = today + timedelta(days=max(leads))
    rows = Surveillance.objects.filter(
        state__in=TO_DO, due_by__gte=today, due_by__lte=horizon, certificate__status__in=LIVE
    ).select_related("certificate__cb", "certificate__enterprise")
    for s in rows.order_by("due_by", "id"):
        lead = rules.lead_due(s.due_by, leads, today)
        if lead is None:
            continue
        c = s.certificate
        for who, org in _both(c):
            _remind(
                report,
                key=f"surveillance:{s.pk}:{lead}:{who}",
                kind=Reminder.Kind.SURVEILLANCE_DUE,
                organisation=org,
                certificate=c,
                due_on=s.due_by,
                subject=lambda c=c, s=s: (
                    _("Surveillance audit of %(number)s due by %(due)s")
                    % {"number": c.number, "due": s.due_by.isoformat()}
                ),
                body=lambda c=c, s=s, lead=lead: (
                    _(
                        "The surveillance audit %(cycle)s.%(n)s of certificate %(number)s (%(name)s) is due by %(due)s "
                        "(in %(days)s days); its window opened on %(opens)s."
                    )
                    % {
                        "cycle": s.cycle,
                        "n": s.n,
                        "number": c.number,
                        "name": c.name,
                        "due": s.due_by.isoformat(),
                        "days": (s.due_by - today).days,
                        "opens": s.window_opens.isoformat(),
                    }
                ),
            )


def _expiry_reminders(report: CycleReport, today: date, leads: list[int]) -> None:
    months = policy_on(today).recertification_open_months
    horizon = rules.add_months(today, months) + timedelta(days=max(leads, default=0))
    rows = Certificate.objects.filter(status__in=LIVE, expires_on__gte=today, expires_on__lte=horizon)
    rows = rows.select_related("cb", "enterprise").order_by("expires_on", "number")
    recertifying = set(
        CertificateCase.objects.filter(certificate__in=rows, kind=Case.Kind.RECERTIFICATION)
        .exclude(case__status__in=[Case.Status.REFUSED, Case.Status.WITHDRAWN])
        .values_list("certificate_id", flat=True)
    )
    for c in rows:
        opens = recertification_opens(c, today)
        if opens <= today and c.pk not in recertifying:
            for who, org in _both(c):
                _remind(
                    report,
                    key=f"recertification:{c.number}:{c.expires_on.isoformat()}:{who}",
                    kind=Reminder.Kind.RECERTIFICATION_OPEN,
                    organisation=org,
                    certificate=c,
                    due_on=c.expires_on,
                    subject=lambda c=c: _("Recertification of %(number)s is open") % {"number": c.number},
                    body=lambda c=c, opens=opens: (
                        _(
                            "Certificate %(number)s of %(name)s expires on %(expires)s. Its recertification can be "
                            "applied for since %(opens)s; apply early so the audit and decision come before expiry."
                        )
                        % {"number": c.number, "name": c.name, "expires": c.expires_on.isoformat(), "opens": opens}
                    ),
                )
        lead = rules.lead_due(c.expires_on, leads, today)
        if lead is not None and c.pk not in recertifying:
            for who, org in _both(c):
                _remind(
                    report,
                    key=f"expiry:{c.number}:{c.expires_on.isoformat()}:{lead}:{who}",
                    kind=Reminder.Kind.EXPIRY,
                    organisation=org,
                    certificate=c,
                    due_on=c.expires_on,
                    subject=lambda c=c: (
                        _("Certificate %(number)s expires on %(date)s")
                        % {"number": c.number, "date": c.expires_on.isoformat()}
                    ),
                    body=lambda c=c: (
                        _(
                            "Certificate %(number)s of %(name)s expires on %(date)s (in %(days)s days) and no "
                            "recertification is under way."
                        )
                        % {
                            "number": c.number,
                            "name": c.name,
                            "date": c.expires_on.isoformat(),
                            "days": (c.expires_on - today).days,
                        }
                    ),
                )


def cycle_run(*, today: date | None = None, by_label: str = "cycle job") -> CycleReport:
    """The certificate part of the daily job (ops/daily.py; idempotent: a second run on the same
    day sends and changes nothing): expire certificates past expiry, cancel the planned
    surveillances of dead certificates, mark overdue surveillances missed (proposing suspension to
    the CB), send the reminders due at the CB policy's reminder_lead_days (surveillance,
    recertification window, expiry), retry unsent mails."""
    today = today or timezone.localdate()
    report = CycleReport(today=today)
    leads = list(policy_on(today).reminder_lead_days)
    report.retried = notify.reminders_retry()
    _expire(report, today, by_label)
    _cancel_dead(report, by_label)
    _missed(report, today, by_label)
    _surveillance_reminders(report, today, leads)
    _expiry_reminders(report, today, leads)
    return report

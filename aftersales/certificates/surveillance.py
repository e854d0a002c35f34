"""The surveillance schedule of a certificate's cycle: the interval, the dates (from `core.cycle`)
and `surveillance_plan`, which writes a cycle's surveillances (certificate_issue calls it after an
issue or a recertification; the cycle opens and decides them)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from aftersales.core import cycle as rules
from aftersales.policy import Policy, policy_on

from .models import Certificate, Surveillance
from .services import certificate_event_record

SV = Surveillance.State


def schedule_of(certificate: Certificate, decided_on: date, policy: Policy | None = None) -> tuple[rules.Due, ...]:
    """The cycle's surveillances under the CB policy in force on the decision day (or `policy`)."""
    policy = policy or policy_on(decided_on)
    return rules.surveillance_schedule(
        decided_on,
        expires_on=certificate.expires_on,
        interval_months=policy.surveillance_interval_months,
        window_months=policy.surveillance_window_months,
        recertification_open_months=policy.recertification_open_months,
    )


def lock_certificate(certificate: Certificate) -> Certificate:
    """The certificate, locked for this transaction, with its CB and enterprise."""
    return Certificate.objects.select_for_update().select_related("cb", "enterprise").get(pk=certificate.pk)


@transaction.atomic
def surveillance_plan(*, certificate: Certificate, cycle: int, decided_on: date) -> list[Surveillance]:
    """The surveillances of cycle `cycle`, due from `decided_on` until the certificate's expiry.
    Planned surveillances of earlier cycles are cancelled (the recertification stands for them).
    Calling it again for the same cycle changes nothing."""
    locked = lock_certificate(certificate)
    existing = list(Surveillance.objects.filter(certificate=locked, cycle=cycle).order_by("n"))
    if existing:
        return existing
    cancelled = Surveillance.objects.filter(certificate=locked, cycle__lt=cycle, state=SV.PLANNED).update(
        state=SV.CANCELLED
    )
    policy = policy_on(decided_on)
    rows = Surveillance.objects.bulk_create(
        Surveillance(certificate=locked, cycle=cycle, n=d.n, window_opens=d.window_opens, due_by=d.due_by)
        for d in schedule_of(locked, decided_on, policy)
    )
    certificate_event_record(
        certificate=locked,
        action="surveillance.planned",
        by_label="cycle",
        data={
            "cycle": cycle,
            "due": [r.due_by.isoformat() for r in rows],
            "interval_months": policy.surveillance_interval_months,
            "cancelled": cancelled,
            "policy": policy.pin,  # the schedule's CB policy version
        },
        public=False,
    )
    return rows

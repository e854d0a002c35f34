"""The surveillance schedule of a certificate's cycle: the interval, the dates (from `core.cycle`)
and `surveillance_plan`, which writes a cycle's surveillances (certificate_issue calls it after an
issue or a recertification; the cycle opens and decides them)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction

from aftersales.core import cycle as rules
from aftersales.core.scheme import get_scheme

from .models import Certificate, Surveillance
from .services import certificate_event_record

SV = Surveillance.State


def interval_months(certificate: Certificate) -> int:
    """The scheme's surveillance interval if it states one, else SURVEILLANCE_INTERVAL_MONTHS."""
    try:
        stated = getattr(get_scheme(certificate.scheme_id).parameters, "surveillance_interval_months", None)
    except Exception:  # a scheme not shipped with the code: the setting applies
        stated = None
    return int(stated or settings.SURVEILLANCE_INTERVAL_MONTHS)


def schedule_of(certificate: Certificate, decided_on: date) -> tuple[rules.Due, ...]:
    return rules.surveillance_schedule(
        decided_on,
        expires_on=certificate.expires_on,
        interval_months=interval_months(certificate),
        window_months=settings.SURVEILLANCE_WINDOW_MONTHS,
        recertification_open_months=settings.RECERTIFICATION_OPEN_MONTHS,
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
    rows = Surveillance.objects.bulk_create(
        Surveillance(certificate=locked, cycle=cycle, n=d.n, window_opens=d.window_opens, due_by=d.due_by)
        for d in schedule_of(locked, decided_on)
    )
    certificate_event_record(
        certificate=locked,
        action="surveillance.planned",
        by_label="cycle",
        data={
            "cycle": cycle,
            "due": [r.due_by.isoformat() for r in rows],
            "interval_months": interval_months(locked),
            "cancelled": cancelled,
        },
        public=False,
    )
    return rows

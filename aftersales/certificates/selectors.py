"""Reads of certificates for the enterprise and CB pages and the API: lists (one query whatever
their length), a certificate's versions, history, surveillances and recertification window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from aftersales.core.cycle import SurveillanceState, recertification_opens, surveillance_state
from aftersales.policy import policy_on

from .access import certificates_visible_to
from .models import Certificate, CertificateEvent, CertificateVersion, Surveillance

LEVELS = ("qualified", "three_star", "four_star", "five_star")
# what core.cycle.surveillance_state reads of a surveillance
STATE_FIELDS = ("certificate_id", "state", "window_opens", "due_by", "done_on", "proposal_answer")


def certificate_list(user, *, status: str = "", level: str = "", q: str = "") -> QuerySet[Certificate]:
    """The certificates the user may see, newest first, filtered by status, level and a search over
    the number, the enterprise name (Chinese or pinyin) and the credit code. One query; their
    surveillance standing: `surveillance_states`."""
    rows = certificates_visible_to(user).select_related("enterprise", "cb")
    if status in Certificate.Status.values:
        rows = rows.filter(status=status)
    if level in LEVELS:
        rows = rows.filter(level=level)
    q = " ".join(q.split())
    if q:
        compact = q.replace(" ", "")
        rows = rows.filter(
            Q(number__icontains=compact)
            | Q(name__icontains=q)
            | Q(name_pinyin__icontains=compact.lower())
            | Q(name_initials__icontains=compact.lower())
            | Q(credit_code__iexact=compact)
        )
    return rows.order_by("-issued_on", "number")


def certificate_versions(certificate: Certificate) -> list[CertificateVersion]:
    """Every version, oldest first, with the case and decision it came from."""
    return list(
        CertificateVersion.objects.filter(certificate=certificate)
        .select_related("case", "decision", "created_by")
        .order_by("seq")
    )


def certificate_events(certificate: Certificate, *, internal: bool) -> list[CertificateEvent]:
    """The status history, newest first; without `internal` only the public events."""
    rows = CertificateEvent.objects.filter(certificate=certificate).select_related("actor")
    if not internal:
        rows = rows.filter(public=True)
    return list(rows.order_by("-seq"))


def certificate_surveillances(certificate: Certificate) -> list[Surveillance]:
    return list(Surveillance.objects.filter(certificate=certificate).select_related("case").order_by("cycle", "n"))


def surveillance_state_of(
    certificate: Certificate, today: date, surveillances: list[Surveillance] | None = None
) -> SurveillanceState:
    """Where the certificate stands with its surveillances on `today` (core.cycle.surveillance_state);
    `surveillances`: its rows if already read."""
    rows = certificate_surveillances(certificate) if surveillances is None else surveillances
    return surveillance_state(rows, today, live=certificate.is_live)


def surveillance_states(certificates: Iterable[Certificate], today: date) -> dict[int, SurveillanceState]:
    """The standing of each certificate (by pk) on `today`, one query for all of them."""
    certificates = list(certificates)
    rows: dict[int, list[Surveillance]] = {c.pk: [] for c in certificates}
    for s in Surveillance.objects.filter(certificate_id__in=list(rows)).only(*STATE_FIELDS):
        rows[s.certificate_id].append(s)
    return {c.pk: surveillance_state(rows[c.pk], today, live=c.is_live) for c in certificates}


@dataclass(frozen=True, slots=True)
class Window:
    opens: date
    closes: date  # the expiry date
    open_now: bool


def recertification_window(certificate: Certificate, today: date) -> Window:
    """Recertification opens the CB policy's recertification_open_months (in force on `today`)
    before expiry and closes at expiry."""
    months = policy_on(today).recertification_open_months
    opens = recertification_opens(certificate.expires_on, months)
    return Window(opens=opens, closes=certificate.expires_on, open_now=opens <= today <= certificate.expires_on)

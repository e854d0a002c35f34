"""Reads of certificates for the enterprise and CB pages and the API: lists (one query whatever
their length), a certificate's versions, history, surveillances and recertification window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery

from aftersales.core.cycle import recertification_opens
from aftersales.policy import policy_on

from .access import certificates_visible_to
from .models import Certificate, CertificateEvent, CertificateVersion, Surveillance

# surveillances still to be done (the "next" one is the earliest of these)
OPEN_SURVEILLANCE = (Surveillance.State.PLANNED, Surveillance.State.OPENED)
LEVELS = ("qualified", "three_star", "four_star", "five_star")


def _next_surveillance(field: str) -> Subquery:
    return Subquery(
        Surveillance.objects.filter(certificate=OuterRef("pk"), state__in=OPEN_SURVEILLANCE)
        .order_by("due_by", "n")
        .values(field)[:1]
    )


def certificate_list(user, *, status: str = "", level: str = "", q: str = "") -> QuerySet[Certificate]:
    """The certificates the user may see, newest first, with `next_due` and `next_window_opens` (the
    next open surveillance) annotated; filtered by status, level and a search over the number, the
    enterprise name (Chinese or pinyin) and the credit code. One query."""
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
    return rows.annotate(
        next_due=_next_surveillance("due_by"), next_window_opens=_next_surveillance("window_opens")
    ).order_by("-issued_on", "number")


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


def next_surveillance(surveillances: list[Surveillance]) -> Surveillance | None:
    """The earliest surveillance still to be done."""
    open_ = [s for s in surveillances if s.state in OPEN_SURVEILLANCE]
    return min(open_, key=lambda s: (s.due_by, s.n)) if open_ else None


def last_surveillance(surveillances: list[Surveillance]) -> Surveillance | None:
    done = [s for s in surveillances if s.state == Surveillance.State.DONE and s.done_on]
    return max(done, key=lambda s: s.done_on) if done else None


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

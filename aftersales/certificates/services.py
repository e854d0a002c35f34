"""Writes of the certificates app: the event log and the status changes (`versions.py` issues
certificates and writes their versions).

Every write locks the certificate (or the case it comes from), appends one hash-chained
`CertificateEvent` and updates the certificate's denormalised current state, all in one
transaction. Versions are immutable and signed; a change is a new version. Nothing else writes
`Certificate.status`, its versions or its events.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from aftersales.core.chain import Break
from aftersales.core.refusal import Refused
from aftersales.events.chain import chain_append, chain_breaks

from .models import TRANSITIONS, Certificate, CertificateEvent
from .signals import certificate_changed

S = Certificate.Status


class CertificateRefused(Refused):
    """A certificate write that is not possible now. str() is a message for the user."""


# ----------------------------------------------------------------------------------- helpers


def name_search_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower-case letters and digits only: 杭州海川电器 →
    ("hangzhouhaichuandianqi", "hzhcdq"). Latin letters and digits pass through."""
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="default")]
    initials = [s.lower() for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")]

    def keep(parts):
        return "".join(ch for part in parts for ch in part if ch.isascii() and ch.isalnum())

    return keep(syllables)[:800], keep(initials)[:200]


def _lock(certificate: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().get(pk=certificate.pk)


def _today() -> date:
    return timezone.localdate()


# ------------------------------------------------------------------------------------ events


@transaction.atomic
def certificate_event_record(
    *,
    certificate: Certificate,
    action: str,
    by=None,
    by_label: str = "",
    reason: str = "",
    data: dict | None = None,
    public: bool = True,
    effective_on: date | None = None,
    to_status: str = "",
) -> CertificateEvent:
    """Append one event to the certificate's chain (and set `to_status` if given, unchecked: use
    `certificate_transition` for status changes)."""
    locked = _lock(certificate)
    effective_on = effective_on or _today()
    if to_status:
        locked.status_since = effective_on
    event = chain_append(
        locked,
        CertificateEvent,
        action=action,
        by=by,
        by_label=by_label,
        reason=reason,
        data=data,
        to_status=to_status,
        public=public,
        save=("updated_at", "status_since") if to_status else ("updated_at",),
        effective_on=effective_on,
    )
    for name in ("status", "status_since", "event_count", "head_hash"):
        setattr(certificate, name, getattr(locked, name))
    certificate_changed.send(sender=Certificate, number=locked.number)
    return event


@transaction.atomic
def certificate_transition(
    *,
    certificate: Certificate,
    to: str,
    action: str,
    reason: str,
    by=None,
    by_label: str = "",
    effective_on: date | None = None,
    data: dict | None = None,
    public: bool = True,
) -> CertificateEvent:
    """Move the certificate to status `to` if TRANSITIONS allows it, else CertificateRefused
    (nothing changed). A reason is required."""
    locked = _lock(certificate)
    if to not in TRANSITIONS[locked.status]:
        raise CertificateRefused(
            _("Certificate %(number)s is “%(status)s”; it cannot become “%(to)s”.")
            % {"number": locked.number, "status": S(locked.status).label, "to": S(to).label}
        )
    reason = (reason or "").strip()
    if not reason:
        raise CertificateRefused(_("Give the reason for the change of status."))
    effective_on = effective_on or _today()
    if effective_on < locked.status_since:
        raise CertificateRefused(
            _("The effective date %(date)s is before the current status began (%(since)s).")
            % {"date": effective_on.isoformat(), "since": locked.status_since.isoformat()}
        )
    return certificate_event_record(
        certificate=certificate,
        action=action,
        by=by,
        by_label=by_label,
        reason=reason,
        data=data,
        public=public,
        effective_on=effective_on,
        to_status=to,
    )


def certificate_suspend(*, certificate: Certificate, reason: str, by=None, by_label: str = "", effective_on=None):
    return certificate_transition(
        certificate=certificate,
        to=S.SUSPENDED,
        action="certificate.suspended",
        reason=reason,
        by=by,
        by_label=by_label,
        effective_on=effective_on,
    )


def certificate_restore(*, certificate: Certificate, reason: str, by=None, by_label: str = "", effective_on=None):
    locked = Certificate.objects.get(pk=certificate.pk)
    if locked.status == S.SUSPENDED and (effective_on or _today()) > locked.expires_on:
        raise CertificateRefused(
            _("Certificate %(number)s expired on %(date)s; it cannot be restored.")
            % {"number": locked.number, "date": locked.expires_on.isoformat()}
        )
    if locked.status != S.SUSPENDED:
        raise CertificateRefused(
            _("Certificate %(number)s is “%(status)s”; only a suspended certificate is restored.")
            % {"number": locked.number, "status": S(locked.status).label}
        )
    return certificate_transition(
        certificate=certificate,
        to=S.VALID,
        action="certificate.restored",
        reason=reason,
        by=by,
        by_label=by_label,
        effective_on=effective_on,
    )


def certificate_withdraw(*, certificate: Certificate, reason: str, by=None, by_label: str = "", effective_on=None):
    return certificate_transition(
        certificate=certificate,
        to=S.WITHDRAWN,
        action="certificate.withdrawn",
        reason=reason,
        by=by,
        by_label=by_label,
        effective_on=effective_on,
    )


def certificate_cancel(*, certificate: Certificate, reason: str, by=None, by_label: str = "", effective_on=None):
    return certificate_transition(
        certificate=certificate,
        to=S.CANCELLED,
        action="certificate.cancelled",
        reason=reason,
        by=by,
        by_label=by_label,
        effective_on=effective_on,
    )


def certificate_expire(*, certificate: Certificate, today: date, by_label: str = "cycle job", by=None):
    """valid or suspended → expired, the day after `expires_on` (refused before that)."""
    if today <= certificate.expires_on:
        raise CertificateRefused(
            _("Certificate %(number)s is valid until %(date)s; it does not expire yet.")
            % {"number": certificate.number, "date": certificate.expires_on.isoformat()}
        )
    return certificate_transition(
        certificate=certificate,
        to=S.EXPIRED,
        action="certificate.expired",
        reason=_("Validity ended on %(date)s without recertification.") % {"date": certificate.expires_on.isoformat()},
        by=by,
        by_label=by_label,
        effective_on=certificate.expires_on + timedelta(days=1),
    )


def certificate_chain_breaks(certificate: Certificate) -> list[Break]:
    """Where the stored status history no longer matches its hashes ([] if intact)."""
    return chain_breaks(certificate, CertificateEvent)

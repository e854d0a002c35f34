"""How the registry words and serialises a certificate's public record (see selectors for what is public)."""

from __future__ import annotations

from django.core.signing import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.certificates.checkpoints import checkpoint_published
from aftersales.certificates.mark import STARS
from aftersales.certificates.models import Certificate
from aftersales.certificates.payload import registry_url

from .selectors import RegistryEntry

S = Certificate.Status
# what a status change means to a reader of the registry (the event's new status decides)
STATUS_CHANGE_LABELS = {
    S.VALID: _("Restored"),
    S.SUSPENDED: _("Suspended"),
    S.WITHDRAWN: _("Withdrawn"),
    S.CANCELLED: _("Cancelled"),
    S.EXPIRED: _("Expired"),
}
# public events without a change of status, by action
ACTION_LABELS = {
    "certificate.issued": pgettext_lazy("certificate", "Issued"),
    "certificate.version": _("Certificate changed (new version)"),
    "certificate.changed": _("Certificate changed (new version)"),
    "certificate.recertified": _("Recertified"),
    "surveillance.planned": _("Surveillance audits planned"),
    "surveillance.confirmed": _("Surveillance audit done"),
    "surveillance.done": _("Surveillance audit done"),
    "surveillance.failed": _("Surveillance audit not passed"),
    "recertification.opened": _("Recertification under way"),
}
OTHER_EVENT = _("Certificate record updated")


def event_label(action: str, from_status: str, to_status: str) -> str:
    if action in ACTION_LABELS and (action == "certificate.issued" or to_status == from_status or not to_status):
        return ACTION_LABELS[action]
    if not from_status and to_status == S.VALID:
        return ACTION_LABELS["certificate.issued"]
    if to_status and to_status != from_status:
        return STATUS_CHANGE_LABELS.get(to_status, OTHER_EVENT)
    return ACTION_LABELS.get(action, OTHER_EVENT)


def verification_code(*, number: str, version: int, status: str, at: str) -> str:
    """A code over what the verification page states, keyed with the site's secret: only the registry
    issues one, the CB confirms a printed page by recomputing it. 12 hex characters in groups of four."""
    digest = salted_hmac(
        "aftersales.registry.verify", f"{number}|{version}|{status}|{at}", algorithm="sha256"
    ).hexdigest()[:12]
    return "-".join(digest[i : i + 4] for i in range(0, 12, 4)).upper()


def entry_json(entry: RegistryEntry, *, as_of: str) -> dict:
    """The JSON answer for one certificate: the same public fields as the page, codes not labels."""
    c, v = entry.certificate, entry.version
    return {
        "number": c.number,
        "status": c.status,
        "status_since": c.status_since.isoformat(),
        "as_of": as_of,
        "enterprise": {"name": c.name, "credit_code": c.credit_code, "address": v.address},
        "scope": v.scope,
        "sites": [{"name": s.get("name", ""), "address": s.get("address", "")} for s in v.sites or []],
        "scheme": {"id": v.scheme_id, "version": v.scheme_version},
        "level": c.level,
        "stars": STARS.get(c.level, 0),
        "score": v.score_display,
        # why the level is not the one the score reaches (certificates/payload.py); None when it is
        "level_reason": (v.payload or {}).get("level_reason") or None,
        "certification_body": v.cb_name,
        "first_issued_on": c.first_issued_on.isoformat(),
        "issued_on": c.issued_on.isoformat(),
        "expires_on": c.expires_on.isoformat(),
        "version": c.version_count,
        "surveillance": {
            "done": entry.surveillance.done,
            "last_on": _iso(entry.surveillance.last_done_on),
            # due | overdue (also once missed: the suspension proposal is the CB's) | done | None
            "state": entry.surveillance.public_standing,
            "next_due": _iso(entry.surveillance.due_by),  # overdue: the date it was due
        },
        "history": [
            {
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "effective_on": e.effective_on.isoformat(),
                "at": e.at.isoformat(),
                "reason": e.reason,
            }
            for e in entry.events
        ],
        "registry_url": registry_url(c.number),
        # the CB's signature over the head of the certificate's event chain (certificates/checkpoints.py)
        "chain": checkpoint_published(f"certificate:{c.number}", c.event_count, entry.stamp),
    }


def _iso(d) -> str | None:
    return d.isoformat() if d else None

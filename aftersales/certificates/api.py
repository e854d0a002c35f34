"""JSON API of certificates for logged-in users (mounted at /api/certificates/ by aftersales/api.py).

Same selectors, services and access helper as the pages: the holder's members and the issuing
CB's cb_admin, reviewers and committee see a certificate, anyone else gets 404; only the CB's
cb_admin changes it (other viewers 403); a change the life cycle does not allow is 409 with the
service's message. The public registry has its own endpoints (registry/api.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from aftersales.accounts.models import Membership
from aftersales.api_errors import errors, refused
from aftersales.core.access import Access
from aftersales.core.cycle import SurveillanceState
from aftersales.core.text import normalise_language

from . import services, versions
from .access import CB_VIEW_ROLES, certificate_access
from .models import Certificate, CertificateVersion
from .presenters import ACTION_TARGET, action_label, level_text, status_text
from .selectors import (
    certificate_events,
    certificate_list,
    certificate_surveillances,
    certificate_versions,
    recertification_window,
    surveillance_state_of,
    surveillance_states,
)

router = Router(tags=["certificates"])

STATUS_SERVICES = {
    "suspend": services.certificate_suspend,
    "restore": services.certificate_restore,
    "withdraw": services.certificate_withdraw,
    "cancel": services.certificate_cancel,
}
CHANGE_REASONS = ("level", "scope", "address", "name")


class CertificateOut(Schema):
    number: str
    enterprise: str
    credit_code: str
    cb: str
    scheme: str
    level: str
    level_text: str
    status: str
    status_text: str
    status_since: date
    first_issued_on: date
    issued_on: date
    expires_on: date
    version_count: int
    next_surveillance_due: date | None  # the surveillance due next, or the one overdue (due by that date)
    surveillance_state: str | None  # due | overdue | missed | done (core.cycle.surveillance_state)
    suspension_proposal: str | None  # a missed surveillance's: pending | suspended | waived | withdrawn
    url: str


class CertificateSite(Schema):
    name: str = ""
    address: str = ""


class VersionOut(Schema):
    seq: int
    reason: str
    reason_text: str
    note: str
    valid_from: date
    enterprise_name: str
    credit_code: str
    address: str
    scope: str
    sites: list[CertificateSite]
    scheme: str
    level: str
    score: str
    issued_on: date
    expires_on: date
    case: str | None
    decision: str | None
    key_id: str
    signature: str
    payload: dict


class CertificateEventOut(Schema):
    seq: int
    at: str
    effective_on: date
    actor: str
    action: str
    label: str
    from_status: str
    to_status: str
    reason: str
    public: bool
    data: dict


class SurveillanceOut(Schema):
    cycle: int
    n: int
    window_opens: date
    due_by: date
    state: str
    done_on: date | None
    missed_on: date | None


class CertificateDetail(CertificateOut):
    recertification_opens: date
    versions: list[VersionOut]
    history: list[CertificateEventOut]
    surveillances: list[SurveillanceOut]


class StatusIn(Schema):
    action: str  # suspend, restore, withdraw, cancel
    reason: str
    effective_on: date | None = None


class ChangeIn(Schema):
    reason: str  # level, scope, address or name: the kind of change
    note: str  # why, in words (shown in the history)
    level: str | None = None
    name: str | None = None
    address: str | None = None
    scope: str | None = None
    sites: list[CertificateSite] | None = None


def _lang() -> str:
    return normalise_language(get_language())


def _access(request, number: str, *, write: bool = False) -> Access[Certificate]:
    try:
        return certificate_access(request.user, number.strip().upper(), write=write)
    except PermissionDenied:
        raise HttpError(403, _("Only the certification body's admin changes a certificate.")) from None


def _out(c: Certificate, lang: str, state: SurveillanceState) -> dict:
    return {
        "number": c.number,
        "enterprise": c.name,
        "credit_code": c.credit_code,
        "cb": c.cb.name,
        "scheme": c.scheme_id,
        "level": c.level,
        "level_text": level_text(c.level, lang),
        "status": c.status,
        "status_text": status_text(c.status),
        "status_since": c.status_since,
        "first_issued_on": c.first_issued_on,
        "issued_on": c.issued_on,
        "expires_on": c.expires_on,
        "version_count": c.version_count,
        "next_surveillance_due": state.due_by,
        "surveillance_state": state.standing,
        "suspension_proposal": state.proposal,
        "url": reverse("certificate_detail", args=[c.number]),
    }


def _version(v: CertificateVersion) -> dict:
    return {
        "seq": v.seq,
        "reason": v.reason,
        "reason_text": v.get_reason_display(),
        "note": v.note,
        "valid_from": v.valid_from,
        "enterprise_name": v.enterprise_name,
        "credit_code": v.credit_code,
        "address": v.address,
        "scope": v.scope,
        "sites": [s for s in v.sites if isinstance(s, dict)],
        "scheme": f"{v.scheme_id} {v.scheme_version}",
        "level": v.level,
        "score": v.score_display,
        "issued_on": v.issued_on,
        "expires_on": v.expires_on,
        "case": v.case.reference if v.case_id else None,
        "decision": v.decision.get_outcome_display() if v.decision_id else None,
        "key_id": v.key_id,
        "signature": v.signature,
        "payload": v.payload,
    }


def _detail(request, access: Access[Certificate]) -> dict:
    lang, c = _lang(), access.obj
    surveillances = certificate_surveillances(c)
    internal = access.holds(*CB_VIEW_ROLES)
    events = certificate_events(c, internal=internal)
    state = surveillance_state_of(c, timezone.localdate(), surveillances)
    return {
        **_out(c, lang, state if internal else replace(state, proposal=None)),
        "recertification_opens": recertification_window(c, timezone.localdate()).opens,
        "versions": [_version(v) for v in certificate_versions(c)],
        "history": [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "effective_on": e.effective_on,
                "actor": e.actor_label,
                "action": e.action,
                "label": action_label(e),
                "from_status": e.from_status,
                "to_status": e.to_status,
                "reason": e.reason,
                "public": e.public,
                "data": e.data,
            }
            for e in events
        ],
        "surveillances": [
            {
                "cycle": s.cycle,
                "n": s.n,
                "window_opens": s.window_opens,
                "due_by": s.due_by,
                "state": s.state,
                "done_on": s.done_on,
                "missed_on": s.missed_on,
            }
            for s in surveillances
        ],
    }


@router.get("/", response=list[CertificateOut], url_name="certificate_api_list")
def list_certificates(request, status: str = "", level: str = "", q: str = ""):
    """The certificates you may see, newest first; filter by status, level, or search the number,
    enterprise name (Chinese or pinyin) or credit code."""
    lang = _lang()
    rows = list(certificate_list(request.user, status=status, level=level, q=q[:100]))
    states = surveillance_states(rows, timezone.localdate())
    internal = Membership.objects.filter(user=request.user, role__in=CB_VIEW_ROLES).exists()
    return [_out(c, lang, states[c.pk] if internal else replace(states[c.pk], proposal=None)) for c in rows]


@router.get("/{number}/", response=CertificateDetail, url_name="certificate_api_detail")
def get_certificate(request, number: str):
    """A certificate with every version, its status history (the holder: public events only) and
    its surveillance audits."""
    return _detail(request, _access(request, number))


@router.post(
    "/{number}/status/", response={200: CertificateDetail, **errors(403, 409)}, url_name="certificate_api_status"
)
def change_status(request, number: str, payload: StatusIn):
    """Suspend, restore (a suspended certificate), withdraw or cancel, with a reason and an
    effective date (default today). The CB's admin only."""
    access = _access(request, number, write=True)
    certificate = access.obj
    if payload.action not in ACTION_TARGET:
        problem = _("Unknown action %(action)s: one of %(known)s.") % {
            "action": payload.action,
            "known": ", ".join(ACTION_TARGET),
        }
        return refused(409, problem)
    STATUS_SERVICES[payload.action](
        certificate=certificate, reason=payload.reason, by=request.user, effective_on=payload.effective_on
    )
    certificate.refresh_from_db()
    return Status(200, _detail(request, access))


@router.post("/{number}/versions/", response={201: VersionOut, **errors(403, 409)}, url_name="certificate_api_change")
def change_certificate(request, number: str, payload: ChangeIn):
    """Record a change of level, name, address, scope or sites as a new signed version (fields left
    out stay as they are). The CB's admin only."""
    certificate = _access(request, number, write=True).obj
    if payload.reason not in CHANGE_REASONS:
        problem = _("Unknown kind of change %(reason)s: one of %(known)s.") % {
            "reason": payload.reason,
            "known": ", ".join(CHANGE_REASONS),
        }
        return refused(409, problem)
    sites = None if payload.sites is None else [s.dict() for s in payload.sites]
    version = versions.certificate_change(
        certificate=certificate,
        by=request.user,
        reason=payload.reason,
        note=payload.note,
        level=payload.level,
        name=payload.name,
        address=payload.address,
        scope=payload.scope,
        sites=sites,
    )
    return Status(201, _version(CertificateVersion.objects.select_related("case", "decision").get(pk=version.pk)))

"""The auditor registry and who may be picked: registering an auditor, declaring a conflict of
interest, and the impartiality verdict of every auditor for a case."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.certification.models import Case
from aftersales.core.impartiality import Candidate, Declaration, Verdict, check_candidates
from aftersales.events.services import event_record
from aftersales.policy import policy_on

from .models import Audit, Auditor, ConflictDeclaration
from .selectors import lead_history
from .services import AuditRefused, _need


@transaction.atomic
def auditor_register(
    *, cb: Organisation, user, registration: str, valid_until: date, industries: str = "", by
) -> Auditor:
    """Register (or update) a CB's auditor: the user must hold the auditor role in that CB."""
    if not Membership.objects.filter(user=user, organisation=cb, role=Role.AUDITOR).exists():
        raise AuditRefused(_("%(user)s is not an auditor of %(cb)s.") % {"user": user, "cb": cb})
    registration = _need(registration, _("Registration number"))
    if Auditor.objects.filter(cb=cb, registration=registration).exclude(user=user).exists():
        raise AuditRefused(_("Registration number %(n)s is already used.") % {"n": registration})
    auditor, created = Auditor.objects.update_or_create(
        cb=cb,
        user=user,
        defaults={"registration": registration, "valid_until": valid_until, "industries": industries.strip()},
    )
    event_record(
        action="audit.auditor_registered" if created else "audit.auditor_updated",
        subject=auditor,
        by=by,
        data={"registration": registration, "valid_until": valid_until.isoformat()},
    )
    return auditor


@transaction.atomic
def conflict_declare(
    *, auditor: Auditor, enterprise: Organisation, kind: str, start: date, end: date | None, note: str = "", by
) -> ConflictDeclaration:
    if kind not in ConflictDeclaration.Kind.values:
        raise AuditRefused(_("Unknown kind of link: %(kind)s.") % {"kind": kind})
    if not enterprise.is_enterprise:
        raise AuditRefused(_("A conflict of interest is declared with an enterprise."))
    if end is not None and end < start:
        raise AuditRefused(
            _("The link's end (%(end)s) is before its start (%(start)s).") % {"end": end, "start": start}
        )
    declaration = ConflictDeclaration.objects.create(
        auditor=auditor, enterprise=enterprise, kind=kind, start=start, end=end, note=note.strip()
    )
    event_record(
        action="audit.conflict_declared",
        subject=auditor,
        by=by,
        data={"enterprise": enterprise.pk, "kind": kind, "start": start.isoformat(), "end": end and end.isoformat()},
    )
    return declaration


# ----------------------------------------------------------------------------------- picker


def picker(case: Case, auditors, *, on: date | None = None) -> list[tuple[Auditor, Verdict]]:
    """Every auditor with the impartiality verdict for this case (allowed, or refused with reasons)."""
    auditors = list(auditors)
    audit = Audit.objects.filter(case=case).first()
    day = on or (audit.start_date if audit and audit.start_date else timezone.localdate())
    policy = policy_on(day)
    verdicts = check_candidates(
        [Candidate(a.pk, str(a.user), a.valid_until) for a in auditors],
        client=case.enterprise_id,
        declarations=[
            Declaration(d.auditor_id, d.enterprise_id, d.kind, d.start, d.end)
            for d in ConflictDeclaration.objects.filter(enterprise_id=case.enterprise_id)
        ],
        lead_history=lead_history(enterprise=case.enterprise, exclude_case=case),
        on=day,
        conflict_years=policy.conflict_years,
        max_consecutive_leads=policy.max_consecutive_leads,
    )
    return list(zip(auditors, verdicts, strict=True))


def _refuse_partial(case: Case, auditors: list[Auditor], on: date) -> None:
    for auditor, verdict in picker(case, auditors, on=on):
        if not verdict.allowed:
            reasons = "; ".join(r.get(get_language()) for r in verdict.reasons)
            raise AuditRefused(
                _("%(auditor)s cannot audit this case: %(reasons)s") % {"auditor": auditor.user, "reasons": reasons}
            )

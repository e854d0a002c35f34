"""Writes of the audits app: nonconformities and observations, rectification.

A nonconformity (major or minor) is tied to one item; when rectification starts (audit →
rectification) each gets its deadline (the CB policy in force that day, pinned on the audit). The
enterprise answers with cause, correction, corrective action and evidence files; the team accepts
or rejects with a reason. Overdue ones are escalated (an event on the case). Observations need no rectification.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.certification.cases import case_event_record, case_transition
from aftersales.certification.models import Case
from aftersales.policy import Policy, policy_on
from aftersales.schemes.selectors import scheme_of
from aftersales.uploads import UploadRefused, upload_accept

from .models import Audit, Nonconformity, RectificationFile
from .services import SCORING_STATUSES, AuditRefused, _need, _status

S = Case.Status
N = Nonconformity
OPEN_STATES = frozenset({N.State.OPEN, N.State.ANSWERED, N.State.REJECTED})


@transaction.atomic
def finding_raise(*, audit: Audit, item_code: str, grade: str, description: str, by) -> Nonconformity:
    """The team records a nonconformity (major/minor) or an observation on one item."""
    _status(audit.case, SCORING_STATUSES, _("record a nonconformity"))
    scheme = scheme_of(audit.case.scheme_version)
    if not scheme.has_node(item_code) or not scheme.node(item_code).is_item:
        raise AuditRefused(_("There is no item %(code)s in this scheme.") % {"code": item_code})
    if grade not in N.Grade.values:
        raise AuditRefused(_("Unknown grade: %(grade)s.") % {"grade": grade})
    description = _need(description, _("The description"))
    finding = N.objects.create(
        audit=audit,
        item_code=scheme.node(item_code).code,
        grade=grade,
        description=description,
        state=N.State.NOTED if grade == N.Grade.OBSERVATION else N.State.OPEN,
        raised_by=by,
    )
    case_event_record(
        case=audit.case,
        action="audit.finding_raised",
        by=by,
        data={"finding": finding.pk, "item": finding.item_code, "grade": grade},
        public=False,
    )
    return finding


@transaction.atomic
def finding_remove(*, finding: Nonconformity, by) -> None:
    """Withdraw a finding raised by mistake (only while the audit is being scored)."""
    _status(finding.audit.case, SCORING_STATUSES, _("withdraw a finding"))
    case_event_record(
        case=finding.audit.case,
        action="audit.finding_withdrawn",
        by=by,
        data={"finding": finding.pk, "item": finding.item_code, "grade": finding.grade},
        public=False,
    )
    finding.delete()


def deadline_for(grade: str, start: date, policy: Policy) -> date:
    return start + timedelta(days=policy.rectification_days[grade])


@transaction.atomic
def rectification_start(*, case: Case, by, today: date | None = None) -> list[Nonconformity]:
    """audit → rectification: every nonconformity gets its deadline; there must be at least one."""
    audit = Audit.objects.get(case=case) if Audit.objects.filter(case=case).exists() else None
    _status(case, {S.AUDIT}, _("start rectification"))
    ncs = list(audit.findings.exclude(grade=N.Grade.OBSERVATION))
    if not ncs:
        raise AuditRefused(_("There is no nonconformity to rectify; issue the report instead."))
    today = today or timezone.localdate()
    policy = policy_on(today)
    for nc in ncs:
        nc.deadline = deadline_for(nc.grade, today, policy)
        nc.save(update_fields=["deadline"])
    audit.rectification_policy = policy.pin
    audit.save(update_fields=["rectification_policy", "updated_at"])
    case_transition(
        case=case,
        to=S.RECTIFICATION,
        action="audit.rectification_started",
        by=by,
        data={
            "nonconformities": [
                {"item": n.item_code, "grade": n.grade, "deadline": n.deadline.isoformat()} for n in ncs
            ],
            "policy": policy.pin,
        },
    )
    return ncs


@transaction.atomic
def finding_answer(*, finding: Nonconformity, cause: str, correction: str, corrective_action: str, by) -> Nonconformity:
    """The enterprise's answer to a nonconformity (open or rejected) during rectification."""
    _status(finding.audit.case, {S.RECTIFICATION}, _("answer a nonconformity"))
    finding = N.objects.select_for_update().get(pk=finding.pk)
    if finding.state not in {N.State.OPEN, N.State.REJECTED}:
        raise AuditRefused(
            _("This finding is “%(state)s” and takes no answer now.") % {"state": N.State(finding.state).label}
        )
    finding.cause = _need(cause, _("The cause"))
    finding.correction = _need(correction, _("The correction"))
    finding.corrective_action = _need(corrective_action, _("The corrective action"))
    finding.state, finding.answered_by, finding.answered_at = N.State.ANSWERED, by, timezone.now()
    finding.save()
    case_event_record(
        case=finding.audit.case,
        action="audit.rectification_answered",
        by=by,
        data={"finding": finding.pk, "item": finding.item_code},
    )
    return finding


def finding_file_add(*, finding: Nonconformity, upload, by) -> RectificationFile:
    """Attach a file to the enterprise's answer (the whole file checked, as every upload)."""
    try:
        checked = upload_accept(upload)
    except UploadRefused as exc:
        raise AuditRefused(str(exc)) from None
    with transaction.atomic():
        _status(finding.audit.case, {S.RECTIFICATION}, _("add rectification evidence"))
        if finding.state not in OPEN_STATES:
            raise AuditRefused(_("This finding is closed."))
        row = checked.stored(RectificationFile, finding=finding, uploaded_by=by)
        try:
            row.save()
            case_event_record(
                case=finding.audit.case,
                action="audit.rectification_evidence_added",
                by=by,
                data={"finding": finding.pk, "file": checked.name, "sha256": row.sha256},
            )
        except Exception:
            row.file.delete(save=False)
            raise
    return row


@transaction.atomic
def finding_verify(*, finding: Nonconformity, accept: bool, reason: str, by) -> Nonconformity:
    """The team accepts the rectification, or rejects it with a reason (the enterprise answers again)."""
    _status(finding.audit.case, {S.RECTIFICATION}, _("verify a rectification"))
    finding = N.objects.select_for_update().get(pk=finding.pk)
    if finding.state != N.State.ANSWERED:
        raise AuditRefused(_("Only an answered nonconformity can be verified."))
    reason = reason.strip()
    if not accept:
        reason = _need(reason, _("The reason for rejecting"))
    finding.state = N.State.ACCEPTED if accept else N.State.REJECTED
    finding.verified_by, finding.verified_at, finding.verify_reason = by, timezone.now(), reason
    finding.save()
    case_event_record(
        case=finding.audit.case,
        action="audit.rectification_accepted" if accept else "audit.rectification_rejected",
        by=by,
        reason=reason,
        data={"finding": finding.pk, "item": finding.item_code},
    )
    return finding


def is_overdue(finding: Nonconformity, today: date) -> bool:
    return finding.deadline is not None and finding.deadline < today and finding.state in OPEN_STATES


@transaction.atomic
def overdue_escalate(*, case: Case, today: date | None = None, by=None, by_label: str = "") -> list[Nonconformity]:
    """Escalate the case's overdue nonconformities not yet escalated: one event naming them."""
    today = today or timezone.localdate()
    audit = Audit.objects.filter(case=case).first()
    if audit is None or case.status != S.RECTIFICATION:
        return []
    due = [f for f in audit.findings.select_for_update() if is_overdue(f, today) and f.escalated_at is None]
    if not due:
        return []
    now = timezone.now()
    for f in due:
        f.escalated_at = now
        f.save(update_fields=["escalated_at"])
    case_event_record(
        case=case,
        action="audit.rectification_overdue",
        by=by,
        by_label=by_label,
        data={"overdue": [{"item": f.item_code, "grade": f.grade, "deadline": f.deadline.isoformat()} for f in due]},
    )
    return due

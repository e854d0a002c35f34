"""The steps from the sent plan to the audit: planned → document_review (which opens the audit's
scoring) and document_review → audit."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.assessments import services as assessments
from aftersales.certification.cases import case_lock, case_transition
from aftersales.certification.models import Case

from .models import Audit
from .services import AuditRefused, S, _status


@transaction.atomic
def review_start(*, case: Case, by) -> Audit:
    """planned → document_review; opens the audit's scoring (an Assessment of kind audit)."""
    locked = case_lock(case)
    audit = Audit.objects.filter(case=locked).first()
    if locked.status == S.PLANNED and audit.objections.filter(answer="").exists():
        raise AuditRefused(_("An objection to an auditor is still unanswered."))
    case_transition(case=case, to=S.DOCUMENT_REVIEW, action="audit.document_review_started", by=by)
    if audit.assessment_id is None:
        audit.assessment = assessments.assessment_start(
            enterprise=locked.enterprise,
            scheme_version=locked.scheme_version,
            by=by,
            title=_("Audit %(reference)s") % {"reference": locked.reference},
            case=locked,
        )
        audit.save(update_fields=["assessment", "updated_at"])
    return audit


@transaction.atomic
def audit_start(*, case: Case, by, early_reason: str = "") -> Audit:
    """document_review → audit (on-site or remote). Before the plan's first day only with a
    reason, which the event records. (reported → audit is the committee's send-back, not this step.)"""
    _status(case, {S.DOCUMENT_REVIEW}, _("start the audit"))
    audit = Audit.objects.get(case=case)
    today, early_reason = timezone.localdate(), early_reason.strip()
    early = audit.start_date is not None and today < audit.start_date
    if early and not early_reason:
        raise AuditRefused(
            _("The plan starts the audit on %(day)s; to start it earlier, give the reason.")
            % {"day": audit.start_date.isoformat()}
        )
    data = {"planned_start": audit.start_date.isoformat(), "started_on": today.isoformat()} if early else None
    case_transition(
        case=case,
        to=S.AUDIT,
        action="audit.audit_started",
        by=by,
        reason=early_reason if early else "",
        data=data,
    )
    return audit

"""The team's scoring of the audit, through the assessments machinery: item answers (by hand or
from a records sample), special findings and evidence files, while the case is in a scoring
status."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.assessments import services as assessments
from aftersales.assessments.evidence import evidence_add
from aftersales.assessments.models import Assessment
from aftersales.certification.cases import case_event_record

from .models import Audit
from .services import SCORING_STATUSES, AuditRefused, _status


def _scoring(audit: Audit) -> Assessment:
    """The audit's assessment if the case is in a scoring status (locked by the caller's transaction)."""
    _status(audit.case, SCORING_STATUSES, _("score the audit"))
    if audit.assessment_id is None:
        raise AuditRefused(_("The audit has no scoring yet."))
    return audit.assessment


@transaction.atomic
def audit_answer_save(*, audit: Audit, item_code: str, kind: str, expected_version: int, by, **fields):
    """One item's audit result (same rules, version check and event as a self-assessment answer)."""
    assessment = _scoring(audit)
    return assessments.answer_save(
        assessment=assessment, item_code=item_code, kind=kind, expected_version=expected_version, by=by, **fields
    )


@transaction.atomic
def audit_answer_sampled(*, audit: Audit, item_code: str, sampled: int, nonconforming: int, by, data: dict):
    """An audit item scored `sampled` n/k from a records sample's verdicts (the records app calls
    it once the judge may write the audit): the scoring rules of `audit_answer_save`, and a case
    event naming who, the item, n/k and the verdict (`data`: sample, record, verdict). Not public:
    the enterprise sees audit scores with the report."""
    assessment = _scoring(audit)
    current = assessment.answers.filter(item_code=item_code).first()
    answer = assessments.answer_save(
        assessment=assessment,
        item_code=item_code,
        kind="sampled",
        sampled=sampled,
        nonconforming=nonconforming,
        reason=f"sample #{data.get('sample')}: {nonconforming}/{sampled}",
        note=current.note if current else "",
        expected_version=current.version if current else 0,
        by=by,
    )
    case_event_record(
        case=audit.case,
        action="audit.answer_sampled",
        by=by,
        data={"item": answer.item_code, **data, "sampled": sampled, "nonconforming": nonconforming},
        public=False,
    )
    return answer


@transaction.atomic
def audit_remaining_conform(*, audit: Audit, by) -> list[str]:
    """Every audit item not scored yet scored "conform" (the team overrides single items after)."""
    return assessments.answers_remaining_conform(assessment=_scoring(audit), by=by)


@transaction.atomic
def audit_special_add(*, audit: Audit, type: str, reason: str, by, kind: str = ""):
    return assessments.special_add(assessment=_scoring(audit), type=type, reason=reason, kind=kind, by=by)


@transaction.atomic
def audit_special_remove(*, audit: Audit, finding, by) -> None:
    _scoring(audit)
    assessments.special_remove(finding=finding, by=by)


def audit_evidence_add(*, audit: Audit, item_code: str, upload, by):
    with transaction.atomic():
        assessment = _scoring(audit)
        return evidence_add(assessment=assessment, item_code=item_code, upload=upload, by=by)

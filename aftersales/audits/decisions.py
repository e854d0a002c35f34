"""The review committee's decision on a reported case.

The decision (a committee member who was never on the case's audit team) is immutable and goes into
the case's hash chain through `case_transition` (reported → decided, or → audit when sent back).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Membership, Role
from aftersales.accounts.services import applicant_conflict
from aftersales.assessments import services as assessments
from aftersales.certification.cases import case_lock, case_transition
from aftersales.certification.models import Case
from aftersales.core.scheme import Level

from .models import Audit, Decision
from .services import LEVEL_RANK, AuditRefused, S, _lang, _need
from .signals import decision_recorded


def decision_refusal(user, case: Case, audit: Audit | None) -> str:
    """Why this user may not decide the case ("" if they may)."""
    if not Membership.objects.filter(user=user, organisation_id=case.cb_id, role=Role.COMMITTEE).exists():
        return _("Only a member of the review committee decides.")
    applicant = applicant_conflict(user=user, enterprise=case.enterprise)
    if applicant:
        return applicant
    if audit is not None and audit.team.filter(auditor__user=user).exists():
        return _("You were on this case's audit team; a committee member who audited the case cannot decide it.")
    return ""


def _reasons_checked(*, locked: Case, audit: Audit | None, outcome: str, reasons: str, by) -> str:
    """The decision's reasons (stripped); refused unless `by` may record `outcome` on the case now."""
    if locked.status != S.REPORTED:
        raise AuditRefused(
            _("Case %(reference)s is “%(status)s”; only a reported case is decided.")
            % {"reference": locked.reference, "status": S(locked.status).label}
        )
    refusal = decision_refusal(by, locked, audit)
    if refusal:
        raise AuditRefused(refusal)
    if outcome not in Decision.Outcome.values:
        raise AuditRefused(_("Unknown outcome: %(o)s.") % {"o": outcome})
    return _need(reasons, _("The reasons"))


def _decided_level(outcome: str, level: str, recommended: str) -> str:
    """The level the outcome certifies: the recommended one (approve), the lower one chosen
    (approve_lower), none otherwise."""
    if outcome == Decision.Outcome.APPROVE:
        if recommended == Level.FAIL:
            raise AuditRefused(_("The report recommends no level; approve at a level is not possible."))
        return recommended
    if outcome == Decision.Outcome.APPROVE_LOWER:
        if level not in LEVEL_RANK or level == Level.FAIL:
            raise AuditRefused(_("Choose the lower level to approve."))
        if LEVEL_RANK[level] >= LEVEL_RANK.get(recommended, 0):
            raise AuditRefused(
                _("%(level)s is not lower than the recommended level.") % {"level": Level(level).text.get(_lang())}
            )
        return level
    return ""


@transaction.atomic
def decision_record(*, case: Case, outcome: str, reasons: str, by, level: str = "") -> Decision:
    """The committee's decision on a reported case. approve: the recommended level; approve_lower:
    a lower passing level; refuse; send_back: back to the audit team (a new round of scoring
    starts from the frozen one)."""
    locked = case_lock(case)
    audit = Audit.objects.select_related("assessment").filter(case=locked).first()
    reasons = _reasons_checked(locked=locked, audit=audit, outcome=outcome, reasons=reasons, by=by)
    report = audit.reports.order_by("-number").first()
    recommended = report.recommended_level
    level = _decided_level(outcome, level, recommended)
    inputs = {
        "report": report.number,
        "report_sha256": report.sha256,
        "score": report.score_exact,
        "level_reached": report.level,
        "recommended_level": recommended,
    }
    result = {"outcome": outcome, "level": level}
    scheme = {
        "id": locked.scheme_version.scheme_id,
        "version": locked.scheme_version.version,
        "sha256": locked.scheme_version.sha256,
    }
    event = case_transition(
        case=case,
        to=S.AUDIT if outcome == Decision.Outcome.SEND_BACK else S.DECIDED,
        action=f"decision.{outcome}",
        by=by,
        reason=reasons,
        data={"scheme": scheme, "inputs": inputs, "result": result},
    )
    decision = Decision.objects.create(
        case=locked,
        report=report,
        outcome=outcome,
        level=level,
        reasons=reasons,
        scheme_id=scheme["id"],
        scheme_version=scheme["version"],
        scheme_sha256=scheme["sha256"],
        inputs=inputs,
        result=result,
        decided_by=by,
        decided_at=event.at,
        event=event,
    )
    if outcome == Decision.Outcome.SEND_BACK:
        audit.assessment = assessments.assessment_start(
            enterprise=locked.enterprise,
            scheme_version=locked.scheme_version,
            by=by,
            title=_("Audit %(reference)s, round %(n)s") % {"reference": locked.reference, "n": report.number + 1},
            baseline=report.assessment,
            case=locked,
        )
        audit.save(update_fields=["assessment", "updated_at"])
    decision_recorded.send(sender=Decision, decision=decision, by=by)
    return decision

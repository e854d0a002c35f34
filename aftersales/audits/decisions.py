"""Writes of the audits app, part 3: the final audit report and the committee's decision.

Issuing the final report (team leader; audit or rectification → reported) freezes the audit's
assessment and stores the frozen audit record (JSON) with its SHA-256, which the PDF prints. The
decision (a committee member who was never on the case's audit team) is immutable and goes into
the case's hash chain through `case_transition` (reported → decided, or → audit when sent back).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Membership, Role
from aftersales.accounts.services import applicant_conflict
from aftersales.assessments import services as assessments
from aftersales.assessments.selectors import assessment_score, item_result
from aftersales.certification.cases import case_lock, case_transition
from aftersales.certification.models import Case
from aftersales.core.chain import canonical
from aftersales.core.problems import ProblemsError
from aftersales.core.scheme import Level
from aftersales.core.scoring import ItemResult, score

from .models import Audit, AuditReport, Decision, Nonconformity, TeamMember
from .services import AuditRefused, _need
from .signals import decision_recorded

S = Case.Status
N = Nonconformity
LEVEL_RANK = {level.value: level.rank for level in Level}


# ------------------------------------------------------------------------------- score effect


@dataclass(frozen=True)
class ScoreEffect:
    now: Fraction
    now_level: str
    if_accepted: Fraction
    if_accepted_level: str
    items: tuple[str, ...]  # items of accepted nonconformities re-scored as conforming
    now_text: str
    if_accepted_text: str


def score_effect(audit: Audit) -> ScoreEffect | None:
    """The audit's score now, and the score if every item whose nonconformities are all accepted
    were re-scored as conforming (a simple, stated what-if; the team still re-scores for real)."""
    if audit.assessment_id is None:
        return None
    live = assessment_score(audit.assessment)
    findings = [f for f in audit.findings.all() if f.grade != N.Grade.OBSERVATION]
    by_item: dict[str, list] = {}
    for f in findings:
        by_item.setdefault(f.item_code, []).append(f)
    accepted = sorted(code for code, fs in by_item.items() if all(f.state == N.State.ACCEPTED for f in fs))
    results = {}
    for item in live.scheme.items:
        answer = live.answers.get(item.code)
        base = (
            ItemResult.nonconform()
            if answer is None
            else item_result(
                kind=answer.kind,
                sampled=answer.sampled,
                nonconforming=answer.nonconforming,
                awarded=answer.awarded,
                reason=answer.reason,
            )
        )
        if item.code in accepted and base.kind.value not in {"na"}:
            base = ItemResult.conform()
        results[item.id] = base
    what_if = score(live.scheme, results, live.result.deductions, live.result.bonuses)
    r = live.result
    return ScoreEffect(
        r.score,
        r.level.value,
        what_if.score,
        what_if.level.value,
        tuple(accepted),
        r.display_score,
        what_if.display_score,
    )


# ------------------------------------------------------------------------------------ report


def audit_record(audit: Audit, *, conclusion: str, recommended_level: str, number: int) -> dict:
    """The frozen audit record: everything the report states, as JSON-native data."""
    case = audit.case
    a = audit.assessment
    team = audit.team.filter(active=True).select_related("auditor__user")
    return {
        "case": case.reference,
        "report": number,
        "enterprise": {"name": case.enterprise.name, "credit_code": case.enterprise.credit_code},
        "certification_body": case.cb.name,
        "scheme": {
            "id": case.scheme_version.scheme_id,
            "version": case.scheme_version.version,
            "sha256": case.scheme_version.sha256,
        },
        "team": [{"name": str(m.auditor.user), "registration": m.auditor.registration, "role": m.role} for m in team],
        "dates": [audit.start_date.isoformat(), audit.end_date.isoformat()],
        "mode": audit.mode,
        "sites": audit.site_list(),
        "answers": [
            {
                "item": x.item_code,
                "kind": x.kind,
                "sampled": x.sampled,
                "nonconforming": x.nonconforming,
                "awarded": None if x.awarded is None else str(x.awarded),
                "reason": x.reason,
                "note": x.note,
            }
            for x in a.answers.order_by("item_code")
        ],
        "specials": [{"type": s.type, "kind": s.kind, "reason": s.reason} for s in a.specials.all()],
        "evidence": [{"item": e.item_code, "file": e.original_name, "sha256": e.sha256} for e in a.evidence.all()],
        "findings": [
            {
                "item": f.item_code,
                "grade": f.grade,
                "description": f.description,
                "state": f.state,
                "deadline": f.deadline.isoformat() if f.deadline else None,
                "cause": f.cause,
                "correction": f.correction,
                "corrective_action": f.corrective_action,
                "verify_reason": f.verify_reason,
            }
            for f in audit.findings.all()
        ],
        "result": a.result,
        "conclusion": conclusion,
        "recommended_level": recommended_level,
    }


@transaction.atomic
def report_issue(*, case: Case, conclusion: str, recommended_level: str, by) -> AuditReport:
    """The team leader issues the final report: audit (no open nonconformity) or rectification
    (every nonconformity verified or overdue) → reported. Freezes the audit's assessment."""
    locked = case_lock(case)
    audit = Audit.objects.select_related("assessment").filter(case=locked).first()
    if locked.status not in {S.AUDIT, S.RECTIFICATION} or audit is None:
        raise AuditRefused(
            _("Case %(reference)s is “%(status)s”; the report cannot be issued now.")
            % {"reference": locked.reference, "status": S(locked.status).label}
        )
    if not audit.team.filter(active=True, role=TeamMember.Role.LEADER, auditor__user=by).exists():
        raise AuditRefused(_("Only the team leader issues the audit report."))
    conclusion = _need(conclusion, _("The conclusion"))
    if recommended_level not in LEVEL_RANK:
        raise AuditRefused(_("Unknown level: %(level)s.") % {"level": recommended_level})
    ncs = list(audit.findings.exclude(grade=N.Grade.OBSERVATION))
    today = timezone.localdate()
    if locked.status == S.AUDIT and any(f.state != N.State.ACCEPTED for f in ncs):
        raise AuditRefused(_("There are nonconformities: start rectification before issuing the report."))
    waiting = [
        f.item_code
        for f in ncs
        if f.state in {N.State.OPEN, N.State.ANSWERED} and not (f.deadline and f.deadline < today)
    ]
    if waiting:
        raise AuditRefused(
            _("Nonconformities on %(items)s are not verified yet and not overdue.") % {"items": ", ".join(waiting)}
        )
    try:
        frozen = assessments.assessment_finish(assessment=audit.assessment, by=by)
    except ProblemsError as exc:
        raise AuditRefused(
            _("%(n)s items are not scored yet: %(items)s")
            % {"n": len(exc.problems), "items": ", ".join(p.where for p in exc.problems[:12])}
        ) from None
    reached = frozen.level
    if LEVEL_RANK[recommended_level] > LEVEL_RANK[reached]:
        raise AuditRefused(
            _("The recommendation cannot be above the level the audit reached (%(level)s).")
            % {"level": Level(reached).text.get(_lang())}
        )
    audit.assessment = frozen  # the frozen row (score, level and result set)
    number = audit.reports.count() + 1
    record = audit_record(audit, conclusion=conclusion, recommended_level=recommended_level, number=number)
    sha = hashlib.sha256(canonical(record)).hexdigest()
    report = AuditReport.objects.create(
        audit=audit,
        assessment=frozen,
        number=number,
        record=record,
        sha256=sha,
        score_exact=frozen.score_exact,
        level=reached,
        recommended_level=recommended_level,
        issued_by=by,
        issued_at=timezone.now(),
    )
    audit.conclusion, audit.recommended_level = conclusion, recommended_level
    audit.save(update_fields=["conclusion", "recommended_level", "updated_at"])
    case_transition(
        case=case,
        to=S.REPORTED,
        action="audit.report_issued",
        by=by,
        data={
            "report": number,
            "sha256": sha,
            "score": frozen.score_exact,
            "level": reached,
            "recommended_level": recommended_level,
        },
    )
    return report


def _lang() -> str:
    from django.utils.translation import get_language

    return get_language() or "zh-hans"


def report_draft_save(*, audit: Audit, conclusion: str, recommended_level: str, by) -> Audit:
    """Keep the leader's draft conclusion and recommendation (shown in the draft PDF)."""
    with transaction.atomic():
        locked = case_lock(audit.case)
        if locked.status not in {S.DOCUMENT_REVIEW, S.AUDIT, S.RECTIFICATION}:
            raise AuditRefused(_("The report is issued; its draft can no longer change."))
        if recommended_level and recommended_level not in LEVEL_RANK:
            raise AuditRefused(_("Unknown level: %(level)s.") % {"level": recommended_level})
        audit.conclusion, audit.recommended_level = conclusion.strip(), recommended_level
        audit.save(update_fields=["conclusion", "recommended_level", "updated_at"])
    return audit


# ---------------------------------------------------------------------------------- decision


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


@transaction.atomic
def decision_record(*, case: Case, outcome: str, reasons: str, by, level: str = "") -> Decision:
    """The committee's decision on a reported case. approve: the recommended level; approve_lower:
    a lower passing level; refuse; send_back: back to the audit team (a new round of scoring
    starts from the frozen one)."""
    locked = case_lock(case)
    audit = Audit.objects.select_related("assessment").filter(case=locked).first()
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
    reasons = _need(reasons, _("The reasons"))
    report = audit.reports.order_by("-number").first()
    recommended = report.recommended_level
    if outcome == Decision.Outcome.APPROVE:
        if recommended == Level.FAIL:
            raise AuditRefused(_("The report recommends no level; approve at a level is not possible."))
        level = recommended
    elif outcome == Decision.Outcome.APPROVE_LOWER:
        if level not in LEVEL_RANK or level == Level.FAIL:
            raise AuditRefused(_("Choose the lower level to approve."))
        if LEVEL_RANK[level] >= LEVEL_RANK.get(recommended, 0):
            raise AuditRefused(
                _("%(level)s is not lower than the recommended level.") % {"level": Level(level).text.get(_lang())}
            )
    else:
        level = ""
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

"""The final audit report: the score effect of accepted nonconformities, the frozen audit record,
issuing the report and keeping the leader's draft. The PDF is rendered in `report.py`.

Issuing the final report (team leader; audit or rectification → reported) freezes the audit's
assessment and stores the frozen audit record (JSON) with its SHA-256, which the PDF prints.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.assessments import services as assessments
from aftersales.assessments.selectors import assessment_score, item_result
from aftersales.certification.cases import case_lock, case_transition
from aftersales.certification.models import Case
from aftersales.core.chain import canonical
from aftersales.core.problems import ProblemsError
from aftersales.core.scheme import Level
from aftersales.core.scoring import ItemResult, score

from .models import Audit, AuditReport, Nonconformity, TeamMember
from .services import LEVEL_RANK, AuditRefused, S, _lang, _need

N = Nonconformity


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


def audit_record(
    audit: Audit, *, conclusion: str, recommended_level: str, number: int, recommendation_reason: str = ""
) -> dict:
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
        **({"recommendation_reason": recommendation_reason} if recommendation_reason else {}),
    }


def _recommendation_checked(recommended: str, reached: str, reason: str) -> str:
    """The reason for the recommendation (stripped): refused above the level the score reached, and
    required below it (the committee reads it beside the score; the certificate explains it)."""
    lang = _lang()
    if LEVEL_RANK[recommended] > LEVEL_RANK[reached]:
        raise AuditRefused(
            _("The recommendation cannot be above the level the audit reached (%(level)s).")
            % {"level": Level(reached).text.get(lang)}
        )
    reason = (reason or "").strip()
    if recommended != reached and not reason:
        raise AuditRefused(
            _(
                "Reason for the recommended level: the score reached %(reached)s; say why %(recommended)s is "
                "recommended instead."
            )
            % {"reached": Level(reached).text.get(lang), "recommended": Level(recommended).text.get(lang)}
        )
    return reason if recommended != reached else ""


@transaction.atomic
def report_issue(
    *, case: Case, conclusion: str, recommended_level: str, by, recommendation_reason: str = ""
) -> AuditReport:
    """The team leader issues the final report: audit (no open nonconformity) or rectification
    (every nonconformity verified or overdue) → reported, not before the audit's last day. Freezes
    the audit's assessment. A recommendation below the level reached needs its reason."""
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
    today = timezone.localdate()
    if audit.end_date is not None and today < audit.end_date:
        raise AuditRefused(
            _("The audit lasts until %(day)s; the final report cannot be dated before the audit's last day.")
            % {"day": audit.end_date.isoformat()}
        )
    ncs = list(audit.findings.exclude(grade=N.Grade.OBSERVATION))
    if locked.status == S.AUDIT and any(f.state != N.State.ACCEPTED for f in ncs):
        raise AuditRefused(_("There are nonconformities: start rectification before issuing the report."))
    waiting = [
        f.item_code
        for f in ncs
        if f.state in {N.State.OPEN, N.State.ANSWERED} and not (f.deadline and f.deadline < today)
    ]
    if waiting:
        raise AuditRefused(
            _("Nonconformities on %(items)s are not verified yet and not overdue.") % {"items": _(", ").join(waiting)}
        )
    try:
        frozen = assessments.assessment_finish(assessment=audit.assessment, by=by)
    except ProblemsError as exc:
        raise AuditRefused(
            _("%(n)s items are not scored yet: %(items)s")
            % {"n": len(exc.problems), "items": _(", ").join(p.where for p in exc.problems[:12])}
        ) from None
    reached = frozen.level
    reason = _recommendation_checked(recommended_level, reached, recommendation_reason)
    audit.assessment = frozen  # the frozen row (score, level and result set)
    number = audit.reports.count() + 1
    record = audit_record(
        audit, conclusion=conclusion, recommended_level=recommended_level, number=number, recommendation_reason=reason
    )
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
        recommendation_reason=reason,
        issued_by=by,
        issued_at=timezone.now(),
    )
    audit.conclusion, audit.recommended_level, audit.recommendation_reason = conclusion, recommended_level, reason
    audit.save(update_fields=["conclusion", "recommended_level", "recommendation_reason", "updated_at"])
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
            **({"recommendation_reason": reason} if reason else {}),
        },
    )
    return report


def report_draft_save(
    *, audit: Audit, conclusion: str, recommended_level: str, by, recommendation_reason: str = ""
) -> Audit:
    """Keep the leader's draft conclusion and recommendation (shown in the draft PDF)."""
    with transaction.atomic():
        locked = case_lock(audit.case)
        if locked.status not in {S.DOCUMENT_REVIEW, S.AUDIT, S.RECTIFICATION}:
            raise AuditRefused(_("The report is issued; its draft can no longer change."))
        if recommended_level and recommended_level not in LEVEL_RANK:
            raise AuditRefused(_("Unknown level: %(level)s.") % {"level": recommended_level})
        audit.conclusion, audit.recommended_level = conclusion.strip(), recommended_level
        audit.recommendation_reason = recommendation_reason.strip()
        audit.save(update_fields=["conclusion", "recommended_level", "recommendation_reason", "updated_at"])
    return audit

"""JSON API endpoints of the audits app (mounted at /api/audits/ by aftersales/api.py).

Same services and access helpers as the pages: outsiders 404, members of the right organisation
without the role 403, a refused step 409 with its message, a stale item version 409 with the
current answer, a bad answer 422 with every problem.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import Http404
from django.utils.translation import get_language
from ninja import Router, Schema, Status

from aftersales.api_errors import Refusal, errors, invalid, refused
from aftersales.assessments.services import AssessmentFrozen, EditConflict
from aftersales.certification.cases import case_chain_breaks
from aftersales.core.problems import ProblemsError
from aftersales.core.text import normalise_language
from aftersales.params import ApiCount

from . import auditors, decisions, findings, plan, reporting, scoring, steps
from .access import audit_access_for, audit_case_for, audit_scores_for, is_enterprise_viewer
from .models import Auditor, Nonconformity, Objection, TeamMember
from .presenters import RECTIFICATION_VISIBLE
from .selectors import auditors_of, last_report, team_of

router = Router(tags=["audits"])


class MemberOut(Schema):
    id: int
    name: str
    registration: str
    role: str


class AuditOut(Schema):
    case: str
    status: str
    mode: str
    start_date: date | None
    end_date: date | None
    man_days: Decimal | None
    sites: list[str]
    agenda: list[dict]
    sampling: list[dict]
    sent: bool
    team: list[MemberOut]
    report_sha256: str | None
    decisions: list[dict]


class PlanIn(Schema):
    mode: str = "on_site"
    start_date: date | None = None
    end_date: date | None = None
    man_days: str | None = None
    sites: list[str] = []
    agenda: list[dict] = []
    sampling: list[dict] = []


class TeamIn(Schema):
    leader: int
    members: list[int] = []


class ObjectionIn(Schema):
    member: int
    reason: str


class ObjectionAnswerIn(Schema):
    keep: bool
    reason: str
    replacement: int | None = None


class ItemIn(Schema):
    kind: str
    version: ApiCount
    sampled: ApiCount | None = None
    nonconforming: ApiCount | None = None
    awarded: Decimal | None = None
    reason: str = ""
    note: str = ""


class ItemOut(Schema):
    item: str
    kind: str
    sampled: int | None
    nonconforming: int | None
    awarded: Decimal | None
    reason: str
    note: str
    version: int


class FindingIn(Schema):
    item: str
    grade: str
    description: str


class FindingOut(Schema):
    id: int
    item: str
    grade: str
    state: str
    description: str
    deadline: date | None
    cause: str
    correction: str
    corrective_action: str
    verify_reason: str
    overdue: bool


class FindingAnswerIn(Schema):
    cause: str
    correction: str
    corrective_action: str


class VerifyIn(Schema):
    accept: bool
    reason: str = ""


class ReportIn(Schema):
    conclusion: str
    recommended_level: str
    recommendation_reason: str = ""


class DecisionIn(Schema):
    outcome: str
    reasons: str
    level: str = ""
    # the member declares no conflict of interest with the enterprise and the case
    no_conflict: bool = False


class ItemConflict(Refusal):
    """Someone else saved the item first: a refusal with the item as it now stands."""

    current: ItemOut | None = None


class ChainOut(Schema):
    case: str
    intact: bool
    breaks: list[dict]


def _summary(case, audit) -> dict:
    report = last_report(audit)
    return {
        "case": case.reference,
        "status": case.status,
        "mode": audit.mode,
        "start_date": audit.start_date,
        "end_date": audit.end_date,
        "man_days": audit.man_days,
        "sites": audit.site_list(),
        "agenda": audit.agenda,
        "sampling": audit.sampling,
        "sent": audit.sent_at is not None,
        "team": [
            {"id": m.pk, "name": str(m.auditor.user), "registration": m.auditor.registration, "role": m.role}
            for m in team_of(audit)
        ],
        "report_sha256": report.sha256 if report else None,
        "decisions": [
            {"outcome": d.outcome, "level": d.level, "reasons": d.reasons, "at": d.decided_at.isoformat()}
            for d in case.decisions.all()
        ],
    }


def _visible(access, audit):
    """The plan is the enterprise's once sent."""
    if is_enterprise_viewer(access) and audit.sent_at is None:
        raise Http404
    return audit


@router.get("/{pk}", response=AuditOut, url_name="audit_api_get")
def audit_get(request, pk: int):
    access, audit = audit_access_for(request, pk)
    return _summary(access.obj, _visible(access, audit))


@router.put("/{pk}/plan", response={200: AuditOut, **errors(403, 409)}, url_name="audit_api_plan")
def audit_plan(request, pk: int, payload: PlanIn):
    case, _audit = audit_case_for(request, pk, write="review", need_audit=False)
    audit = plan.audit_plan_save(
        case=case,
        plan=plan.PlanInput(
            mode=payload.mode,
            start_date=payload.start_date,
            end_date=payload.end_date,
            man_days=payload.man_days,
            sites="\n".join(payload.sites),
            agenda=payload.agenda,
            sampling=payload.sampling,
        ),
        by=request.user,
    )
    return _summary(case, audit)


@router.put("/{pk}/team", response={200: AuditOut, **errors(403, 409)}, url_name="audit_api_team")
def audit_team(request, pk: int, payload: TeamIn):
    case, audit = audit_case_for(request, pk, write="review", need_audit=False)
    by_pk = {a.pk: a for a in auditors_of(case.cb)}
    if payload.leader not in by_pk or any(m not in by_pk for m in payload.members):
        return refused(409, "leader and members must be registered auditors of the certification body")
    plan.team_set(case=case, leader=by_pk[payload.leader], members=[by_pk[m] for m in payload.members], by=request.user)
    audit.refresh_from_db()
    return _summary(case, audit)


@router.get("/{pk}/auditors", response={200: list[dict], **errors(403)}, url_name="audit_api_picker")
def audit_picker(request, pk: int):
    """Every auditor of the CB with the impartiality verdict for this case."""
    case, _audit = audit_case_for(request, pk, write="review", need_audit=False)
    lang = normalise_language(get_language())
    return [
        {
            "id": a.pk,
            "name": str(a.user),
            "registration": a.registration,
            "allowed": v.allowed,
            "reasons": [r.get(lang) for r in v.reasons],
        }
        for a, v in auditors.picker(case, auditors_of(case.cb))
    ]


def _step(request, pk: int, write: str, fn):
    case, _audit = audit_case_for(request, pk, write=write, need_audit=False)
    fn(case)
    case.refresh_from_db()
    audit = case.audit
    audit.case = case
    return Status(200, _summary(case, audit))


@router.post("/{pk}/send", response={200: AuditOut, **errors(403, 409)}, url_name="audit_api_send")
def audit_send(request, pk: int):
    return _step(request, pk, "review", lambda case: plan.plan_send(case=case, by=request.user))


@router.post("/{pk}/document-review", response={200: AuditOut, **errors(403, 409)}, url_name="audit_api_review_start")
def audit_review_start(request, pk: int):
    return _step(request, pk, "audit", lambda case: steps.review_start(case=case, by=request.user))


@router.post("/{pk}/start", response={200: AuditOut, **errors(403, 409)}, url_name="audit_api_start")
def audit_start(request, pk: int, early_reason: str = ""):
    """Start the audit; before the plan's first day only with `?early_reason=…` (recorded in the event)."""
    return _step(
        request, pk, "audit", lambda case: steps.audit_start(case=case, by=request.user, early_reason=early_reason)
    )


@router.post("/{pk}/rectification", response={200: AuditOut, **errors(403, 409)}, url_name="audit_api_rectification")
def audit_rectification(request, pk: int):
    return _step(request, pk, "audit", lambda case: findings.rectification_start(case=case, by=request.user))


@router.post("/{pk}/objections", response={201: dict, **errors(403, 404, 409)}, url_name="audit_api_object")
def audit_object(request, pk: int, payload: ObjectionIn):
    case, audit = audit_case_for(request, pk, write="enterprise_admin")
    member = TeamMember.objects.filter(pk=payload.member, audit=audit).first()
    if member is None:
        return refused(404, "no such team member")
    o = plan.objection_raise(case=case, member=member, reason=payload.reason, by=request.user)
    return Status(201, {"id": o.pk})


@router.post(
    "/{pk}/objections/{objection_id}/answer",
    response={200: dict, **errors(403, 404, 409)},
    url_name="audit_api_answer_objection",
)
def audit_answer_objection(request, pk: int, objection_id: int, payload: ObjectionAnswerIn):
    case, audit = audit_case_for(request, pk, write="review")
    objection = Objection.objects.filter(pk=objection_id, audit=audit).first()
    if objection is None:
        return refused(404, "no such objection")
    replacement = Auditor.objects.filter(pk=payload.replacement or 0, cb=case.cb).first()
    o = plan.objection_answer(
        objection=objection, keep=payload.keep, reason=payload.reason, replacement=replacement, by=request.user
    )
    return Status(200, {"id": o.pk, "answer": o.answer})


def _item(answer) -> dict:
    return {
        "item": answer.item_code,
        "kind": answer.kind,
        "sampled": answer.sampled,
        "nonconforming": answer.nonconforming,
        "awarded": answer.awarded,
        "reason": answer.reason,
        "note": answer.note,
        "version": answer.version,
    }


@router.get("/{pk}/items", response=list[ItemOut], url_name="audit_api_items")
def audit_items(request, pk: int):
    _case, audit = audit_scores_for(request, pk)
    return [_item(a) for a in audit.assessment.answers.order_by("item_code")]


@router.put(
    "/{pk}/items/{code}", response={200: ItemOut, 409: ItemConflict, **errors(403, 422)}, url_name="audit_api_item"
)
def audit_item(request, pk: int, code: str, payload: ItemIn):
    """Save one item's audit result; `version` is the one read (0 for a new answer)."""
    _case, audit = audit_scores_for(request, pk, write="audit")
    try:
        answer = scoring.audit_answer_save(
            audit=audit,
            item_code=code,
            kind=payload.kind,
            expected_version=payload.version,
            sampled=payload.sampled,
            nonconforming=payload.nonconforming,
            awarded=payload.awarded,
            reason=payload.reason,
            note=payload.note,
            by=request.user,
        )
    except ProblemsError as exc:
        return invalid(*(p.located(normalise_language(get_language())) for p in exc.problems))
    except EditConflict as exc:
        return refused(409, "someone else saved this item first", current=_item(exc.current) if exc.current else None)
    except AssessmentFrozen:
        return refused(409, "the audit can no longer change")
    return Status(200, _item(answer))


def _finding(f: Nonconformity) -> dict:
    from django.utils import timezone

    return {
        "id": f.pk,
        "item": f.item_code,
        "grade": f.grade,
        "state": f.state,
        "description": f.description,
        "deadline": f.deadline,
        "cause": f.cause,
        "correction": f.correction,
        "corrective_action": f.corrective_action,
        "verify_reason": f.verify_reason,
        "overdue": findings.is_overdue(f, timezone.localdate()),
    }


@router.get("/{pk}/findings", response=list[FindingOut], url_name="audit_api_findings")
def audit_findings(request, pk: int):
    access, audit = audit_access_for(request, pk)
    if is_enterprise_viewer(access) and access.obj.status not in RECTIFICATION_VISIBLE:
        raise Http404
    return [_finding(f) for f in audit.findings.all()]


@router.post("/{pk}/findings", response={201: FindingOut, **errors(403, 409)}, url_name="audit_api_finding_add")
def audit_finding_add(request, pk: int, payload: FindingIn):
    _case, audit = audit_scores_for(request, pk, write="audit")
    f = findings.finding_raise(
        audit=audit, item_code=payload.item, grade=payload.grade, description=payload.description, by=request.user
    )
    return Status(201, _finding(f))


def _finding_of(request, pk: int, finding_id: int, write: str):
    access, audit = audit_access_for(request, pk, write=write)
    if is_enterprise_viewer(access) and access.obj.status not in RECTIFICATION_VISIBLE:
        raise Http404
    f = Nonconformity.objects.filter(pk=finding_id, audit=audit).first()
    if f is None:
        raise Http404
    return f


@router.post(
    "/{pk}/findings/{finding_id}/answer",
    response={200: FindingOut, **errors(403, 409)},
    url_name="audit_api_finding_answer",
)
def audit_finding_answer(request, pk: int, finding_id: int, payload: FindingAnswerIn):
    f = _finding_of(request, pk, finding_id, "enterprise")
    f = findings.finding_answer(finding=f, by=request.user, **payload.dict())
    return Status(200, _finding(f))


@router.post(
    "/{pk}/findings/{finding_id}/verify",
    response={200: FindingOut, **errors(403, 409)},
    url_name="audit_api_finding_verify",
)
def audit_finding_verify(request, pk: int, finding_id: int, payload: VerifyIn):
    f = _finding_of(request, pk, finding_id, "audit")
    f = findings.finding_verify(finding=f, accept=payload.accept, reason=payload.reason, by=request.user)
    return Status(200, _finding(f))


@router.post("/{pk}/report", response={201: dict, **errors(403, 409)}, url_name="audit_api_report")
def audit_report(request, pk: int, payload: ReportIn):
    """The team leader issues the final report (freezes the audit; returns its SHA-256)."""
    case, _audit = audit_case_for(request, pk, write="audit")
    r = reporting.report_issue(
        case=case,
        conclusion=payload.conclusion,
        recommended_level=payload.recommended_level,
        recommendation_reason=payload.recommendation_reason,
        by=request.user,
    )
    return Status(201, {"number": r.number, "sha256": r.sha256, "score": r.score_exact, "level": r.level})


@router.post("/{pk}/decision", response={201: dict, 202: dict, **errors(403, 409)}, url_name="audit_api_decision")
def audit_decision(request, pk: int, payload: DecisionIn):
    case, _audit = audit_case_for(request, pk, write="decide")
    d = decisions.decision_record(
        case=case,
        outcome=payload.outcome,
        level=payload.level,
        reasons=payload.reasons,
        no_conflict=payload.no_conflict,
        by=request.user,
    )
    if d is None:  # a vote counted; the quorum is not reached or the votes do not agree yet
        return Status(202, {"decided": False, "vote": {"outcome": payload.outcome, "level": payload.level}})
    return Status(201, {"outcome": d.outcome, "level": d.level, "event": d.event.seq, "hash": d.event.hash})


@router.get("/{pk}/chain", response=ChainOut, url_name="audit_api_chain")
def audit_chain(request, pk: int):
    """Verify the case's hash-chained history (any viewer of the case)."""
    case, _audit = audit_case_for(request, pk, need_audit=False)
    breaks = case_chain_breaks(case)
    return {
        "case": case.reference,
        "intact": not breaks,
        "breaks": [{"seq": b.seq, "reason": b.reason} for b in breaks],
    }

"""What the audit pages and the case panel show, computed once per request."""

from __future__ import annotations

from fractions import Fraction

from django.utils import timezone

from aftersales.assessments.presenters import item_row, panel
from aftersales.assessments.selectors import assessment_score
from aftersales.certification.models import Case
from aftersales.core.access import Access
from aftersales.core.display import format_points
from aftersales.core.scheme import Level
from aftersales.core.scoring import DEDUCTION_TEXT, RESULT_TEXT, ResultKind

from .access import is_enterprise_viewer, scores_visible
from .decisions import decision_refusal
from .findings import is_overdue
from .models import Audit, Nonconformity
from .reporting import score_effect
from .selectors import baseline_for, decisions_of, findings_of, last_report, last_self_assessment, team_of
from .services import LEVEL_RANK

S = Case.Status
SCORING = {S.DOCUMENT_REVIEW, S.AUDIT}
RECTIFICATION_VISIBLE = {S.RECTIFICATION, S.REPORTED, S.DECIDED}


def level_choices(lang: str, *, up_to: str | None = None) -> list[tuple[str, str]]:
    levels = [lv for lv in Level if up_to is None or LEVEL_RANK[lv.value] <= LEVEL_RANK.get(up_to, 0)]
    return [(lv.value, lv.text.get(lang)) for lv in reversed(levels)]


def findings_rows(findings: list[Nonconformity], today) -> list[dict]:
    return [{"f": f, "overdue": is_overdue(f, today)} for f in findings]


def _verdict(answer: dict, lang: str) -> str:
    """One answer of a frozen audit record as the page words it ("sampled 1/10", "partial 1.5")."""
    text = RESULT_TEXT[ResultKind(answer["kind"])].get(lang)
    if answer["kind"] == ResultKind.SAMPLED:
        text += f" {answer['nonconforming']}/{answer['sampled']}"
    elif answer["kind"] == ResultKind.PARTIAL and answer.get("awarded") is not None:
        text += f" {format_points(Fraction(answer['awarded']))}"
    return text


def last_audit_results(case: Case, scheme, lang: str) -> dict[str, dict] | None:
    """Per item code, the result of the audit a surveillance or recertification case starts from
    (`selectors.baseline_for`: its last report's frozen record, one query):
    {"text": verdict, "kind", "earned", "applicable"}. None for an initial case or when the
    previous case has no report."""
    if case.kind == Case.Kind.INITIAL or case.previous_id is None:
        return None
    report = baseline_for(case)
    if report is None:
        return None
    scores = {row["id"]: row for row in (report.record.get("result") or {}).get("items", [])}
    ids = {node.code: node.id for node in scheme.items}
    out = {}
    for answer in report.record.get("answers", []):
        score = scores.get(ids.get(answer["item"]), {})
        out[answer["item"]] = {
            "text": _verdict(answer, lang),
            "kind": answer["kind"],
            "earned": score.get("earned", ""),
            "applicable": score.get("applicable", ""),
        }
    return out


def _last_audit_differs(row: dict, last: dict | None) -> bool:
    answer = row["answer"]
    return answer is not None and last is not None and answer.kind != last["kind"]


def _with_last_audit(row: dict, last_audit: dict[str, dict] | None) -> dict:
    if last_audit is not None:
        row["last_audit"] = last_audit.get(row["node"].code)
        row["last_audit_differs"] = _last_audit_differs(row, row["last_audit"])
    return row


def scoring_context(request, access: Access[Case], audit: Audit, lang: str) -> dict:
    """The audit scoring page: every item with the team's result, the enterprise's last finished
    self-assessment beside it (differences marked), for a surveillance or recertification the
    last audit's result too, evidence, findings; constant queries."""
    case = access.obj
    assessment = audit.assessment
    live = assessment_score(assessment)
    last_audit = last_audit_results(case, live.scheme, lang)
    own = last_self_assessment(case)
    self_answers = {a.item_code: a for a in own.answers.all()} if own else None
    evidence: dict[str, list] = {}
    for e in assessment.evidence.select_related("uploaded_by"):
        evidence.setdefault(e.item_code, []).append(e)
    by_item: dict[str, list] = {}
    findings = findings_of(audit)
    for f in findings:
        by_item.setdefault(f.item_code, []).append(f)
    editable = case.status in SCORING and not assessment.is_frozen and access.can("audit")
    rows = []
    for node in live.scheme.walk():
        if node.is_item:
            row = item_row(live, node, lang, self_answers, evidence=evidence.get(node.code, ()))
            row["findings"] = by_item.get(node.code, [])
            rows.append({"item": _with_last_audit(row, last_audit)})
        else:
            rows.append({"heading": node, "title": node.title.get(lang)})
    return {
        "case": case,
        "audit": audit,
        "assessment": assessment,
        "rows": rows,
        "panel": panel(live, lang),
        "specials": list(assessment.specials.all()),
        "self_assessment": own,
        "last_audit": last_audit,
        "editable": editable,
        "deduction_kinds": [(k.value, t.get(lang)) for k, t in DEDUCTION_TEXT.items()],
        "grades": Nonconformity.Grade.choices,
        "team": team_of(audit),
        "levels": level_choices(lang),
    }


def item_context(request, access: Access[Case], audit, code: str, lang: str, **kwargs) -> dict:
    case = access.obj
    live = assessment_score(audit.assessment)
    own = last_self_assessment(case)
    self_answers = {a.item_code: a for a in own.answers.all()} if own else None
    node = live.scheme.node(code)
    evidence = audit.assessment.evidence.filter(item_code=node.code).select_related("uploaded_by")
    row = item_row(live, node, lang, self_answers, evidence=evidence, **kwargs)
    row["findings"] = list(audit.findings.filter(item_code=node.code))
    last_audit = last_audit_results(case, live.scheme, lang)
    _with_last_audit(row, last_audit)
    return {
        "case": case,
        "audit": audit,
        "assessment": audit.assessment,
        "r": row,
        "panel": panel(live, lang),
        "self_assessment": own,
        "last_audit": last_audit,
        "editable": case.status in SCORING and access.can("audit"),
        "grades": Nonconformity.Grade.choices,
    }


def case_panel(request, access: Access[Case], lang: str) -> dict:
    """The audit part of the case page: what this viewer sees and may do."""
    case = access.obj
    audit = Audit.objects.select_related("assessment").filter(case=case).first()
    ent = is_enterprise_viewer(access)
    today = timezone.localdate()
    findings = findings_of(audit) if audit else []
    if ent and case.status not in RECTIFICATION_VISIBLE:
        findings = []
    report = last_report(audit)
    decisions = decisions_of(case)
    effect = score_effect(audit) if audit and audit.assessment_id and (not ent or report) else None
    return {
        "case": case,
        "audit": audit,
        "plan_visible": audit is not None and (not ent or audit.sent_at is not None),
        "team": team_of(audit),
        "objections": list(audit.objections.select_related("member__auditor__user", "replacement__auditor__user"))
        if audit
        else [],
        "findings": findings_rows(findings, today),
        "overdue": sum(1 for f in findings if is_overdue(f, today)),
        "report": report,
        "decisions": decisions,
        "effect": effect,
        "scores_visible": scores_visible(access, audit) and audit is not None and audit.assessment_id is not None,
        "progress": _progress(audit) if audit and audit.assessment_id and not ent else None,
        "can_plan": case.status == S.CONTRACTED and access.can("review"),
        "can_object": case.status == S.PLANNED and access.can("enterprise_admin"),
        "can_answer_objection": case.status == S.PLANNED and access.can("review"),
        "can_start_review": case.status == S.PLANNED and access.can("audit"),
        "can_start_audit": case.status == S.DOCUMENT_REVIEW and access.can("audit"),
        "start_early": bool(audit and audit.start_date and today < audit.start_date),
        "issue_early": bool(audit and audit.end_date and today < audit.end_date),
        "can_start_rectification": case.status == S.AUDIT and access.can("audit"),
        "can_issue": case.status in {S.AUDIT, S.RECTIFICATION} and access.can("audit"),
        "can_decide": case.status == S.REPORTED and access.can("decide"),
        "decide_refusal": decision_refusal(request.user, case, audit)
        if case.status == S.REPORTED and access.can("decide")
        else "",
        "rectification_visible": bool(findings) and (not ent or case.status in RECTIFICATION_VISIBLE),
        "levels": level_choices(lang),
        "replacements": _replacements(case, audit) if case.status == S.PLANNED and access.can("review") else [],
    }


def _replacements(case, audit):
    """Auditors the impartiality rules allow and not on the team (for answering an objection)."""
    from .auditors import picker
    from .selectors import auditors_of

    on_team = {m.auditor_id for m in team_of(audit)}
    return [a for a, v in picker(case, auditors_of(case.cb)) if v.allowed and a.pk not in on_team]


def _progress(audit: Audit) -> dict:
    from aftersales.schemes.selectors import scheme_of

    total = len(scheme_of(audit.case.scheme_version).items)
    done = audit.assessment.answers.count()
    return {"done": done, "total": total, "percent": int(done * 100 / total) if total else 0}

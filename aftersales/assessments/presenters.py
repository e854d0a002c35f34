"""What the assessment page shows, computed once per request from the live score."""

from __future__ import annotations

from fractions import Fraction

from aftersales.core.access import Access
from aftersales.core.display import format_points
from aftersales.core.scheme import Level
from aftersales.core.scoring import DEDUCTION_TEXT, RESULT_TEXT, ResultKind

from .access import WRITE_ADMIN
from .models import Assessment
from .selectors import LiveScore, assessment_score


def allowed_kinds(node) -> list[ResultKind]:
    kinds = [ResultKind.CONFORM, ResultKind.NONCONFORM]
    if node.sampled:
        kinds.append(ResultKind.SAMPLED)
    if node.partial:
        kinds.append(ResultKind.PARTIAL)
    if node.excludable:
        kinds.append(ResultKind.NA)
    return kinds


def _answer_text(answer, lang: str) -> str:
    if answer is None:
        return ""
    text = RESULT_TEXT[ResultKind(answer.kind)].get(lang)
    if answer.kind == ResultKind.SAMPLED:
        text += f" {answer.nonconforming}/{answer.sampled}"
    elif answer.kind == ResultKind.PARTIAL:
        text += f" {format_points(Fraction(answer.awarded))}"
    return text


def _same(a, b) -> bool:
    fields = ("kind", "sampled", "nonconforming", "awarded")
    return a is not None and b is not None and all(getattr(a, f) == getattr(b, f) for f in fields)


def item_row(
    live: LiveScore,
    node,
    lang: str,
    baseline_answers: dict | None,
    *,
    errors=(),
    conflict=None,
    posted=None,
    evidence=(),
) -> dict:
    answer = live.answers.get(node.code)
    ns = live.result.nodes[node.id]
    base = (baseline_answers or {}).get(node.code)
    shown = posted or {}
    return {
        "node": node,
        "title": node.title.get(lang),
        "guidance": node.guidance.get(lang) if node.guidance else "",
        "answer": answer,
        "kind": shown.get("kind") or (answer.kind if answer else ""),
        "sampled": shown.get("sampled") or (answer.sampled if answer and answer.sampled is not None else ""),
        "nonconforming": shown.get("nonconforming")
        or (answer.nonconforming if answer and answer.nonconforming is not None else ""),
        "awarded": shown.get("awarded")
        or (format_points(Fraction(answer.awarded)) if answer and answer.awarded is not None else ""),
        "reason": shown.get("reason", answer.reason if answer else ""),
        "note": shown.get("note", answer.note if answer else ""),
        "version": (conflict.version if conflict else answer.version if answer else 0),
        "kinds": [(k.value, RESULT_TEXT[k].get(lang)) for k in allowed_kinds(node)],
        "earned": format_points(ns.earned) if answer else "",
        "points": format_points(node.points),
        "lost": answer is not None and ns.lost > 0,
        "errors": list(errors),
        "conflict": conflict,
        "conflict_text": _answer_text(conflict, lang) if conflict else "",
        "baseline_text": _answer_text(base, lang) if base is not None else "",
        "changed_from_baseline": baseline_answers is not None and not _same(answer, base),
        "evidence": list(evidence),
    }


def panel(live: LiveScore, lang: str) -> dict:
    r = live.result
    scheme = live.scheme
    groups = []
    for top in scheme.nodes:
        ns = r.nodes[top.id]
        children = [
            {
                "code": c.code,
                "title": c.title.get(lang),
                "earned": r.display(r.nodes[c.id].earned),
                "applicable": format_points(r.nodes[c.id].applicable),
            }
            for c in top.children
            if not c.is_item
        ]
        groups.append(
            {
                "code": top.code,
                "title": top.title.get(lang),
                "earned": r.display(ns.earned),
                "applicable": format_points(ns.applicable),
                "points": format_points(top.points),
                "percent": int(ns.earned / ns.applicable * 100) if ns.applicable else 0,
                "children": children,
            }
        )
    gap = r.gap
    gap_items = []
    if gap is not None:
        for g in gap.top_gaps[:8]:
            node = scheme.node(g.item_id)
            gap_items.append(
                {
                    "code": node.code,
                    "title": node.title.get(lang),
                    "lost": r.display(g.lost),
                    "answered": node.code in live.answers,
                }
            )
    return {
        "score": r.display_score,
        "level": r.level.value,
        "level_text": r.level.text.get(lang) if r.level is not Level.FAIL else "",
        "passed": r.passed,
        "fail_reasons": [f.message(lang) for f in r.fail_reasons],
        "groups": groups,
        "gap_level": gap.level.text.get(lang) if gap else "",
        "gap_needed": r.display_gap(gap.score_needed) if gap else "",
        "gap_items": gap_items,
        "gap_items_to_reach": gap.items_to_reach if gap else None,
        "gap_blockers": [b.message(lang) for b in gap.blockers] if gap else [],
        "answered": live.answered_count,
        "total": len(scheme.items),
        "deductions": len(r.deductions),
        "bonuses": len(r.bonuses),
        "scheme_id": scheme.id,
        "scheme_version": scheme.version,
        "scheme_sha256": scheme.sha256,
        "reference": scheme.is_reference,
    }


def page_context(request, access: Access[Assessment], lang: str) -> dict:
    assessment = access.obj
    live = assessment_score(assessment)
    baseline_answers = {a.item_code: a for a in assessment.baseline.answers.all()} if assessment.baseline_id else None
    evidence: dict[str, list] = {}
    for e in assessment.evidence.select_related("uploaded_by"):
        evidence.setdefault(e.item_code, []).append(e)
    rows = []
    for node in live.scheme.walk():
        if node.is_item:
            rows.append({"item": item_row(live, node, lang, baseline_answers, evidence=evidence.get(node.code, ()))})
        else:
            rows.append({"heading": node, "title": node.title.get(lang), "points": format_points(node.points)})
    return {
        "assessment": assessment,
        "rows": rows,
        "panel": panel(live, lang),
        "specials": list(assessment.specials.all()),
        "editable": not assessment.is_frozen,
        "can_finish": not assessment.is_frozen and access.can(WRITE_ADMIN),
        "bonus_allowed": live.scheme.parameters.special_bonus_max > 0,
        "deduction_kinds": [(k, t.get(lang)) for k, t in _deduction_texts()],
        "inferred": sum(1 for node in live.scheme.walk() if node.is_item and node.basis == "inferred"),
    }


def item_context(request, assessment, live: LiveScore, code: str, lang: str, **kwargs) -> dict:
    baseline_answers = {a.item_code: a for a in assessment.baseline.answers.all()} if assessment.baseline_id else None
    node = live.scheme.node(code)
    evidence = assessment.evidence.filter(item_code=node.code).select_related("uploaded_by")
    return {
        "assessment": assessment,
        "r": item_row(live, node, lang, baseline_answers, evidence=evidence, **kwargs),
        "panel": panel(live, lang),
        "editable": not assessment.is_frozen,
    }


def _deduction_texts():
    return [(k.value, t) for k, t in DEDUCTION_TEXT.items()]

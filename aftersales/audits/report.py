"""The audit report (PDF, Chinese by default): rendered from the live audit as a watermarked
draft, or from the issued report's frozen record with its SHA-256 printed.

Uses the assessments app's PDF machinery (WeasyPrint, vendored CJK font, no network)."""

from __future__ import annotations

from django.utils import timezone

from aftersales.assessments.presenters import panel
from aftersales.assessments.report import FONT_FAMILY, category_chart, font_faces, result_text
from aftersales.assessments.selectors import assessment_score
from aftersales.core.scheme import Level
from aftersales.core.scoring import DEDUCTION_TEXT, DeductionKind

from .models import Audit, Nonconformity
from .selectors import team_of


def _level_text(value: str, lang: str) -> str:
    return Level(value).text.get(lang) if value else ""


def report_context(case, audit: Audit, lang: str) -> dict:
    report = audit.reports.filter(assessment=audit.assessment).first()
    final = report is not None
    live = assessment_score(audit.assessment)
    p = panel(live, lang)
    lost = []
    for item in live.scheme.items:
        answer = live.answers.get(item.code)
        ns = live.result.nodes[item.id]
        if answer is None or ns.lost > 0 or answer.kind == "na":
            lost.append(
                {
                    "code": item.code,
                    "title": item.title.get(lang),
                    "result": result_text(answer, lang) or "—",
                    "lost": live.result.display(ns.lost),
                    "note": " ".join(x for x in (answer.reason, answer.note) if x) if answer else "",
                }
            )
    findings = [
        {
            "item": f.item_code,
            "grade": Nonconformity.Grade(f.grade).label,
            "major": f.grade == Nonconformity.Grade.MAJOR,
            "description": f.description,
            "state": Nonconformity.State(f.state).label,
            "deadline": f.deadline,
            "corrective_action": f.corrective_action,
        }
        for f in audit.findings.all()
    ]
    specials = [
        {
            "bonus": s.type == "bonus",
            "kind": DEDUCTION_TEXT[DeductionKind(s.kind)].get(lang) if s.kind else "",
            "reason": s.reason,
        }
        for s in audit.assessment.specials.all()
    ]
    conclusion = report.record["conclusion"] if final else audit.conclusion
    recommended = report.recommended_level if final else audit.recommended_level
    return {
        "case": case,
        "audit": audit,
        "report": report,
        "final": final,
        "enterprise": case.enterprise,
        "scheme": live.scheme,
        "scheme_title": live.scheme.title.get(lang),
        "team": team_of(audit),
        "sites": audit.site_list(),
        "panel": p,
        "category_chart": category_chart(p),
        "lost": lost,
        "findings": findings,
        "specials": specials,
        "conclusion": conclusion,
        "recommended": _level_text(recommended, lang),
        "level_text": _level_text(live.result.level.value, lang) if live.result.passed else "",
        "unscored": len(live.unanswered),
        "generated_at": timezone.localtime(),
        "font_faces": font_faces(),
        "font_family": FONT_FAMILY,
    }

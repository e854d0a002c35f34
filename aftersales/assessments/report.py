"""An assessment's charts (page and PDF) and its PDF report.

The charts are `aftersales.charts` SVG built from the same panel the page shows. The PDF is the
`assessments/report.html` template printed by `aftersales.pdf` (WeasyPrint with the vendored CJK
font, so Chinese renders without any system font; `ReportUnavailable` when the system's Pango
library cannot load), made once per version of the page and kept in storage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.charts import Bar, Point, Svg, Threshold, bar_chart, history_chart
from aftersales.core.access import Access
from aftersales.core.display import format_points
from aftersales.core.scoring import DEDUCTION_TEXT, RESULT_TEXT, DeductionKind, ResultKind
from aftersales.pdf import FONT_FAMILY, font_faces
from aftersales.pdf import ReportUnavailable as ReportUnavailable  # where the views and tests have imported it
from aftersales.pdf import pdf_from_html as pdf_from_html
from aftersales.schemes.selectors import scheme_of

from .models import Assessment, SpecialFinding
from .presenters import page_context

# ------------------------------------------------------------------------------------------ reads


@dataclass(frozen=True, slots=True)
class Finished:
    pk: int
    title: str
    day: date
    score: Fraction
    shown: str  # the score as frozen for display ("" for results frozen before it was stored)


def finished_history(*, enterprise_id: int) -> list[Finished]:
    """The enterprise's finished assessments, oldest first, in one query."""
    rows = (
        Assessment.objects.filter(
            enterprise_id=enterprise_id, status=Assessment.Status.FINISHED, kind=Assessment.Kind.SELF
        )
        .order_by("finished_at", "id")
        .values_list("pk", "title", "finished_at", "score_exact", "result__score")
    )
    return [
        Finished(pk, title, timezone.localdate(finished_at), Fraction(score), shown if isinstance(shown, str) else "")
        for pk, title, finished_at, score, shown in rows
        if score
    ]


# ----------------------------------------------------------------------------------------- charts


def category_chart(panel: dict) -> Svg:
    """Each category's earned points against its applicable and maximum points."""
    bars = [
        Bar(
            label=f"{g['code']} {g['title']}",
            earned=g["earned"],
            applicable=g["applicable"],
            maximum=g["points"],
            text=f"{g['earned']} / {g['applicable']}",
        )
        for g in panel["groups"]
    ]
    return bar_chart(
        bars,
        title=_("Points per category"),
        legend=(_("earned"), _("not earned"), _("not applicable")),
    )


def score_history_chart(assessment: Assessment, lang: str) -> Svg | None:
    """The enterprise's finished scores over time with the scheme's level thresholds; None when
    the enterprise has finished nothing yet. One query."""
    history = finished_history(enterprise_id=assessment.enterprise_id)
    if not history:
        return None
    scheme = scheme_of(assessment.scheme_version)
    thresholds = [Threshold(score, level.text.get(lang)) for level, score in scheme.parameters.levels]
    points = [Point(h.day, h.score, h.title, h.shown, current=h.pk == assessment.pk) for h in history]
    return history_chart(points, title=_("Score history"), thresholds=thresholds)


# ----------------------------------------------------------------------------------------- report


def result_text(answer, lang: str) -> str:
    """'符合', '抽样 1/5', '部分 2.5'; '' when not answered."""
    if answer is None:
        return ""
    kind = ResultKind(answer.kind)
    text = RESULT_TEXT[kind].get(lang)
    if kind is ResultKind.SAMPLED:
        return f"{text} {answer.nonconforming}/{answer.sampled}"
    if kind is ResultKind.PARTIAL and answer.awarded is not None:
        return f"{text} {format_points(Fraction(answer.awarded))}"
    return text


def report_context(request, access: Access[Assessment], lang: str) -> dict:
    assessment = access.obj
    context = page_context(request, access, lang)
    rows = []
    for row in context["rows"]:
        if "item" in row:
            r = row["item"]
            rows.append({**row, "result": result_text(r["answer"], lang)})
        else:
            rows.append(row)
    specials = [
        {
            "bonus": s.type == SpecialFinding.Type.BONUS,
            "kind": DEDUCTION_TEXT[DeductionKind(s.kind)].get(lang) if s.kind else "",
            "reason": s.reason,
        }
        for s in context["specials"]
    ]
    return {
        "assessment": assessment,
        "enterprise": assessment.enterprise,
        "scheme": scheme_of(assessment.scheme_version),
        "scheme_title": scheme_of(assessment.scheme_version).title.get(lang),
        "panel": context["panel"],
        "rows": rows,
        "specials": specials,
        "category_chart": category_chart(context["panel"]),
        "history_chart": score_history_chart(assessment, lang),
        "generated_at": timezone.localtime(),
        "font_faces": font_faces(),
        "font_family": FONT_FAMILY,
    }

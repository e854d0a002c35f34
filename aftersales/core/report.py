"""Plain-data views of a score result (the CLI's --json, later the API), exact values as strings."""

from __future__ import annotations

from .display import format_points
from .scheme import Scheme
from .scoring import ScoreResult

TOP_GAPS = 10  # how many items the JSON's next_level.top_gaps lists


def fraction_str(value) -> str:
    """An exact value as 'p/q' (or 'p' when whole)."""
    return str(value)


def result_as_json(scheme: Scheme, r: ScoreResult, lang: str = "zh-Hans") -> dict:
    gap = r.gap
    return {
        "scheme": {
            "id": r.scheme_id,
            "version": r.scheme_version,
            "sha256": r.scheme_sha256,
            "reference": scheme.is_reference,
        },
        "score": r.display_score,
        "score_exact": fraction_str(r.score),
        "level": r.level.value,
        "score_level": r.score_level.value,
        "passed": r.passed,
        "fail_reasons": [
            {"code": f.code, "message": f.message(lang), **{k: str(v) for k, v in f.params.items()}}
            for f in r.fail_reasons
        ],
        "notes": [{"code": n.code, "message": n.message(lang)} for n in r.notes],
        "earned_points": format_points(r.earned),
        "applicable_points": format_points(r.applicable),
        "special_deductions": [{"kind": d.kind.value, "reason": d.reason} for d in r.deductions],
        "special_bonus": [{"reason": b.reason} for b in r.bonuses],
        "categories": [
            {
                "id": top.id,
                "code": top.code,
                "title": top.title.get(lang),
                "earned": format_points(r.nodes[top.id].earned),
                "applicable": format_points(r.nodes[top.id].applicable),
            }
            for top in scheme.nodes
        ],
        "items": [
            {
                "id": item.id,
                "earned": format_points(r.nodes[item.id].earned),
                "applicable": format_points(r.nodes[item.id].applicable),
            }
            for item in scheme.items
        ],
        "next_level": None
        if gap is None
        else {
            "level": gap.level.value,
            "points_needed": r.display_gap(gap.score_needed),
            "points_needed_exact": fraction_str(gap.score_needed),
            "item_points_needed": format_points(gap.points_needed),
            "top_gaps": [g.item_id for g in gap.top_gaps[:TOP_GAPS]],
            "items_to_reach": gap.items_to_reach,
            "blockers": [{"code": b.code, "message": b.message(lang)} for b in gap.blockers],
        },
    }

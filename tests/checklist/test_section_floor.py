"""SB/T 10401: every section must earn at least half of its applicable points, whatever the total."""

from __future__ import annotations

from fractions import Fraction

import pytest

from aftersales.core.scheme import get_scheme

from .fill import cli, export, fill, score_json

# A section just under half of its points; the total stays well above 70.
UNDER_FLOOR = {
    "sbt10401-2006-a1": ("A1.6", 30, Fraction("14.5")),
    "sbt10401-2006-a2": ("A2.4", 40, Fraction("19.5")),
}
SHARE = {"sbt10401-2006-a1": "48.33", "sbt10401-2006-a2": "48.75"}  # 14.5/30 and 19.5/40, rounded down


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("scheme_id", sorted(UNDER_FLOOR))
def test_it_fails_a_total_above_70_with_one_section_under_half(tmp_path, scheme_id, suffix):
    code, section_points, awarded = UNDER_FLOOR[scheme_id]
    assert get_scheme(scheme_id).node(code).points == section_points
    assert get_scheme(scheme_id).parameters.section_floor == Fraction(1, 2)
    sheet = fill(export(tmp_path, scheme_id, suffix), {code: {"result": "partial", "points_awarded": str(awarded)}})

    result = score_json(sheet.path, scheme_id)

    assert Fraction(result["score_exact"]) == 100 - section_points + awarded >= 70
    assert result["level"] == "fail"
    assert result["passed"] is False
    assert [r["code"] for r in result["fail_reasons"]] == ["section_below_floor"]
    reason = result["fail_reasons"][0]
    assert reason["section"] == code
    assert reason["share"] == SHARE[scheme_id]
    assert reason["points_short"] == "0.5"
    assert result["next_level"]["level"] == "qualified"


@pytest.mark.parametrize("scheme_id", sorted(UNDER_FLOOR))
def test_it_names_the_section_under_its_floor_in_the_report(tmp_path, scheme_id):
    code, _, awarded = UNDER_FLOOR[scheme_id]
    sheet = fill(export(tmp_path, scheme_id, ".csv"), {code: {"result": "partial", "points_awarded": str(awarded)}})

    zh = cli("score", sheet.path, "--scheme", scheme_id)
    en = cli("score", sheet.path, "--scheme", scheme_id, "--lang", "en")

    assert zh.exit_code == 0 and en.exit_code == 0
    assert "未达标" in zh.stdout
    assert f"{code} 客户投诉 得分率 {SHARE[scheme_id]}%，低于 50%（还差 0.5 分）" in zh.stdout
    assert "not qualified" in en.stdout
    assert (
        f"{code} Customer complaints earns {SHARE[scheme_id]}% of its points, below the floor of 50% (0.5 points short)"
    ) in en.stdout


@pytest.mark.parametrize("scheme_id", sorted(UNDER_FLOOR))
def test_it_passes_a_section_at_exactly_half(tmp_path, scheme_id):
    code, section_points, _ = UNDER_FLOOR[scheme_id]
    half = Fraction(section_points, 2)
    sheet = fill(export(tmp_path, scheme_id, ".csv"), {code: {"result": "partial", "points_awarded": str(half)}})

    result = score_json(sheet.path, scheme_id)

    assert result["level"] == "qualified"
    assert result["fail_reasons"] == []


def test_it_applies_the_floor_to_the_applicable_points_of_a_section(tmp_path):
    # A1.4 excluded: its section is skipped, the others still need half of their points.
    sheet = fill(
        export(tmp_path, "sbt10401-2006-a1", ".csv"),
        {"A1.4": {"result": "na", "reason": "不提供配送安装"}, "A1.8": {"result": "nonconform"}},
    )

    result = score_json(sheet.path, "sbt10401-2006-a1")

    assert Fraction(result["score_exact"]) == Fraction(80, 90) * 100
    assert result["level"] == "fail"
    assert [(r["code"], r["section"]) for r in result["fail_reasons"]] == [("section_below_floor", "A1.8")]

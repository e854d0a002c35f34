"""`aftersales score --json`: the documented keys, exact values, and the scheme's SHA-256."""

from __future__ import annotations

import hashlib
from fractions import Fraction

import pytest

from aftersales.core.scheme import get_scheme

from .fill import SCHEME_IDS, export, fill, scheme_file, score_json

TOP_KEYS = {
    "scheme",
    "score",
    "score_exact",
    "level",
    "passed",
    "fail_reasons",
    "earned_points",
    "applicable_points",
    "special_deductions",
    "special_bonus",
    "categories",
    "items",
    "next_level",
}


def mixed(scheme_id: str) -> dict:
    """A fill below the top level, so next_level is set; one item of each top-level node loses."""
    s = get_scheme(scheme_id)
    first_items = [next(iter(top.items())) for top in s.nodes]
    return {item.code: {"result": "nonconform"} for item in first_items[:2]}


@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_it_prints_exactly_the_documented_keys(tmp_path, scheme_id):
    s = get_scheme(scheme_id)
    sheet = fill(
        export(tmp_path, scheme_id, ".csv"),
        mixed(scheme_id),
        extra=[{"item": "special_deduction", "result": "disruption", "reason": "停机两天"}],
    )

    result = score_json(sheet.path, scheme_id)

    assert result.keys() >= TOP_KEYS
    assert {"id", "version", "sha256"} <= result["scheme"].keys()
    assert (result["scheme"]["id"], result["scheme"]["version"]) == (s.id, s.version)
    assert isinstance(result["passed"], bool)
    for key in ("score", "score_exact", "level", "earned_points", "applicable_points"):
        assert isinstance(result[key], str), key
    assert isinstance(result["fail_reasons"], list)
    assert result["special_deductions"] == [{"kind": "disruption", "reason": "停机两天"}]
    assert result["special_bonus"] == []

    assert [c["id"] for c in result["categories"]] == [top.id for top in s.nodes]
    for category in result["categories"]:
        assert {"id", "title", "earned", "applicable"} <= category.keys()
    assert [i["id"] for i in result["items"]] == [item.id for item in s.items]
    for item in result["items"]:
        assert {"id", "earned", "applicable"} <= item.keys()

    next_level = result["next_level"]
    assert {"level", "points_needed", "top_gaps"} <= next_level.keys()
    assert isinstance(next_level["top_gaps"], list) and next_level["top_gaps"]
    assert set(next_level["top_gaps"]) <= {item.id for item in s.items}


@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_it_gives_the_sha256_of_the_scheme_file_bytes(tmp_path, scheme_id):
    sheet = fill(export(tmp_path, scheme_id, ".csv"))

    result = score_json(sheet.path, scheme_id)

    assert result["scheme"]["sha256"] == hashlib.sha256(scheme_file(scheme_id).read_bytes()).hexdigest()


def test_it_gives_the_sha256_of_a_scheme_given_by_path(tmp_path):
    copy = tmp_path / "a2-copy.yaml"
    copy.write_bytes(scheme_file("sbt10401-2006-a2").read_bytes() + b"\n# a comment changes the bytes\n")
    sheet = fill(export(tmp_path, "sbt10401-2006-a2", ".csv"))

    result = score_json(sheet.path, str(copy))

    assert result["scheme"]["sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()
    assert result["scheme"]["sha256"] != hashlib.sha256(scheme_file("sbt10401-2006-a2").read_bytes()).hexdigest()


def test_it_adds_category_points_from_their_items(tmp_path):
    gbt = "gbt27922-2011"
    sheet = fill(
        export(tmp_path, gbt, ".xlsx"),
        {
            "5.1.3.1": {"result": "nonconform"},
            "5.3.1.3": {"result": "sampled", "sampled": 4, "nonconforming": 1},
            "5.2.4.3": {"result": "na", "reason": "不涉及备件"},
        },
    )

    result = score_json(sheet.path, gbt)

    categories = {c["id"]: (Fraction(c["earned"]), Fraction(c["applicable"])) for c in result["categories"]}
    assert categories == {
        f"{gbt}:5.1": (40 - 2, 40),
        f"{gbt}:5.2": (35 - 2, 35 - 2),
        f"{gbt}:5.3": (25 - 1, 25),
    }
    for category in result["categories"]:
        assert category["title"] in {"售后服务体系", "商品服务", "顾客服务"}


def test_it_lists_the_costliest_gaps_first(tmp_path):
    gbt = "gbt27922-2011"
    sheet = fill(
        export(tmp_path, gbt, ".csv"),
        {
            "5.1.6.1": {"result": "nonconform"},  # 1 point
            "5.1.2.2": {"result": "nonconform"},  # 5 points
            "5.1.4.1": {"result": "nonconform"},  # 4 points
            "5.1.3.1": {"result": "nonconform"},  # 2 points
        },
    )

    result = score_json(sheet.path, gbt)

    assert result["score_exact"] == "88"
    assert result["level"] == "three_star"
    assert result["next_level"]["level"] == "four_star"
    assert result["next_level"]["points_needed"] == "2.00"
    assert result["next_level"]["top_gaps"] == [f"{gbt}:{c}" for c in ("5.1.2.2", "5.1.4.1", "5.1.3.1", "5.1.6.1")]


def test_it_has_no_next_level_at_the_top(tmp_path):
    sheet = fill(export(tmp_path, "gbt27922-2011", ".csv"))

    assert score_json(sheet.path, "gbt27922-2011")["next_level"] is None


WORKED_EXAMPLE = """item,result,points_awarded,reason
A1.1,partial,5,
A1.2,partial,4.5,
A1.3,partial,7,
A1.4,na,,由经销商负责配送安装，本企业不提供
A1.5,partial,16,
A1.6,partial,14.5,投诉记录不完整
A1.7,partial,8,
A1.8,partial,9,
special_deduction,law,,未在经营场所公示三包规定
"""


def test_it_scores_the_worked_example_of_docs_scoring_md(tmp_path):
    path = tmp_path / "example.csv"
    path.write_text(WORKED_EXAMPLE, encoding="utf-8")

    result = score_json(path, "sbt10401-2006-a1")

    assert result["score"] == "70.11"
    assert result["score_exact"] == "631/9"
    assert result["level"] == "fail"
    assert result["passed"] is False
    assert result["earned_points"] == "64"
    assert result["applicable_points"] == "90"
    assert [r["code"] for r in result["fail_reasons"]] == ["section_below_floor"]
    assert result["next_level"]["level"] == "qualified"
    assert result["next_level"]["points_needed"] == "0.00"


def test_it_gives_fail_reasons_in_the_form_the_docs_show(tmp_path):
    path = tmp_path / "example.csv"
    path.write_text(WORKED_EXAMPLE, encoding="utf-8")

    result = score_json(path, "sbt10401-2006-a1")

    (reason,) = result["fail_reasons"]
    assert {k: reason[k] for k in ("code", "section", "share", "floor", "points_short")} == {
        "code": "section_below_floor",
        "section": "A1.6",
        "share": "48.33",
        "floor": "50",
        "points_short": "0.5",
    }
    assert "A1.6" in reason["message"]

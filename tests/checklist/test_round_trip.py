"""Export a checklist with the CLI, fill it in, score it: .xlsx and .csv, every shipped scheme."""

from __future__ import annotations

from fractions import Fraction

import pytest

from aftersales.core.scheme import get_scheme

from .fill import SCHEME_IDS, export, fill, score_json

SUFFIXES = (".xlsx", ".csv")
TOP_LEVEL = {"gbt27922-2011": "five_star", "sbt10401-2006-a1": "qualified", "sbt10401-2006-a2": "qualified"}


def points(scheme_id: str, code: str) -> Fraction:
    return get_scheme(scheme_id).node(code).points


def shown(value: Fraction) -> str:
    """Two decimals, rounded down (the shipped schemes' display rule), computed independently."""
    hundredths = value.numerator * 100 // value.denominator
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("scheme_id", SCHEME_IDS)
def test_it_scores_an_all_conform_checklist_100_at_the_top_level(tmp_path, scheme_id, suffix):
    sheet = fill(export(tmp_path, scheme_id, suffix))

    result = score_json(sheet.path, scheme_id)

    assert result["score"] == "100.00"
    assert result["score_exact"] == "100"
    assert result["level"] == TOP_LEVEL[scheme_id]
    assert result["passed"] is True
    assert result["fail_reasons"] == []
    assert result["earned_points"] == result["applicable_points"] == "100"


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_it_scores_a_mixed_gbt_checklist_exactly(tmp_path, suffix):
    gbt = "gbt27922-2011"
    s = get_scheme(gbt)
    # The flags the fill relies on.
    assert not s.node("5.1.1.1").sampled and not s.node("5.1.1.1").excludable
    assert s.node("5.1.2.2").sampled and s.node("5.3.2.2").sampled
    assert s.node("5.2.6.1").excludable
    answers = {
        "5.1.1.1": {"result": "nonconform", "reason": "未设专门部门"},
        "5.1.2.2": {"result": "sampled", "sampled": 8, "nonconforming": 3},
        "5.3.2.2": {"result": "抽样", "sampled": 7, "nonconforming": 1},
        "5.2.6.1": {"result": "na", "reason": "不销售可回收的商品"},
    }
    specials = [
        {"item": "special_deduction", "result": "law", "reason": "未公示三包规定"},
        {"item": "special_bonus", "reason": "全国联保，24 小时响应"},
    ]
    sheet = fill(export(tmp_path, gbt, suffix), answers, extra=specials)

    result = score_json(sheet.path, gbt)

    total = sum(points(gbt, item.code) for item in s.items)
    lost = points(gbt, "5.1.1.1") + points(gbt, "5.1.2.2") * Fraction(3, 8) + points(gbt, "5.3.2.2") * Fraction(1, 7)
    applicable = total - points(gbt, "5.2.6.1")
    earned = applicable - lost
    expected = earned / applicable * 100 - 1 + 1  # one special deduction, one special bonus
    assert total == 100
    assert Fraction(result["score_exact"]) == expected
    assert result["score"] == shown(expected)
    assert result["earned_points"] == "5183/56"  # 95 − 3·5/8 − 4/7
    assert result["applicable_points"] == "98"
    assert result["level"] == "four_star"  # 94.44…
    assert [d["kind"] for d in result["special_deductions"]] == ["law"]
    assert len(result["special_bonus"]) == 1
    items = {i["id"]: i for i in result["items"]}
    assert items["gbt27922-2011:5.2.6.1"] == {"id": "gbt27922-2011:5.2.6.1", "earned": "0", "applicable": "0"}
    assert Fraction(items["gbt27922-2011:5.1.2.2"]["earned"]) == points(gbt, "5.1.2.2") * Fraction(5, 8)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_it_scores_a_mixed_sbt_a1_checklist_exactly(tmp_path, suffix):
    a1 = "sbt10401-2006-a1"
    s = get_scheme(a1)
    assert s.node("A1.4").excludable
    assert all(s.node(c).partial for c in ("A1.2", "A1.5", "A1.6", "A1.8"))
    answers = {
        "A1.2": {"result": "partial", "points_awarded": 4.5},
        "A1.4": {"result": "不适用", "reason": "由经销商负责配送安装"},
        "A1.5": {"result": "部分", "points_awarded": 15},
        "A1.6": {"result": "partial", "points_awarded": 20.5},
        "A1.8": {"result": "partial", "points_awarded": 7},
    }
    specials = [{"item": "特别扣分项", "result": "法律法规", "reason": "未公示三包规定"}]
    sheet = fill(export(tmp_path, a1, suffix), answers, extra=specials)

    result = score_json(sheet.path, a1)

    earned = points(a1, "A1.1") + Fraction("4.5") + points(a1, "A1.3") + 15 + Fraction("20.5") + points(a1, "A1.7") + 7
    applicable = 100 - points(a1, "A1.4")
    expected = earned / applicable * 100 - 1
    assert (earned, applicable) == (71, 90)
    assert Fraction(result["score_exact"]) == expected == Fraction(701, 9)
    assert result["score"] == shown(expected) == "77.88"
    assert result["level"] == "qualified"
    assert result["passed"] is True


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_it_scores_a_mixed_sbt_a2_checklist_exactly(tmp_path, suffix):
    a2 = "sbt10401-2006-a2"
    answers = {
        "A2.1": {"result": "partial", "points_awarded": 11.5},
        "A2.3": {"result": "partial", "points_awarded": 13},
        "A2.4": {"result": "partial", "points_awarded": 29},
        "A2.5": {"result": "partial", "points_awarded": "9.25"},
    }
    specials = [
        {"item": "special_deduction", "result": "own_rules", "reason": "未按制度回访"},
        {"item": "special_deduction", "result": "industry", "reason": "未执行行业规范"},
    ]
    sheet = fill(export(tmp_path, a2, suffix), answers, extra=specials)

    result = score_json(sheet.path, a2)

    earned = Fraction("11.5") + points(a2, "A2.2") + 13 + 29 + Fraction("9.25")
    applicable = sum(points(a2, c) for c in ("A2.1", "A2.2", "A2.3", "A2.4", "A2.5"))
    expected = earned / applicable * 100 - 2
    assert Fraction(result["score_exact"]) == expected == Fraction("72.75")
    assert result["score"] == "72.75"
    assert result["earned_points"] == "74.75"
    assert result["level"] == "qualified"


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_it_clamps_a_full_score_with_the_bonus_to_100(tmp_path, suffix):
    sheet = fill(
        export(tmp_path, "gbt27922-2011", suffix),
        extra=[{"item": "special_bonus", "reason": "服务创新"}],
    )

    result = score_json(sheet.path, "gbt27922-2011")

    assert result["score_exact"] == "100"
    assert result["level"] == "five_star"


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_it_fails_gbt_at_five_special_deductions_whatever_the_score(tmp_path, suffix):
    deductions = [
        {"item": "special_deduction", "result": kind, "reason": f"发现 {i}"}
        for i, kind in enumerate(["law", "own_rules", "industry", "disruption", "law"])
    ]
    sheet = fill(export(tmp_path, "gbt27922-2011", suffix), extra=deductions)

    result = score_json(sheet.path, "gbt27922-2011")

    assert result["score_exact"] == "95"
    assert result["level"] == "fail"
    assert [r["code"] for r in result["fail_reasons"]] == ["too_many_special_deductions"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_it_reads_permanent_ids_in_the_item_column(tmp_path, suffix):
    path = export(tmp_path, "sbt10401-2006-a2", suffix)
    sheet = fill(path, extra=[])
    # Rewrite one code as its permanent id: the score is the same.
    if suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig").replace("\r\nA2.3,", "\r\nsbt10401-2006-a2:A2.3,")
        path.write_bytes(text.encode("utf-8-sig"))
    else:
        from openpyxl import load_workbook

        wb = load_workbook(path)
        ws = wb.worksheets[0]
        ws.cell(row=sheet.rows["A2.3"], column=1).value = "sbt10401-2006-a2:A2.3"
        wb.save(path)

    assert score_json(path, "sbt10401-2006-a2")["score_exact"] == "100"

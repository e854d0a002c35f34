"""CSV encodings (UTF-8, UTF-8 with BOM, GBK) and result words (Chinese or English) score the same."""

from __future__ import annotations

from fractions import Fraction

import pytest

from .fill import export, fill, score_json

GBT = "gbt27922-2011"
REASON = "本企业不销售需回收的商品，由厂家统一回收"
DEDUCTION_REASON = "未在经营场所公示三包规定"

ZH_WORDS = {
    "5.1.1.1": {"result": "不符合", "reason": "未设专门部门"},
    "5.1.2.2": {"result": "抽样", "sampled": 10, "nonconforming": 3},
    "5.2.6.1": {"result": "不适用", "reason": REASON},
    "5.2.6.2": {"result": "不适用", "reason": REASON},
}
EN_WORDS = {
    "5.1.1.1": {"result": "nonconform", "reason": "未设专门部门"},
    "5.1.2.2": {"result": "sampled", "sampled": 10, "nonconforming": 3},
    "5.2.6.1": {"result": "na", "reason": REASON},
    "5.2.6.2": {"result": "na", "reason": REASON},
}
ZH_SPECIALS = [{"item": "特别扣分项", "result": "法律法规", "reason": DEDUCTION_REASON}]
EN_SPECIALS = [{"item": "special_deduction", "result": "law", "reason": DEDUCTION_REASON}]
ZH_DEFAULT = {"result": "符合"}
EN_DEFAULT = {"result": "conform"}


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_it_scores_utf8_utf8_bom_and_gbk_the_same(tmp_path, lang):
    blank = export(tmp_path, GBT, ".csv", lang=lang)
    scored = {}
    for encoding in ("utf-8", "utf-8-sig", "gbk"):
        sheet = fill(
            blank,
            ZH_WORDS,
            default=ZH_DEFAULT,
            extra=ZH_SPECIALS,
            encoding=encoding,
            out=tmp_path / f"filled-{encoding}.csv",
        )
        scored[encoding] = score_json(sheet.path, GBT)

    # The files really differ in their bytes.
    utf8 = (tmp_path / "filled-utf-8.csv").read_bytes()
    assert not utf8.startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "filled-utf-8-sig.csv").read_bytes() == b"\xef\xbb\xbf" + utf8
    gbk = (tmp_path / "filled-gbk.csv").read_bytes()
    assert "符合".encode("gbk") in gbk and "符合".encode() not in gbk

    assert scored["utf-8"] == scored["utf-8-sig"] == scored["gbk"]
    result = scored["gbk"]
    assert result["special_deductions"] == [{"kind": "law", "reason": DEDUCTION_REASON}]
    # 100 − 3 (5.1.1.1) − 5·3/10 (5.1.2.2) of 100 − 3 (5.2.6 excluded), minus 1 special deduction
    assert result["earned_points"] == "92.5"
    assert result["applicable_points"] == "97"
    assert Fraction(result["score_exact"]) == Fraction("92.5") / 97 * 100 - 1


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_takes_chinese_and_english_result_words_alike(tmp_path, suffix):
    blank = export(tmp_path, GBT, suffix)
    zh = fill(blank, ZH_WORDS, default=ZH_DEFAULT, extra=ZH_SPECIALS, out=tmp_path / f"zh{suffix}")
    en = fill(blank, EN_WORDS, default=EN_DEFAULT, extra=EN_SPECIALS, out=tmp_path / f"en{suffix}")

    assert score_json(zh.path, GBT) == score_json(en.path, GBT)


@pytest.mark.parametrize(
    ("word", "points_awarded"),
    [("部分", "4"), ("partial", "4"), ("Partial", "4"), (" PARTIAL ", "4")],
)
def test_it_takes_partial_in_either_language_and_any_case(tmp_path, word, points_awarded):
    sheet = fill(
        export(tmp_path, "sbt10401-2006-a1", ".csv"), {"A1.1": {"result": word, "points_awarded": points_awarded}}
    )

    assert score_json(sheet.path, "sbt10401-2006-a1")["score_exact"] == "98"


@pytest.mark.parametrize("word", ["na", "NA", "n/a", "N/A", "不适用"])
def test_it_takes_every_spelling_of_not_applicable(tmp_path, word):
    sheet = fill(export(tmp_path, "sbt10401-2006-a1", ".csv"), {"A1.4": {"result": word, "reason": "不配送"}})

    result = score_json(sheet.path, "sbt10401-2006-a1")

    assert result["applicable_points"] == "90"
    assert result["score_exact"] == "100"


@pytest.mark.parametrize(
    ("kind_word", "kind"),
    [
        ("法律法规", "law"),
        ("企业制度", "own_rules"),
        ("行业要求", "industry"),
        ("体系运行", "disruption"),
        ("违反法律法规", "law"),
        ("own_rules", "own_rules"),
        ("DISRUPTION", "disruption"),
    ],
)
def test_it_takes_special_deduction_kinds_in_either_language(tmp_path, kind_word, kind):
    sheet = fill(
        export(tmp_path, "sbt10401-2006-a2", ".csv"),
        encoding="gbk",
        extra=[{"item": "special_deduction", "result": kind_word, "reason": "事实"}],
    )

    result = score_json(sheet.path, "sbt10401-2006-a2")

    assert result["special_deductions"] == [{"kind": kind, "reason": "事实"}]
    assert result["score_exact"] == "99"


def test_it_reads_a_bare_header_and_only_the_columns_it_needs(tmp_path):
    # The docs' short form: bare English header names, a subset of the columns, CRLF-free, no BOM.
    path = tmp_path / "short.csv"
    rows = ["item,result,points_awarded,reason"] + [f"A2.{i},conform,," for i in range(1, 6)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    zh_path = tmp_path / "short-zh.csv"
    zh_rows = ["条款,结果,得分,理由/备注"] + [f"A2.{i},符合,," for i in range(1, 6)]
    zh_path.write_bytes(("\r\n".join(zh_rows) + "\r\n").encode("gbk"))

    assert score_json(path, "sbt10401-2006-a2")["score_exact"] == "100"
    assert score_json(zh_path, "sbt10401-2006-a2")["score_exact"] == "100"

"""Bad checklists: exit status 2, every problem listed at once with its row and column, nothing scored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from aftersales.core.scheme import get_scheme

from .fill import cli, export, fill, problems_json

GBT = "gbt27922-2011"
A1 = "sbt10401-2006-a1"
A2 = "sbt10401-2006-a2"


@dataclass
class Case:
    path: Path
    scheme: str
    expected: list[tuple[str, int | None, str | None]]  # (code, row, column) of every problem
    zh: list[str]  # text each problem's line must hold (zh-Hans)
    en: list[str]  # the same in English


def located(row: int | None, column: str | None, lang: str) -> str:
    if lang == "en":
        return ", ".join(p for p in (row and f"row {row}", column and f"column {column}") if p)
    return "，".join(p for p in (row and f"第 {row} 行", column and f"列 {column}") if p)


def test_it_ships_the_flags_these_cases_rely_on():
    s = get_scheme(GBT)
    assert not s.node("5.1.4.1").excludable
    assert s.node("5.2.6.1").excludable
    assert s.node("5.1.2.1").sampled and s.node("5.1.2.2").sampled
    assert s.parameters.special_bonus_max == 1
    assert get_scheme(A1).parameters.special_bonus_max == 0
    assert get_scheme(A2).parameters.special_bonus_max == 0


# ------------------------------------------------------------------------------ one problem each


def unknown_item(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), extra=[{"item": "5.1.9.9", "result": "conform"}])
    row = sheet.extra_rows[0]
    return Case(
        sheet.path,
        GBT,
        [("item_unknown", row, "item")],
        [f"第 {row} 行，列 item: 方案中没有条款 “5.1.9.9”"],
        [f"row {row}, column item: no item '5.1.9.9' in the scheme"],
    )


def missing_item(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), drop=["5.1.3.1"])
    return Case(
        sheet.path,
        GBT,
        [("item_missing", None, "item")],
        ["缺少条款 5.1.3.1 的评价结果"],
        ["no result for item 5.1.3.1"],
    )


def unknown_result(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), {"5.1.1.1": {"result": "maybe"}})
    row = sheet.rows["5.1.1.1"]
    assert row == 4  # header, 5.1, 5.1.1, then 5.1.1.1
    return Case(
        sheet.path,
        GBT,
        [("result_unknown", 4, "result")],
        ["第 4 行，列 result: 无法识别的结果 “maybe”"],
        ["row 4, column result: unknown result 'maybe'"],
    )


def sampled_without_counts(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), {"5.1.2.1": {"result": "sampled"}})
    row = sheet.rows["5.1.2.1"]
    return Case(
        sheet.path,
        GBT,
        [("sampled_counts_missing", row, "sampled")],
        [f"第 {row} 行，列 sampled: 抽样结果须填写抽样数和不符合数"],
        [f"row {row}, column sampled: a sampled result needs the sample size and the nonconforming count"],
    )


def sampled_k_above_n(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), {"5.1.2.2": {"result": "sampled", "sampled": 3, "nonconforming": 4}})
    row = sheet.rows["5.1.2.2"]
    return Case(
        sheet.path,
        GBT,
        [("nonconforming_invalid", row, "nonconforming")],
        [f"第 {row} 行，列 nonconforming: 不符合数 “4” 须为 0 到抽样数 3 之间的整数"],
        [f"row {row}, column nonconforming: nonconforming count '4' must be an integer from 0 to the sample size 3"],
    )


def na_not_excludable(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), {"5.1.4.1": {"result": "na", "reason": "不需要"}})
    row = sheet.rows["5.1.4.1"]
    return Case(
        sheet.path,
        GBT,
        [("na_not_excludable", row, "result")],
        [f"第 {row} 行，列 result: 条款 5.1.4.1 不可删减（不适用）"],
        [f"row {row}, column result: item 5.1.4.1 cannot be excluded (not applicable)"],
    )


def na_without_reason(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), {"5.2.6.1": {"result": "不适用"}})
    row = sheet.rows["5.2.6.1"]
    return Case(
        sheet.path,
        GBT,
        [("na_needs_reason", row, "reason")],
        [f"第 {row} 行，列 reason: 不适用（删减）须填写理由"],
        [f"row {row}, column reason: not applicable (exclusion) needs a reason"],
    )


def two_bonus_rows_on_gbt(tmp_path, suffix):
    sheet = fill(
        export(tmp_path, GBT, suffix),
        extra=[
            {"item": "special_bonus", "reason": "24 小时响应"},
            {"item": "特别加分项", "reason": "以旧换新"},
        ],
    )
    row = sheet.extra_rows[1]
    return Case(
        sheet.path,
        GBT,
        [("bonus_too_many", row, "item")],
        [f"第 {row} 行，列 item: 特别加分项最多 1 项，此处为第 2 项"],
        [f"row {row}, column item: at most 1 special bonus allowed; this is number 2"],
    )


def one_bonus_row_on_sbt_a1(tmp_path, suffix):
    sheet = fill(export(tmp_path, A1, suffix), extra=[{"item": "special_bonus", "reason": "服务创新"}])
    row = sheet.extra_rows[0]
    return Case(
        sheet.path,
        A1,
        [("bonus_too_many", row, "item")],
        [f"第 {row} 行，列 item: 特别加分项最多 0 项，此处为第 1 项"],
        [f"row {row}, column item: at most 0 special bonus allowed; this is number 1"],
    )


def one_bonus_row_on_sbt_a2(tmp_path, suffix):
    sheet = fill(export(tmp_path, A2, suffix), extra=[{"item": "special_bonus", "reason": "服务创新"}])
    row = sheet.extra_rows[0]
    return Case(
        sheet.path,
        A2,
        [("bonus_too_many", row, "item")],
        [f"第 {row} 行，列 item: 特别加分项最多 0 项"],
        [f"row {row}, column item: at most 0 special bonus"],
    )


def deduction_of_unknown_kind(tmp_path, suffix):
    sheet = fill(
        export(tmp_path, GBT, suffix),
        extra=[
            {"item": "special_deduction", "result": "speeding", "reason": "超速"},
        ],
    )
    row = sheet.extra_rows[0]
    return Case(
        sheet.path,
        GBT,
        [("deduction_kind_unknown", row, "result")],
        [f"第 {row} 行，列 result: 特别扣分项类别 “speeding” 无法识别"],
        [f"row {row}, column result: unknown special-deduction kind 'speeding'"],
    )


def duplicate_item(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), extra=[{"item": "5.1.1.2", "result": "conform"}])
    first, row = sheet.rows["5.1.1.2"], sheet.extra_rows[0]
    return Case(
        sheet.path,
        GBT,
        [("item_duplicate", row, "item")],
        [f"第 {row} 行，列 item: 条款 5.1.1.2 出现多次（首次在第 {first} 行）"],
        [f"row {row}, column item: item 5.1.1.2 appears more than once (first in row {first})"],
    )


def result_missing(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), {"5.3.2.4": {"result": None, "reason": "待定"}})
    row = sheet.rows["5.3.2.4"]
    return Case(
        sheet.path,
        GBT,
        [("result_missing", row, "result")],
        [f"第 {row} 行，列 result: 未填写评价结果"],
        [f"row {row}, column result: the result is empty"],
    )


def partial_on_an_all_or_nothing_item(tmp_path, suffix):
    assert not get_scheme(GBT).node("5.1.1.1").partial
    sheet = fill(export(tmp_path, GBT, suffix), {"5.1.1.1": {"result": "partial", "points_awarded": 1}})
    row = sheet.rows["5.1.1.1"]
    return Case(
        sheet.path,
        GBT,
        [("partial_not_allowed", row, "result")],
        [f"第 {row} 行，列 result: 条款 5.1.1.1 不允许部分得分"],
        [f"row {row}, column result: item 5.1.1.1 does not allow partial points"],
    )


def partial_above_the_points(tmp_path, suffix):
    sheet = fill(export(tmp_path, A1, suffix), {"A1.1": {"result": "partial", "points_awarded": 6.5}})
    row = sheet.rows["A1.1"]
    return Case(
        sheet.path,
        A1,
        [("partial_out_of_range", row, "points_awarded")],
        [f"第 {row} 行，列 points_awarded: 得分 “6.5” 须在 0 到 6 之间"],
        [f"row {row}, column points_awarded: points awarded '6.5' must be between 0 and 6"],
    )


def partial_without_points(tmp_path, suffix):
    sheet = fill(export(tmp_path, A2, suffix), {"A2.3": {"result": "partial"}})
    row = sheet.rows["A2.3"]
    return Case(
        sheet.path,
        A2,
        [("partial_missing", row, "points_awarded")],
        [f"第 {row} 行，列 points_awarded: 部分得分须填写得分"],
        [f"row {row}, column points_awarded: a partial result needs the points awarded"],
    )


def sampled_on_an_unsampled_item(tmp_path, suffix):
    assert not get_scheme(GBT).node("5.1.3.1").sampled
    sheet = fill(export(tmp_path, GBT, suffix), {"5.1.3.1": {"result": "sampled", "sampled": 4, "nonconforming": 1}})
    row = sheet.rows["5.1.3.1"]
    return Case(
        sheet.path,
        GBT,
        [("sampled_not_allowed", row, "result")],
        [f"第 {row} 行，列 result: 条款 5.1.3.1 不按抽样计分"],
        [f"row {row}, column result: item 5.1.3.1 is not scored on samples"],
    )


def sampled_of_nothing(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), {"5.1.2.2": {"result": "sampled", "sampled": 0, "nonconforming": 0}})
    row = sheet.rows["5.1.2.2"]
    return Case(
        sheet.path,
        GBT,
        [("sampled_size_invalid", row, "sampled")],
        [f"第 {row} 行，列 sampled: 抽样数 “0” 须为正整数"],
        [f"row {row}, column sampled: sample size '0' must be a positive integer"],
    )


def counts_on_a_conform_item(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), {"5.1.2.2": {"result": "conform", "sampled": 5}})
    row = sheet.rows["5.1.2.2"]
    return Case(
        sheet.path,
        GBT,
        [("value_not_expected", row, "sampled")],
        [f"第 {row} 行，列 sampled: 结果为 “conform” 时此栏应为空"],
        [f"row {row}, column sampled: this column must be empty when the result is 'conform'"],
    )


def deduction_without_reason(tmp_path, suffix):
    sheet = fill(export(tmp_path, A1, suffix), extra=[{"item": "special_deduction", "result": "law"}])
    row = sheet.extra_rows[0]
    return Case(
        sheet.path,
        A1,
        [("deduction_needs_reason", row, "reason")],
        [f"第 {row} 行，列 reason: 特别扣分项须填写事实和理由"],
        [f"row {row}, column reason: a special deduction needs a reason"],
    )


def bonus_without_reason(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, suffix), extra=[{"item": "special_bonus"}])
    row = sheet.extra_rows[0]
    return Case(
        sheet.path,
        GBT,
        [("bonus_needs_reason", row, "reason")],
        [f"第 {row} 行，列 reason: 特别加分项须填写理由"],
        [f"row {row}, column reason: a special bonus needs a reason"],
    )


ROW_CASES = [
    duplicate_item,
    result_missing,
    partial_on_an_all_or_nothing_item,
    partial_above_the_points,
    partial_without_points,
    sampled_on_an_unsampled_item,
    sampled_of_nothing,
    counts_on_a_conform_item,
    deduction_without_reason,
    bonus_without_reason,
    unknown_item,
    missing_item,
    unknown_result,
    sampled_without_counts,
    sampled_k_above_n,
    na_not_excludable,
    na_without_reason,
    two_bonus_rows_on_gbt,
    one_bonus_row_on_sbt_a1,
    one_bonus_row_on_sbt_a2,
    deduction_of_unknown_kind,
]


# --------------------------------------------------------------------------------- file problems


def xlsx_that_is_text(tmp_path, suffix):
    path = tmp_path / "checklist.xlsx"
    path.write_text("item,result\n5.1.1.1,conform\n", encoding="utf-8")
    return Case(
        path, GBT, [("file_unreadable", None, None)], [f"{path}: 无法读取文件："], [f"{path}: cannot read the file:"]
    )


def txt_suffix(tmp_path, suffix):
    path = fill(export(tmp_path, GBT, ".csv")).path.rename(tmp_path / "checklist.txt")
    return Case(
        path,
        GBT,
        [("file_type_unknown", None, None)],
        [f"{path}: 不支持的文件类型 “.txt”，请使用 .xlsx 或 .csv"],
        [f"{path}: unsupported file type '.txt': use .xlsx or .csv"],
    )


def missing_file(tmp_path, suffix):
    path = tmp_path / f"nowhere{suffix}"
    return Case(
        path, GBT, [("file_unreadable", None, None)], [f"{path}: 无法读取文件："], [f"{path}: cannot read the file:"]
    )


def csv_without_result_column(tmp_path, suffix):
    sheet = fill(export(tmp_path, GBT, ".csv"), drop_columns=["result"])
    return Case(
        sheet.path,
        GBT,
        [("header_missing", 1, "result")],
        ["第 1 行，列 result: 缺少列 “result”"],
        ["row 1, column result: missing column 'result'"],
    )


FILE_CASES = [xlsx_that_is_text, txt_suffix, missing_file, csv_without_result_column]

CASES = [
    pytest.param(case, suffix, id=f"{case.__name__}{suffix}") for case in ROW_CASES for suffix in (".csv", ".xlsx")
]
CASES += [pytest.param(case, ".xlsx" if case is missing_file else "", id=case.__name__) for case in FILE_CASES]
CASES += [pytest.param(missing_file, ".csv", id="missing_file.csv")]


@pytest.mark.parametrize(("make", "suffix"), CASES)
def test_it_exits_2_and_gives_the_row_and_column_of_the_problem(tmp_path, make, suffix):
    case = make(tmp_path, suffix)

    problems = problems_json(case.path, case.scheme)

    assert [(p["code"], p["row"], p["column"]) for p in problems] == case.expected


@pytest.mark.parametrize(("make", "suffix"), CASES)
def test_it_prints_the_problem_in_chinese_by_default(tmp_path, make, suffix):
    case = make(tmp_path, suffix)

    result = cli("score", case.path, "--scheme", case.scheme)

    assert result.exit_code == 2
    assert result.stdout == ""  # nothing was scored
    assert f"文件有 {len(case.expected)} 处问题，未计分" in result.stderr
    for text in case.zh:
        assert text in result.stderr
    assert not re.search(r"\brow \d+|\bcolumn [a-z]", result.stderr)


@pytest.mark.parametrize(("make", "suffix"), CASES)
def test_it_prints_the_problem_in_english_with_lang_en(tmp_path, make, suffix):
    case = make(tmp_path, suffix)

    result = cli("score", case.path, "--scheme", case.scheme, "--lang", "en")

    assert result.exit_code == 2
    assert result.stdout == ""
    n = len(case.expected)
    assert (f"{n} problems" if n > 1 else "1 problem") + " in the file, nothing was scored" in result.stderr
    for text in case.en:
        assert text in result.stderr
    assert not re.search(r"第 \d+ 行|列 [a-z]", result.stderr)


# --------------------------------------------------------------------------- all problems at once


def many_problems(tmp_path, suffix):
    answers = {
        "5.1.1.1": {"result": "maybe"},
        "5.1.2.1": {"result": "sampled"},
        "5.1.2.2": {"result": "sampled", "sampled": 3, "nonconforming": 4},
        "5.1.4.1": {"result": "na", "reason": "不需要"},
        "5.2.6.1": {"result": "na"},
    }
    extra = [
        {"item": "5.1.9.9", "result": "conform"},
        {"item": "special_bonus", "reason": "24 小时响应"},
        {"item": "special_bonus", "reason": "以旧换新"},
        {"item": "special_deduction", "result": "speeding", "reason": "超速"},
    ]
    sheet = fill(export(tmp_path, GBT, suffix), answers, extra=extra, drop=["5.1.3.1"])
    r, x = sheet.rows, sheet.extra_rows
    expected = {
        ("result_unknown", r["5.1.1.1"], "result"),
        ("sampled_counts_missing", r["5.1.2.1"], "sampled"),
        ("nonconforming_invalid", r["5.1.2.2"], "nonconforming"),
        ("na_not_excludable", r["5.1.4.1"], "result"),
        ("na_needs_reason", r["5.2.6.1"], "reason"),
        ("item_unknown", x[0], "item"),
        ("bonus_too_many", x[2], "item"),
        ("deduction_kind_unknown", x[3], "result"),
        ("item_missing", None, "item"),
    }
    return sheet, expected


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_lists_every_problem_of_a_file_at_once(tmp_path, suffix):
    sheet, expected = many_problems(tmp_path, suffix)

    problems = problems_json(sheet.path, GBT)

    assert len(problems) == len(expected)
    assert {(p["code"], p["row"], p["column"]) for p in problems} == expected
    missing = [p for p in problems if p["code"] == "item_missing"]
    assert missing[0]["where"] == f"{GBT}:5.1.3.1"


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_prints_every_problem_of_a_file_with_its_row_and_column(tmp_path, suffix, lang):
    sheet, expected = many_problems(tmp_path, suffix)
    args = ["score", sheet.path, "--scheme", GBT] + (["--lang", "en"] if lang == "en" else [])

    result = cli(*args)

    assert result.exit_code == 2
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip().startswith("- ")]
    assert len(lines) == len(expected)
    for _, row, column in expected:
        prefix = f"- {located(row, column, lang)}"
        assert any(line.startswith(prefix) for line in lines), (prefix, lines)
    item_missing = "缺少条款 5.1.3.1 的评价结果" if lang == "zh-Hans" else "no result for item 5.1.3.1"
    assert item_missing in result.stderr
    # In file order; the missing item, which has no row, comes last.
    printed = [int(m.group(1)) if (m := re.match(r"- (?:row |第 )(\d+)", line)) else None for line in lines]
    assert printed == [*sorted(row for _, row, _ in expected if row is not None), None]

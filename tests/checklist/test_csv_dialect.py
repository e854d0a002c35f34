"""CSV files as spreadsheet programs write them: commas or semicolons or tabs, quoted fields."""

from __future__ import annotations

import csv
import io

import pytest

from .fill import score_json

A2_ITEMS = [f"A2.{i}" for i in range(1, 6)]


def write(path, rows, **dialect):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", **dialect).writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_reads_a_csv_with_any_usual_delimiter(tmp_path, delimiter):
    rows = [["item", "result", "points_awarded", "reason"]]
    rows += [[code, "conform", "", ""] for code in A2_ITEMS[:-1]]
    rows += [["A2.5", "partial", "12", "改进记录不完整"]]
    rows += [["special_deduction", "law", "", "未公示三包规定"]]
    path = write(tmp_path / "a2.csv", rows, delimiter=delimiter)

    result = score_json(path, "sbt10401-2006-a2")

    assert result["score_exact"] == "95"  # 96 − 1
    assert result["special_deductions"] == [{"kind": "law", "reason": "未公示三包规定"}]


def test_it_reads_quoted_reasons_with_commas_quotes_and_line_breaks(tmp_path):
    reason = 'records for Jan, Feb missing; the "VIP" line\nwas not staffed'
    rows = [["item", "result", "reason"]] + [[code, "conform", ""] for code in A2_ITEMS]
    rows += [["special_deduction", "disruption", reason]]
    path = write(tmp_path / "a2.csv", rows)

    result = score_json(path, "sbt10401-2006-a2")

    assert result["special_deductions"] == [{"kind": "disruption", "reason": reason}]


SINGLE_QUOTES = (
    "item,result,points_awarded,reason\r\n"
    "A1.1,conform,,\r\n"
    "A1.2,conform,,\r\n"
    "A1.3,conform,,see 'A1.4'\r\n"
    "A1.4,conform,,\r\n"
    "A1.5,conform,,\r\n"
    "A1.6,conform,,\r\n"
    "A1.7,conform,,\r\n"
    "A1.8,conform,,'Gold' card not issued\r\n"
    'special_deduction,law,,"the ""三包"" notice is missing"\r\n'
)


def test_it_is_given_a_plain_rfc4180_file_in_the_single_quote_case():
    rows = list(csv.reader(io.StringIO(SINGLE_QUOTES)))
    assert rows[-1] == ["special_deduction", "law", "", 'the "三包" notice is missing']
    assert rows[8][3] == "'Gold' card not issued"


def test_it_reads_a_standard_quoted_reason_whatever_the_notes_hold(tmp_path):
    path = tmp_path / "a1.csv"
    path.write_text(SINGLE_QUOTES, encoding="utf-8", newline="")

    result = score_json(path, "sbt10401-2006-a1")

    assert result["special_deductions"] == [{"kind": "law", "reason": 'the "三包" notice is missing'}]

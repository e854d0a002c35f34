"""Record files are untrusted: the header is checked before any data row is read, rows are
streamed and bounded, a workbook's declared size and unpacked size are checked before it is
parsed, only the first problems are kept (with a count of the rest), and implausible dates are
refused with their row and column (docs/records.md §2.3)."""

from __future__ import annotations

from datetime import date

import pytest

from aftersales.core.problems import MAX_PROBLEMS
from aftersales.core.records import reading
from aftersales.core.records.parse import parse_records
from tests.hostile_files import deadline, workbook

from .helpers import COMPLAINT_HEADER, complaint_mapping, located

TODAY = date(2026, 12, 7)
HEADER = COMPLAINT_HEADER.split(",")


def _row(i: int, received: str = "2026-03-01 09:00") -> str:
    return f"C{i:05d},{received},产品质量,处理中,电话,,,"


def _csv(rows: list[str]) -> bytes:
    return ("\n".join([COMPLAINT_HEADER, *rows]) + "\n").encode()


def _parse(data: bytes, filename: str = "f.csv"):
    return parse_records(data, filename=filename, mapping=complaint_mapping(), today=TODAY)


def test_it_checks_a_workbooks_header_before_reading_its_rows():
    # a sparse sheet: one cell at row 1,000,000 makes a reader that pads missing rows walk them all
    data = workbook({1: ["编号", "时间"], 1_000_000: ["x"]}, dimension="A1:B1000000")
    with deadline(1):
        result = _parse(data, "f.xlsx")
    assert [p.code for p in result.problems] == ["records_wrong_file"]


def test_it_refuses_a_workbook_declaring_more_rows_or_columns_than_allowed():
    result = _parse(workbook({1: HEADER}, dimension="A1:XFD1048576"), "f.xlsx")
    assert [p.code for p in result.problems] == ["records_xlsx_dimension"]


def test_it_refuses_a_zip_bomb_before_parsing_it():
    data = workbook({1: HEADER}, padding=20_000_000)  # 20 MB of blanks in ~20 KB
    assert len(data) < 100_000
    with deadline(1):
        result = _parse(data, "f.xlsx")
    assert [p.code for p in result.problems] == ["records_xlsx_ratio"]
    assert "20" in result.problems[0].message("en")


def test_it_stops_reading_a_workbook_at_the_row_limit(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    rows = {1: HEADER} | {i: [f"C{i}", "2026-03-01 09:00", "产品质量", "处理中"] for i in range(2, 12)}
    result = _parse(workbook(rows), "f.xlsx")
    assert located(result) == [(7, None, "records_too_many_rows")]


def test_it_refuses_a_csv_with_more_rows_than_allowed(monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 5)
    result = _parse(_csv([_row(i) for i in range(10)]))
    assert [p.code for p in result.problems] == ["records_too_many_rows"]
    assert "5" in result.problems[0].message("en")


def test_it_refuses_more_columns_than_allowed(monkeypatch):
    monkeypatch.setattr(reading, "MAX_COLUMNS", 10)
    header = COMPLAINT_HEADER + "," + ",".join(f"x{i}" for i in range(5))
    result = _parse((header + "\n" + _row(1) + "\n").encode())
    assert [p.code for p in result.problems] == ["records_too_many_columns"]


def test_it_names_a_cell_longer_than_allowed():
    result = _parse(_csv([_row(1).replace("产品质量", "长" * 40_000)]))
    assert located(result) == [(2, "投诉类别", "records_cell_too_long")]


def test_it_keeps_only_the_first_problems_and_counts_the_rest():
    result = _parse(_csv([_row(i, received="yesterday") for i in range(250)]))
    assert len(result.problems) == MAX_PROBLEMS + 1
    assert [p.row for p in result.problems[:MAX_PROBLEMS]] == list(range(2, MAX_PROBLEMS + 2))
    more = result.problems[-1]
    assert more.code == "problems_more" and more.params["count"] == 150
    assert "150" in more.message("en")


@pytest.mark.parametrize("received", ["0001-01-01 00:00", "1999-12-31 23:59", "2026-12-09 00:00", "9999-12-31 23:59"])
def test_it_refuses_an_implausible_date_naming_its_row_and_column(received):
    result = _parse(_csv([_row(1), _row(2, received=received)]))
    assert located(result) == [(3, "受理时间", "records_date_implausible")]
    message = result.problems[0].message("en")
    assert "2000-01-01" in message and "2026-12-08" in message


def test_it_accepts_the_day_after_today():
    text = COMPLAINT_HEADER + "\n" + _row(1, received="2026-12-08 23:00") + "\n"
    assert _parse(text.encode()).ok

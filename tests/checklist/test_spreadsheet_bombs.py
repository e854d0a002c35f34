"""Spreadsheet bombs: a checklist upload is checked header first, its rows are streamed and bounded,
a workbook's declared and unpacked size are checked before parsing, and only the first problems are
kept with a count of the rest (docs/scoring.md §7)."""

from __future__ import annotations

import pytest

from aftersales.checklist import reader
from aftersales.checklist.reader import parse_checklist_bytes
from aftersales.core.problems import MAX_PROBLEMS, ProblemsError
from aftersales.core.scheme import get_scheme
from tests.hostile_files import deadline, workbook

SCHEME = "sbt10401-2006-a1"


def _problems(data: bytes, name: str) -> list:
    with deadline(1), pytest.raises(ProblemsError) as info:
        parse_checklist_bytes(get_scheme(SCHEME), data, name, complete=False)
    return list(info.value.problems)


def test_a_small_sparse_workbook_is_refused_at_once():
    # one cell at row 1,000,000 of a sheet declaring 16 columns: a padding reader walks 16 M cells
    data = workbook({1: ["nonsense", "columns"], 1_000_000: ["x"]}, dimension="A1:P1000000")
    codes = {p.code for p in _problems(data, "c.xlsx")}
    assert codes and codes <= {"xlsx_dimension", "header_unknown", "header_missing"}


def test_it_checks_the_header_before_counting_the_rows():
    rows = {1: ["nonsense", "columns"]} | {i: ["x", "y"] for i in range(2, reader.MAX_ROWS + 20)}
    codes = {p.code for p in _problems(workbook(rows), "c.xlsx")}
    assert codes == {"header_unknown", "header_missing"}


def test_it_refuses_a_workbook_declaring_too_many_rows():
    data = workbook({1: ["item", "result"]}, dimension="A1:XFD1048576")
    assert [p.code for p in _problems(data, "c.xlsx")] == ["xlsx_dimension"]


def test_it_refuses_a_zip_bomb_before_parsing_it():
    data = workbook({1: ["item", "result"]}, padding=20_000_000)
    assert len(data) < 100_000
    assert [p.code for p in _problems(data, "c.xlsx")] == ["xlsx_ratio"]


def test_it_stops_at_the_row_limit():
    rows = "\n".join(["item,result", *(f"X{i},conform" for i in range(reader.MAX_ROWS + 10))])
    problems = _problems(rows.encode(), "c.csv")
    assert [(p.code, p.row) for p in problems] == [("too_many_rows", reader.MAX_ROWS + 1)]


def test_it_refuses_too_many_columns():
    header = ",".join(["item", "result", *(f"x{i}" for i in range(reader.MAX_COLUMNS))])
    assert [p.code for p in _problems(header.encode(), "c.csv")] == ["too_many_columns"]


def test_it_names_a_cell_longer_than_allowed():
    text = "item,result,reason\nA1.1,conform," + "长" * (reader.MAX_CELL_CHARS + 1) + "\n"
    problems = _problems(text.encode(), "c.csv")
    assert [(p.code, p.row, p.column) for p in problems] == [("cell_too_long", 2, "reason")]


def test_a_file_of_unknown_items_answers_with_the_first_problems_and_a_count():
    rows = "\n".join(["item,result", *(f"X{i},conform" for i in range(300))])
    problems = _problems(rows.encode(), "c.csv")
    assert len(problems) == MAX_PROBLEMS + 1
    assert all(p.code == "item_unknown" for p in problems[:MAX_PROBLEMS])
    assert problems[-1].code == "problems_more" and problems[-1].params["count"] == 200

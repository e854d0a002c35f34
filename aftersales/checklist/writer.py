"""Write a fill-in checklist for a scheme as .xlsx (validated, id column locked) or .csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

from aftersales.core.cells import neutralise
from aftersales.core.display import format_points
from aftersales.core.scheme import Scheme
from aftersales.core.scoring import DEDUCTION_TEXT, RESULT_TEXT, ItemResult, SpecialBonus, SpecialDeduction

from .columns import (
    COLUMNS,
    DEDUCTION_CHOICES,
    RESULT_CHOICES,
    SPECIAL_BONUS,
    SPECIAL_DEDUCTION,
    header_label,
)

SPARE_SPECIAL_ROWS = 12  # unlocked rows at the end for special deductions and the bonus


@dataclass(frozen=True)
class Filled:
    """Answers to write into the checklist (a self-assessment exported for editing offline)."""

    results: Mapping[str, ItemResult] = field(default_factory=dict)  # by item code
    deductions: Sequence[SpecialDeduction] = ()
    bonuses: Sequence[SpecialBonus] = ()


def _answer_cells(result: ItemResult | None) -> list[object]:
    """result, points_awarded, sampled, nonconforming, reason: as the reader reads them back."""
    if result is None:
        return [None, None, None, None, None]
    awarded = None if result.awarded is None else _number(result.awarded)
    return [RESULT_TEXT[result.kind].zh, awarded, result.sampled, result.nonconforming, result.reason or None]


def _special_rows(filled: Filled | None) -> list[list[object]]:
    if filled is None:
        return []
    rows = [[SPECIAL_DEDUCTION, DEDUCTION_TEXT[d.kind].zh, d.reason] for d in filled.deductions]
    return rows + [[SPECIAL_BONUS, None, b.reason] for b in filled.bonuses]


def _number(value: Fraction) -> int | float | str:
    """A spreadsheet number that reads back exactly (points are whole or have few decimals)."""
    if value.denominator == 1:
        return int(value)
    text = format_points(value)
    return float(text) if "/" not in text else text


def checklist_rows(scheme: Scheme, lang: str = "zh-Hans", filled: Filled | None = None) -> list[list[object]]:
    """Header and one row per node (headings for categories, fill-in rows for items)."""
    rows: list[list[object]] = [[header_label(c) for c in COLUMNS]]
    for node in scheme.walk():
        answer = (filled.results.get(node.code) if filled else None) if node.is_item else None
        cells = ["" if v is None else v for v in _answer_cells(answer)]
        rows.append([node.code, node.title.get(lang), format_points(node.points), *cells])
    for item, kind, reason in _special_rows(filled):
        rows.append([item, "", "", kind or "", "", "", "", reason])
    return [[neutralise(v) for v in row] for row in rows]


def write_csv(scheme: Scheme, path: Path, lang: str = "zh-Hans", filled: Filled | None = None) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(checklist_rows(scheme, lang, filled))
    # UTF-8 with BOM: Excel on a Chinese Windows opens it with the right encoding.
    Path(path).write_bytes(buffer.getvalue().encode("utf-8-sig"))


def write_xlsx(scheme: Scheme, path: Path | BinaryIO, lang: str = "zh-Hans", filled: Filled | None = None) -> None:
    """Write the checklist to a path or a binary file object, optionally with answers filled in."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "评价表 Checklist"
    ws.append([header_label(c) for c in COLUMNS])
    bold = Font(bold=True)
    heading_fill = PatternFill("solid", fgColor="E8EEF7")
    header_fill = PatternFill("solid", fgColor="1F3A5F")
    input_fill = PatternFill("solid", fgColor="FFFDE7")
    unlocked = Protection(locked=False)
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)

    result_list = DataValidation(type="list", formula1='"' + ",".join(RESULT_CHOICES) + '"', allow_blank=True)
    result_list.error = "符合/不符合/抽样/部分/不适用 (conform/nonconform/sampled/partial/na)"
    result_list.showErrorMessage = True
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    whole.showErrorMessage = True
    decimal = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    decimal.showErrorMessage = True
    special_kind = DataValidation(type="list", formula1='"' + ",".join(DEDUCTION_CHOICES) + '"', allow_blank=True)
    special_item = DataValidation(type="list", formula1=f'"{SPECIAL_DEDUCTION},{SPECIAL_BONUS}"', allow_blank=True)
    for dv in (result_list, whole, decimal, special_kind, special_item):
        ws.add_data_validation(dv)

    for node in scheme.walk():
        answer = (filled.results.get(node.code) if filled else None) if node.is_item else None
        ws.append(
            [neutralise(v) for v in (node.code, node.title.get(lang), _number(node.points), *_answer_cells(answer))]
        )
        row = ws.max_row
        if not node.is_item:
            for cell in ws[row]:
                cell.font = bold
                cell.fill = heading_fill
            continue
        for column in ("result", "points_awarded", "sampled", "nonconforming", "reason"):
            cell = ws.cell(row=row, column=COLUMNS.index(column) + 1)
            cell.protection = unlocked
            cell.fill = input_fill
        result_list.add(ws.cell(row=row, column=COLUMNS.index("result") + 1))
        if node.partial:
            decimal.add(ws.cell(row=row, column=COLUMNS.index("points_awarded") + 1))
        if node.sampled:
            for column in ("sampled", "nonconforming"):
                whole.add(ws.cell(row=row, column=COLUMNS.index(column) + 1))
        if node.guidance:
            ws.cell(row=row, column=2).comment = Comment(node.guidance.get(lang), "aftersales-cert")

    first_special = ws.max_row + 1
    specials = _special_rows(filled)
    for offset in range(SPARE_SPECIAL_ROWS + len(specials)):
        row = first_special + offset
        if offset < len(specials):
            item, kind, reason = specials[offset]
            ws.cell(row=row, column=1, value=item)
            ws.cell(row=row, column=COLUMNS.index("result") + 1, value=kind)
            ws.cell(row=row, column=COLUMNS.index("reason") + 1, value=neutralise(reason))
        for column in ("item", "result", "reason"):
            cell = ws.cell(row=row, column=COLUMNS.index(column) + 1)
            cell.protection = unlocked
            cell.fill = input_fill
        special_item.add(ws.cell(row=row, column=1))
        special_kind.add(ws.cell(row=row, column=COLUMNS.index("result") + 1))

    for letter, width in zip("ABCDEFGH", (12, 46, 8, 12, 10, 10, 12, 48), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    ws.protection.sheet = True  # locks the id, title and points columns; input cells are unlocked
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False

    about = wb.create_sheet("说明 About")
    for line in _about_lines(scheme, lang):
        about.append([neutralise(v) for v in line])
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 90
    for cell in about["A"]:
        cell.font = bold
    wb.save(path)


def _about_lines(scheme: Scheme, lang: str) -> list[list[str]]:
    lines = [
        ["方案 scheme", scheme.id],
        ["版本 version", scheme.version],
        ["SHA-256", scheme.sha256],
        ["标准 standard", scheme.standard],
        ["名称 title", scheme.title.get(lang)],
        ["性质 status", "参考分配 reference allocation" if scheme.is_reference else "正式 official"],
    ]
    if scheme.note:
        lines.append(["说明 note", scheme.note.get(lang)])
    lines += [
        [],
        ["结果 result", " / ".join(f"{t.zh} {k.value}" for k, t in RESULT_TEXT.items())],
        [
            "抽样 sampled",
            "抽样数 sampled = n，不符合数 nonconforming = k，按 (n−k)/n 得分 — n samples, k nonconforming",
        ],
        ["部分 partial", "得分 points_awarded，0 至分值 — only items that allow partial points"],
        ["不适用 na", "须在理由栏写明删减理由 — the reason column must say why the item does not apply"],
        [
            SPECIAL_DEDUCTION,
            "条款栏填 special_deduction，结果栏填类别："
            + " / ".join(f"{t.zh} {k.value}" for k, t in DEDUCTION_TEXT.items())
            + "，理由栏写事实",
        ],
        [SPECIAL_BONUS, "条款栏填 special_bonus，理由栏写明特色优势（最多一项） — at most one, with a reason"],
    ]
    return lines

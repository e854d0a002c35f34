"""Read a filled-in checklist (.xlsx or .csv) into scoring inputs, or every problem by row and column.

Row numbers are the ones a person sees: the header is row 1 of the file (CSV) or of the sheet
(xlsx). Nothing is scored unless the whole file is clean.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from aftersales.core import workbook
from aftersales.core.cells import restore
from aftersales.core.problems import Problem, ProblemsError, capped
from aftersales.core.scheme import Scheme, parse_points
from aftersales.core.scoring import (
    DEDUCTION_TEXT,
    RESULT_TEXT,
    ItemResult,
    ResultKind,
    ScoreResult,
    SpecialBonus,
    SpecialDeduction,
    StarContext,
    check_inputs,
    score,
)

from .columns import (
    COLUMNS,
    DEDUCTION_WORDS,
    REQUIRED_COLUMNS,
    RESULT_WORDS,
    SPECIAL_BONUS,
    SPECIAL_WORDS,
    match_header,
)

ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312
# bounds on one file (docs/scoring.md §7); a scheme has a few hundred rows at most
MAX_ROWS = 2_000  # rows of the file, header included
MAX_COLUMNS = 64
MAX_CELL_CHARS = 10_000
XLSX_MAX_UNPACKED = 50_000_000  # bytes, all members of the workbook together

Rows = Iterable[tuple[int, list[object]]]  # (row number, cells), streamed


@dataclass
class Checklist:
    results: dict[str, ItemResult] = field(default_factory=dict)
    deductions: list[SpecialDeduction] = field(default_factory=list)
    bonuses: list[SpecialBonus] = field(default_factory=list)
    item_rows: dict[str, int] = field(default_factory=dict)  # item id -> row
    deduction_rows: list[int] = field(default_factory=list)
    bonus_rows: list[int] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # item ids that have a row, good or bad


def read_rows(path: Path) -> Iterator[tuple[int, list[object]]]:
    """(row number, cells) for every row of the file, header included, streamed: reading stops with
    a ProblemsError past MAX_ROWS rows or MAX_COLUMNS columns."""
    _check_suffix(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProblemsError([Problem("file_unreadable", where=str(path), params={"error": exc.strerror})]) from exc
    return read_rows_bytes(data, path)


def read_rows_bytes(data: bytes, name: Path) -> Iterator[tuple[int, list[object]]]:
    """The same from bytes (an upload); `name` gives the type by its suffix."""
    _check_suffix(name)
    if name.suffix.lower() == ".csv":
        return _bounded(_csv_rows(data, name))
    return _bounded(_xlsx_rows(data, name))


def _bounded(rows: Iterator[tuple[int, list[object]]]) -> Iterator[tuple[int, list[object]]]:
    for number, cells in rows:
        if number > MAX_ROWS:
            raise ProblemsError([Problem("too_many_rows", row=number, params={"limit": MAX_ROWS})])
        width = workbook.header_width(tuple(cells))
        if width > MAX_COLUMNS:
            raise ProblemsError(
                [Problem("too_many_columns", row=number, params={"columns": width, "limit": MAX_COLUMNS})]
            )
        yield number, list(cells[:width])


def _check_suffix(path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in {".xlsx", ".csv"}:
        raise ProblemsError([Problem("file_type_unknown", where=str(path), params={"suffix": suffix or "-"})])


def _csv_rows(data: bytes, path: Path) -> Iterator[tuple[int, list[object]]]:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ProblemsError([Problem("file_encoding", where=str(path))])
    # Standard CSV quoting (RFC 4180, as Excel writes it); only the delimiter is detected, from the
    # header line. csv.Sniffer is not used: it guesses quote characters from the notes people write.
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=header_line.count) if header_line else ","
    try:
        yield from enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)
    except csv.Error as exc:
        raise ProblemsError([Problem("file_unreadable", where=str(path), params={"error": str(exc)})]) from exc


def _xlsx_rows(data: bytes, path: Path) -> Iterator[tuple[int, list[object]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    bomb = workbook.archive_problem(data, max_unpacked=XLSX_MAX_UNPACKED)
    if bomb is not None:
        raise ProblemsError([bomb])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ProblemsError(
            [Problem("file_unreadable", where=str(path), params={"error": str(exc) or type(exc).__name__})]
        ) from exc
    try:
        ws = wb.worksheets[0]
        declared = workbook.dimension_problem(ws, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
        if declared is not None:
            raise ProblemsError([declared])
        ws.reset_dimensions()  # rows past a smaller declared dimension are read too, up to the limit
        for number, cells in workbook.rows(ws, first=1, last=MAX_ROWS + 1, columns=MAX_COLUMNS + 1):
            yield number, list(cells)
    finally:
        wb.close()


def parse_checklist(scheme: Scheme, path: Path) -> Checklist:
    """Parse and check a checklist against a scheme; ProblemsError lists every problem."""
    return parse_rows(scheme, read_rows(Path(path)), str(path))


def parse_checklist_bytes(scheme: Scheme, data: bytes, filename: str, *, complete: bool = True) -> Checklist:
    return parse_rows(scheme, read_rows_bytes(data, Path(filename)), filename, complete=complete)


def parse_rows(scheme: Scheme, rows: Rows, path: str, *, complete: bool = True) -> Checklist:
    """Check the rows of a checklist against a scheme; ProblemsError lists the first MAX_PROBLEMS
    problems and counts the rest. The header is checked before any other row is read. With
    complete=False (a self-assessment in progress) an item row without a result is left
    unanswered instead of being an error."""
    problems: list[Problem] = []
    rows = iter(rows)
    found = next(((number, cells) for number, cells in rows if any(_cell(c) for c in cells)), None)
    if found is None:
        raise ProblemsError([Problem("file_empty", where=str(path))])
    header_row, header = found
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        if not _cell(cell):
            continue
        column = match_header(cell)
        if column is None:
            problems.append(Problem("header_unknown", row=header_row, params={"value": _cell(cell)}))
        elif column in columns:
            problems.append(Problem("header_duplicate", row=header_row, column=column, params={"column": column}))
        else:
            columns[column] = index
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.append(Problem("header_missing", row=header_row, column=column, params={"column": column}))
    if problems:
        raise ProblemsError(problems)

    sheet = Checklist()
    first_row: dict[str, int] = {}
    for row_number, cells in rows:
        values = {c: _cell(cells[i]) if i < len(cells) else "" for c, i in columns.items()}
        too_long = [c for c, v in values.items() if len(v) > MAX_CELL_CHARS]
        if too_long:
            problems.extend(
                Problem(
                    "cell_too_long",
                    row=row_number,
                    column=c,
                    params={"chars": len(values[c]), "limit": MAX_CELL_CHARS},
                )
                for c in too_long
            )
            continue
        if not any(values.get(c) for c in COLUMNS if c not in {"title", "points"}):
            continue  # blank row, or a spare special row left empty
        if not complete and _unanswered(values):
            continue  # an item not answered yet
        problems.extend(_parse_row(scheme, row_number, values, sheet, first_row))

    problems.extend(_engine_problems(scheme, sheet, complete=complete))
    if problems:
        raise ProblemsError(
            capped(
                sorted(problems, key=lambda p: (p.row or 10**9, COLUMNS.index(p.column) if p.column in COLUMNS else 0))
            )
        )
    return sheet


def score_checklist(scheme: Scheme, path: Path, *, stars: StarContext | None = None) -> ScoreResult:
    sheet = parse_checklist(scheme, path)
    return score(scheme, sheet.results, sheet.deductions, sheet.bonuses, stars=stars)


def _parse_row(
    scheme: Scheme, row: int, values: dict[str, str], sheet: Checklist, first_row: dict[str, int]
) -> list[Problem]:
    problems: list[Problem] = []

    def bad(code: str, column: str, **params: object) -> None:
        problems.append(Problem(code, row=row, column=column, params=params))

    item = values.get("item", "")
    reason = values.get("reason", "")
    special = SPECIAL_WORDS.get(item.casefold())
    if special is not None:
        for column in ("points_awarded", "sampled", "nonconforming"):
            if values.get(column):
                bad("value_not_expected", column, result=item)
        if special == SPECIAL_BONUS:
            sheet.bonuses.append(SpecialBonus(reason=reason))
            sheet.bonus_rows.append(row)
        else:
            kind = DEDUCTION_WORDS.get(values.get("result", "").casefold())
            if kind is None:
                allowed = " / ".join(f"{t.zh} {k.value}" for k, t in DEDUCTION_TEXT.items())
                bad("deduction_kind_unknown", "result", value=values.get("result", ""), allowed=allowed)
            else:
                sheet.deductions.append(SpecialDeduction(kind=kind, reason=reason))
                sheet.deduction_rows.append(row)
        return problems

    if not item:
        bad("item_empty", "item")
        return problems
    if not scheme.has_node(item):
        bad("item_unknown", "item", item=item)
        return problems
    node = scheme.node(item)
    word = values.get("result", "")
    if not node.is_item:
        if word or any(values.get(c) for c in ("points_awarded", "sampled", "nonconforming")):
            bad("item_not_scored", "result", item=node.code)
        return problems  # a heading row of the exported checklist
    if node.id in first_row:
        bad("item_duplicate", "item", item=node.code, first=first_row[node.id])
        return problems
    first_row[node.id] = row
    sheet.item_rows[node.id] = row
    sheet.seen.add(node.id)
    if not word:
        bad("result_missing", "result")
        return problems
    kind = RESULT_WORDS.get(word.casefold())
    if kind is None:
        allowed = " / ".join(f"{t.en} {t.zh}" for t in RESULT_TEXT.values())
        bad("result_unknown", "result", value=word, allowed=allowed)
        return problems

    n = k = None
    awarded = None
    if kind is ResultKind.SAMPLED:
        n = _count(values.get("sampled", ""))
        k = _count(values.get("nonconforming", ""))
        if values.get("sampled") and n is None:
            bad("sampled_size_invalid", "sampled", value=values["sampled"])
        if values.get("nonconforming") and k is None:
            bad("nonconforming_invalid", "nonconforming", value=values["nonconforming"], n=values.get("sampled") or "?")
    else:
        for column in ("sampled", "nonconforming"):
            if values.get(column):
                bad("value_not_expected", column, result=word)
    if kind is ResultKind.PARTIAL:
        if values.get("points_awarded"):
            awarded = parse_points(values["points_awarded"])
            if awarded is None:
                bad("partial_out_of_range", "points_awarded", value=values["points_awarded"], points=node.points)
    elif values.get("points_awarded"):
        bad("value_not_expected", "points_awarded", result=word)
    if problems:
        return problems
    sheet.results[node.id] = ItemResult(kind, sampled=n, nonconforming=k, awarded=awarded, reason=reason)
    return problems


def _unanswered(values: dict[str, str]) -> bool:
    """An item row with nothing filled in (its code and title only)."""
    if SPECIAL_WORDS.get(values.get("item", "").casefold()):
        return False
    return not any(values.get(c) for c in ("result", "points_awarded", "sampled", "nonconforming", "reason"))


def _engine_problems(scheme: Scheme, sheet: Checklist, *, complete: bool = True) -> list[Problem]:
    """The engine's own input check, located on the rows of the file."""
    located = []
    for p in check_inputs(scheme, sheet.results, sheet.deductions, sheet.bonuses, require_all=complete):
        if p.code == "item_missing" and p.where in sheet.seen:
            continue  # its row is present and already reported as bad
        row = sheet.item_rows.get(p.where)
        if p.where.startswith("special_deduction["):
            row = sheet.deduction_rows[int(p.where[18:-1])]
        elif p.where.startswith("special_bonus["):
            row = sheet.bonus_rows[int(p.where[14:-1])]
        located.append(Problem(p.code, where=p.where, row=row, column=p.column, params=p.params))
    return located


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    return restore(str(value).strip())  # without the apostrophe the writer put before formula-like text


def _count(text: str) -> int | None:
    value = parse_points(text) if text else None
    if value is None or value.denominator != 1 or value < 0:
        return None
    return int(value)

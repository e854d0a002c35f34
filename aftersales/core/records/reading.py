"""Reading an export file (CSV or XLSX) into its header and a table of text cells, bounded in rows,
columns and unpacked size, with the mapping's columns located in the header; `parse` checks the
values."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import date, datetime, time

import polars as pl

from .. import workbook
from ..problems import Problem
from .fields import FIELDS
from .mapping import Mapping

# bounds on one file (docs/records.md §2.2): a million work orders is the largest file measured
MAX_ROWS = 2_000_000  # data rows after the header
MAX_COLUMNS = 500
XLSX_MAX_UNPACKED = 2_000_000_000  # bytes, all members of a workbook together
ISO_DATETIME = "%Y-%m-%d %H:%M:%S"
ISO_FORMATS = (ISO_DATETIME, "%Y-%m-%d")  # what xlsx date cells are turned into; always accepted from xlsx


def read(data: bytes, filename: str, mapping: Mapping):
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == ".csv":
        return _read_csv(data, mapping)
    if suffix == ".xlsx":
        return _read_xlsx(data, mapping)
    return [Problem("records_file_type", params={"suffix": suffix or filename})]


def _read_csv(data: bytes, mapping: Mapping):
    if data.startswith(b"PK\x03\x04"):
        return [Problem("records_file_unreadable", params={"error": "this is a zip/xlsx workbook, not a CSV file"})]
    encoding = mapping.encoding
    has_bom = data.startswith(b"\xef\xbb\xbf")
    if encoding in ("gbk", "gb18030") and has_bom:
        return [Problem("records_file_encoding", params={"encoding": encoding, "line": 1})]
    try:
        text = data.decode("utf-8-sig" if encoding.startswith("utf-8") else encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [Problem("records_file_encoding", params={"encoding": encoding, "line": line})]
    if "\x00" in text:
        return [Problem("records_file_unreadable", params={"error": "the file holds binary data (NUL bytes)"})]
    utf8 = data[3:] if has_bom else data
    if not encoding.startswith("utf-8"):
        utf8 = text.encode("utf-8")
    try:
        frame = pl.read_csv(
            io.BytesIO(utf8),
            has_header=False,
            infer_schema=False,
            skip_rows=mapping.skip_rows,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except Exception as exc:  # polars' own parse errors (unterminated quote, …)
        return [Problem("records_file_unreadable", params={"error": str(exc).splitlines()[0][:200]})]
    if frame.height == 0:
        return [Problem("records_file_empty", params={"skip_rows": mapping.skip_rows})]
    header = [v for v in frame.row(0)]
    header_row = mapping.skip_rows + 1
    if frame.width > MAX_COLUMNS:
        return [_too_many_columns(frame.width, header_row)]
    located = locate(header, header_row, mapping)
    if isinstance(located, list):
        return located
    if frame.height - 1 > MAX_ROWS:
        return [_too_many_rows(header_row + MAX_ROWS + 1)]
    return header, frame.slice(1), header_row


def _read_xlsx(data: bytes, mapping: Mapping):
    """The header first (checked against the mapping), then only the mapped columns of at most
    MAX_ROWS streamed rows; the workbook's unpacked size and declared dimension before that."""
    import openpyxl  # only needed for workbooks

    bomb = workbook.archive_problem(data, max_unpacked=XLSX_MAX_UNPACKED, prefix="records_")
    if bomb is not None:
        return [bomb]
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return [Problem("records_file_unreadable", params={"error": str(exc).splitlines()[0][:200] or "not an xlsx"})]
    try:
        if mapping.sheet is not None:
            if mapping.sheet not in book.sheetnames:
                known = ", ".join(book.sheetnames)
                return [Problem("records_sheet_missing", params={"sheet": mapping.sheet, "known": known})]
            sheet = book[mapping.sheet]
        else:
            sheet = book.worksheets[0]
        header_row = mapping.skip_rows + 1
        limit = header_row + MAX_ROWS
        declared = workbook.dimension_problem(sheet, max_rows=limit, max_columns=MAX_COLUMNS, prefix="records_")
        if declared is not None:
            return [declared]
        sheet.reset_dimensions()  # rows past a (smaller) declared dimension are read too, up to the limit
        return _xlsx_table(sheet, mapping, header_row)
    finally:
        book.close()


def _xlsx_table(sheet, mapping: Mapping, header_row: int):
    found = list(workbook.rows(sheet, first=header_row, last=header_row, columns=MAX_COLUMNS + 1))
    values = found[0][1] if found else ()
    width = workbook.header_width(values)
    if width == 0:
        return [Problem("records_file_empty", params={"skip_rows": mapping.skip_rows})]
    if width > MAX_COLUMNS:
        return [_too_many_columns(width, header_row)]
    header = [_cell_text(h) for h in values[:width]]
    located = locate(header, header_row, mapping)
    if isinstance(located, list):
        return located
    wanted = sorted(int(name.removeprefix("column_")) for name in located.values())
    columns: dict[int, list[str | None]] = {i: [] for i in wanted}
    last = header_row + MAX_ROWS + 1  # one row more than allowed: a row there or after is the problem
    for number, row in workbook.rows(sheet, first=header_row + 1, last=last, columns=wanted[-1] + 1):
        if number == last:
            return [_too_many_rows(number)]
        for i in wanted:
            columns[i].append(_cell_text(row[i]) if i < len(row) else None)
    frame = pl.DataFrame({f"column_{i}": pl.Series(col, dtype=pl.Utf8) for i, col in columns.items()})
    return header, frame, header_row


def _too_many_rows(row: int) -> Problem:
    return Problem("records_too_many_rows", row=row, params={"limit": MAX_ROWS})


def _too_many_columns(columns: int, row: int) -> Problem:
    return Problem("records_too_many_columns", row=row, params={"columns": columns, "limit": MAX_COLUMNS})


def _cell_text(value: object) -> str | None:
    """A workbook cell as text; native dates become ISO text, which every mapping accepts."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime(ISO_DATETIME)
    if isinstance(value, date):
        return value.strftime(ISO_DATETIME.split(" ")[0])
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def locate(header: list, header_row: int, mapping: Mapping):
    """canonical field -> frame column name, or the problems (missing/duplicate headers)."""
    positions: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        if h is not None and str(h).strip():
            positions.setdefault(_norm_header(h), []).append(i)
    required = [f.name for f in FIELDS[mapping.kind] if f.required and f.name in mapping.columns]
    found = sum(_norm_header(h) in positions for h in mapping.columns.values())
    if found * 2 < len(mapping.columns):  # most named columns absent: another kind of file or another mapping
        expected = ", ".join(mapping.columns[f] for f in required[:3])
        return [
            Problem(
                "records_wrong_file",
                row=header_row,
                params={"mapping": mapping.name or "-", "kind": mapping.kind.value, "expected": expected},
            )
        ]
    problems, located = [], {}
    for fname, source in mapping.columns.items():
        found = positions.get(_norm_header(source), [])
        if not found:
            problems.append(
                Problem(
                    "records_header_missing",
                    where=fname,
                    row=header_row,
                    column=source,
                    params={"column": source, "field": fname},
                )
            )
        elif len(found) > 1:
            problems.append(
                Problem(
                    "records_header_duplicate", where=fname, row=header_row, column=source, params={"column": source}
                )
            )
        else:
            located[fname] = f"column_{found[0]}"
    return problems or located


def _norm_header(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).replace("\ufeff", "").strip().casefold()

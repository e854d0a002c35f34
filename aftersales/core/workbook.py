"""Untrusted .xlsx files, read within bounds (the checklist reader and the records import).

An .xlsx is a ZIP of XML: a few hundred KB can unpack to gigabytes (a zip bomb), declare a sheet of
a million rows by 16,384 columns, or place one cell at row 1,048,576 so that a reader padding the
missing rows walks them all. `archive_problem` checks the ZIP's declared sizes before openpyxl
opens it (zipfile never inflates a member beyond its declared size); `open_sheet` checks the
sheet's declared dimension; `rows` streams rows with an explicit last row and column, so neither
a declaration nor a sparse cell makes the reader pad past the limits. Limits: docs/records.md §2.2
and docs/scoring.md §7.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from .problems import Problem

MAX_RATIO = 100  # unpacked ÷ packed size of one member; real sheets compress 5–20 times
RATIO_CHECKED_FROM = 1_000_000  # bytes unpacked: small members (styles, a tiny sheet) may compress more
_MB = 1_000_000


def archive_problem(data: bytes, *, max_unpacked: int, prefix: str = "") -> Problem | None:
    """A problem if the workbook's members together unpack to more than `max_unpacked` bytes, or one
    of them is compressed more than MAX_RATIO times; None if it may be opened (or is no ZIP at all:
    openpyxl then says why it cannot read it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    total = sum(m.file_size for m in members)
    if total > max_unpacked:
        return Problem(f"{prefix}xlsx_unpacked", params={"size_mb": _mb(total), "limit_mb": _mb(max_unpacked)})
    for m in members:
        if m.file_size >= RATIO_CHECKED_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            ratio = m.file_size // max(m.compress_size, 1)
            params = {"member": m.filename, "ratio": ratio, "size_mb": _mb(m.file_size), "limit": MAX_RATIO}
            return Problem(f"{prefix}xlsx_ratio", params=params)
    return None


def dimension_problem(sheet, *, max_rows: int, max_columns: int, prefix: str = "") -> Problem | None:
    """A problem if the sheet's `<dimension>` declares more rows or columns than allowed."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows <= max_rows and columns <= max_columns:
        return None
    params = {"rows": rows, "columns": columns, "max_rows": max_rows, "max_columns": max_columns}
    return Problem(f"{prefix}xlsx_dimension", params=params)


def rows(sheet, *, first: int, last: int, columns: int) -> Iterator[tuple[int, tuple]]:
    """(row number, values) from row `first` to row `last`, each cut or padded to `columns` cells
    (a missing row is one shared tuple of None, yielded only before a row the file has). Call
    `sheet.reset_dimensions()` first, or openpyxl stops at the declared last row."""
    width = max(1, columns)
    yield from enumerate(sheet.iter_rows(min_row=first, max_row=last, max_col=width, values_only=True), start=first)


def header_width(values: tuple) -> int:
    """The number of cells up to the last non-empty one."""
    width = len(values)
    while width and (values[width - 1] is None or str(values[width - 1]).strip() == ""):
        width -= 1
    return width


def _mb(size: int) -> str:
    return f"{size / _MB:.1f}"

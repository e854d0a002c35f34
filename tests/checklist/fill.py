"""Helpers for the checklist tests: run the CLI, export a checklist, fill it in like an auditor.

A checklist is exported by the real CLI, then filled cell by cell: with openpyxl for .xlsx, by
rewriting the CSV rows for .csv. Nothing here imports the reader, so the tests do not check the
reader against itself.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from typer.testing import CliRunner

from aftersales.cli import app

SCHEME_IDS = ("gbt27922-2011", "sbt10401-2006-a1", "sbt10401-2006-a2")

# A wide terminal, so rich never wraps a problem line or a table cell; no colour codes.
runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1", "FORCE_COLOR": None, "TTY_COMPATIBLE": None})

Answer = Mapping[str, object]  # column key ("result", "sampled", ...) -> cell value
CONFORM: Answer = {"result": "conform"}


def cli(*args: object):
    """Invoke `aftersales` with these arguments; the typer Result (exit_code, stdout, stderr)."""
    return runner.invoke(app, [str(a) for a in args])


def score_json(path: Path, scheme: str, *extra: object) -> dict:
    """`aftersales score PATH --scheme SCHEME --json`, which must succeed; the parsed JSON."""
    result = cli("score", path, "--scheme", scheme, "--json", *extra)
    assert result.exit_code == 0, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
    return json.loads(result.stdout)


def problems_json(path: Path, scheme: str, *extra: object) -> list[dict]:
    """`aftersales score ... --json` on a bad file: it must exit 2; the listed problems."""
    result = cli("score", path, "--scheme", scheme, "--json", *extra)
    assert result.exit_code == 2, f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}\n{result.exception!r}"
    return json.loads(result.stdout)["problems"]


def export(tmp_path: Path, scheme: str, suffix: str, *, name: str | None = None, lang: str | None = None) -> Path:
    """Export a blank checklist with the CLI; its path."""
    path = tmp_path / (name or f"{scheme}{suffix}")
    args = ["checklist", "export", "--scheme", scheme, "-o", path]
    if lang:
        args += ["--lang", lang]
    result = cli(*args)
    assert result.exit_code == 0, f"export failed: {result.stdout}\n{result.stderr}\n{result.exception!r}"
    assert path.exists()
    return path


def scheme_file(scheme_id: str) -> Path:
    """The shipped YAML file of a scheme."""
    return Path(str(resources.files("aftersales.core").joinpath("schemes", f"{scheme_id}.yaml")))


def scheme_sha256(scheme_id: str) -> str:
    return hashlib.sha256(scheme_file(scheme_id).read_bytes()).hexdigest()


@dataclass
class Filled:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)  # item code -> row number in the filled file
    extra_rows: list[int] = field(default_factory=list)  # row numbers of the extra rows, in order


def _column_key(header_cell: object) -> str:
    """'条款 item' -> 'item': the exported header carries the English key after the Chinese name."""
    return str(header_cell).split()[-1]


def _leaf_codes(codes: list[str]) -> set[str]:
    """The codes with no child code in the file (items); the others are heading rows."""
    return {c for c in codes if not any(o.startswith(c + ".") for o in codes)}


def fill(
    path: Path,
    answers: Mapping[str, Answer] | None = None,
    *,
    default: Answer | None = CONFORM,
    extra: Iterable[Answer] = (),
    drop: Iterable[str] = (),
    drop_columns: Iterable[str] = (),
    encoding: str = "utf-8-sig",
    out: Path | None = None,
) -> Filled:
    """Fill an exported checklist.

    answers: item code -> {column: value}; items not named get `default` (None: left empty).
    extra: rows appended after the items (special findings, or any bad row), {column: value}.
    drop: item codes whose rows are deleted. drop_columns (CSV only): columns removed entirely.
    encoding (CSV only): the encoding of the written file.
    """
    answers = dict(answers or {})
    drop = set(drop)
    target = out or path
    if path.suffix == ".xlsx":
        assert not list(drop_columns), "drop_columns is for CSV files"
        return _fill_xlsx(path, target, answers, default, list(extra), drop)
    return _fill_csv(path, target, answers, default, list(extra), drop, set(drop_columns), encoding)


def _fill_csv(path, target, answers, default, extra, drop, drop_columns, encoding) -> Filled:
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    keys = [_column_key(h) for h in header]
    leaves = _leaf_codes([r[0] for r in body if r])
    unknown = set(answers) - {r[0] for r in body if r}
    assert not unknown, f"answers for codes not in the checklist: {unknown}"
    filled = Filled(target)
    out_rows = [header]
    for row in body:
        code = row[0]
        if code in drop:
            continue
        answer = answers.get(code, default if code in leaves else None) or {}
        row = list(row)
        for column, value in answer.items():
            row[keys.index(column)] = "" if value is None else str(value)
        out_rows.append(row)
        filled.rows[code] = len(out_rows)
    for answer in extra:
        row = [""] * len(keys)
        for column, value in answer.items():
            row[keys.index(column)] = "" if value is None else str(value)
        out_rows.append(row)
        filled.extra_rows.append(len(out_rows))
    if drop_columns:
        keep = [i for i, k in enumerate(keys) if k not in drop_columns]
        out_rows = [[r[i] for i in keep] for r in out_rows]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(out_rows)
    target.write_bytes(buffer.getvalue().encode(encoding))
    return filled


def _fill_xlsx(path, target, answers, default, extra, drop) -> Filled:
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.worksheets[0]
    keys = [_column_key(c.value) for c in ws[1]]
    node_rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=1).value}
    leaves = _leaf_codes(list(node_rows))
    unknown = set(answers) - set(node_rows)
    assert not unknown, f"answers for codes not in the checklist: {unknown}"
    for code, row in node_rows.items():
        answer = answers.get(code, default if code in leaves else None) or {}
        for column, value in answer.items():
            ws.cell(row=row, column=keys.index(column) + 1).value = value
    last = max(node_rows.values())
    extra_at = []
    for offset, answer in enumerate(extra, start=1):  # the spare rows below the items
        row = last + offset
        assert ws.cell(row=row, column=1).value is None
        for column, value in answer.items():
            ws.cell(row=row, column=keys.index(column) + 1).value = value
        extra_at.append(row)
    deleted = sorted((node_rows[c] for c in drop), reverse=True)
    for row in deleted:
        ws.delete_rows(row)

    def shifted(row: int) -> int:
        return row - sum(1 for d in deleted if d < row)

    wb.save(target)
    return Filled(
        target,
        rows={code: shifted(row) for code, row in node_rows.items() if code not in drop},
        extra_rows=[shifted(r) for r in extra_at],
    )

"""The report to the regulator (CNCA): its template and the rules a report must pass.

Pure Python (no Django). The layout — three fixed sheets 审核计划信息表, 证书信息表, 审核结果信息表,
their header rows, column order and code lists — is data: `rules/regulator-cnca-default.yaml`, or a
CB's own YAML/JSON file, or the official .xlsx template the CB downloads (sheet names, header rows
and column order are then read from it; `load_template`). `aftersales.regulator` fills the rows,
calls `normalise` and `validate` here and writes only when no problem is left.

Rules (`validate`), as the national platform checks an upload: required cells present; text
trimmed, no control characters; ids (numbers, codes) upper case without spaces; dates are dates,
numbers numbers, codes from the template's lists; a row is not repeated; the template's
dependencies between sheets hold (a certificate has its result row and a result naming a
certificate has the certificate's row, in this workbook or among the ids the caller says were
reported earlier). Every problem names the sheet, the spreadsheet row and the column.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl

from .safe_yaml import load_untrusted
from .text import normalise_language

FORMAT = "aftersales-regulator-template/1"
DEFAULT_PATH = Path(__file__).resolve().parent / "rules" / "regulator-cnca-default.yaml"
TEXT, ID, DATE, NUMBER, CODE = "text", "id", "date", "number", "code"
KINDS = (TEXT, ID, DATE, NUMBER, CODE)
SHEET_KEYS = ("plans", "certificates", "results")
EN = {"plans": "audit plans", "certificates": "certificates", "results": "audit results"}


class TemplateError(ValueError):
    """The template file is not usable; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    kind: str = TEXT
    required: bool = False
    codes: str = ""  # the code list a CODE column's values come from
    pattern: str = ""  # a regular expression the whole value must match (e.g. SC… for 认证领域代码)
    source: str = ""
    assumed: bool = False
    filled: bool = True  # False: a column of the CB's template this project has no data for


@dataclass(frozen=True, slots=True)
class Sheet:
    key: str
    name: str
    header_row: int
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    preamble: tuple[tuple[str, ...], ...] = ()  # rows above the header, copied from the template

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass(frozen=True, slots=True)
class Dependency:
    """Each non-empty `sheet.column` value must be a value of `needs` ("sheet.column") here or earlier,
    for the rows whose `when_column` is one of `when_in` (all rows when no condition)."""

    sheet: str
    column: str
    needs: str
    when_column: str = ""
    when_in: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    title: str
    codes: dict[str, dict[str, str]]
    sheets: tuple[Sheet, ...]
    dependencies: tuple[Dependency, ...]
    origin: str = ""  # the file it was read from

    def sheet(self, key: str) -> Sheet:
        return next(s for s in self.sheets if s.key == key)

    def code(self, codes: str, value: str) -> str:
        """The template's code for one of our values ('' stays ''; unknown stays as is and fails validation)."""
        return self.codes.get(codes, {}).get(value, value) if value else ""


# ------------------------------------------------------------------------------ loading


def load_template(path: str | Path | None = None) -> Template:
    """The shipped template, or the CB's file: .yaml/.yml/.json as data, .xlsx as the official
    template (its sheets, header rows and column order over the shipped column meanings)."""
    base = _from_data(_read_data(DEFAULT_PATH), str(DEFAULT_PATH))
    if path is None or str(path) == "":
        return base
    path = Path(path)
    if not path.is_file():
        raise TemplateError(f"{path}: no such template file")
    if path.suffix.lower() == ".xlsx":
        return template_from_xlsx(path, base)
    return _from_data(_read_data(path), str(path))


def _read_data(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else load_untrusted(text, source=str(path))
    except ValueError as e:  # JSON, YAML and alias errors all derive from it or are wrapped below
        raise TemplateError(f"{path}: {e}") from e
    except Exception as e:  # yaml.YAMLError
        raise TemplateError(f"{path}: not valid YAML ({e})") from e
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: the template is not a mapping")
    return data


def _from_data(data: dict, origin: str) -> Template:
    def fail(where: str, what: str):
        raise TemplateError(f"{origin}: {where}: {what}")

    if data.get("format") != FORMAT:
        fail("format", f"must be {FORMAT!r}")
    codes = data.get("codes") or {}
    if not isinstance(codes, dict) or not all(isinstance(v, dict) for v in codes.values()):
        fail("codes", "must map each list to {value: code}")
    codes = {name: {str(k): str(v) for k, v in values.items()} for name, values in codes.items()}
    sheets = []
    for i, s in enumerate(data.get("sheets") or []):
        where = f"sheets[{i}]"
        if s.get("key") not in SHEET_KEYS:
            fail(f"{where}.key", f"must be one of {', '.join(SHEET_KEYS)}")
        columns = []
        for j, c in enumerate(s.get("columns") or []):
            cw = f"{where}.columns[{j}]"
            if not c.get("key") or not str(c.get("header", "")).strip():
                fail(cw, "needs a key and a header")
            if c.get("kind", TEXT) not in KINDS:
                fail(f"{cw}.kind", f"must be one of {', '.join(KINDS)}")
            if c.get("kind") == CODE and c.get("codes") not in codes:
                fail(f"{cw}.codes", f"names no code list of the template: {c.get('codes')!r}")
            columns.append(
                Column(
                    key=str(c["key"]),
                    header=str(c["header"]).strip(),
                    kind=c.get("kind", TEXT),
                    required=bool(c.get("required", False)),
                    codes=str(c.get("codes", "")),
                    pattern=_pattern(c.get("pattern", ""), f"{cw}.pattern", fail),
                    source=str(c.get("source", "")),
                    assumed=bool(c.get("assumed", False)),
                )
            )
        if len({c.key for c in columns}) != len(columns):
            fail(where, "repeats a column key")
        if not isinstance(s.get("header_row", 1), int) or s.get("header_row", 1) < 1:
            fail(f"{where}.header_row", "must be a row number from 1")
        sheets.append(
            Sheet(
                key=s["key"],
                name=str(s.get("name", "")).strip() or fail(f"{where}.name", "is empty"),
                header_row=s.get("header_row", 1),
                columns=tuple(columns),
                unique=tuple(s.get("unique") or ()),
            )
        )
    if sorted(s.key for s in sheets) != sorted(SHEET_KEYS):
        fail("sheets", f"must be exactly {', '.join(SHEET_KEYS)}, once each")
    deps = []
    for d in data.get("dependencies") or []:
        when = d.get("when") or {}
        deps.append(
            Dependency(
                sheet=str(d.get("sheet", "")),
                column=str(d.get("column", "")),
                needs=str(d.get("needs", "")),
                when_column=str(when.get("column", "")),
                when_in=tuple(str(v) for v in when.get("in", ())),
            )
        )
    template = Template(
        id=str(data.get("id", "")),
        title=str(data.get("title", "")),
        codes=codes,
        sheets=tuple(sheets),
        dependencies=tuple(deps),
        origin=origin,
    )
    for i, d in enumerate(template.dependencies):
        target_sheet, _, target_col = d.needs.partition(".")
        if d.sheet not in SHEET_KEYS or template.sheet(d.sheet).column(d.column) is None:
            fail(f"dependencies[{i}]", f"no column {d.sheet}.{d.column}")
        if target_sheet not in SHEET_KEYS or template.sheet(target_sheet).column(target_col) is None:
            fail(f"dependencies[{i}].needs", f"no column {d.needs}")
    return template


def _pattern(text, where: str, fail) -> str:
    try:
        re.compile(str(text or ""))
    except re.error as e:
        fail(where, f"not a regular expression ({e})")
    return str(text or "")


def _bare(header) -> str:
    """A header cell compared with the template's: no white space, no required-field marks."""
    return re.sub(r"[\s*＊]", "", str(header or ""))


def template_from_xlsx(path: Path, base: Template) -> Template:
    """The official template: each sheet found by its name, its header row (the first row, within
    the first ten, naming a known column; else the first non-empty one) and the rows above it taken
    as they are. A header we know (compared without spaces or '*') keeps its meaning; one we do not
    is written empty (required when marked with '*', so the export stops and names it)."""
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise TemplateError(f"{path}: not a readable .xlsx workbook ({e.__class__.__name__})") from e
    try:
        sheets = []
        for sheet in base.sheets:
            if sheet.name not in wb.sheetnames:
                raise TemplateError(f"{path}: no sheet named {sheet.name!r} (found: {', '.join(wb.sheetnames)})")
            rows = [
                tuple("" if v is None else str(v).strip() for v in row)
                for row in wb[sheet.name].iter_rows(min_row=1, max_row=10, values_only=True)
            ]
            sheets.append(_sheet_from_rows(sheet, rows, path))
    finally:
        wb.close()
    keys = {(s.key, c.key) for s in sheets for c in s.columns if c.filled}
    deps = tuple(d for d in base.dependencies if (d.sheet, d.column) in keys and tuple(d.needs.split(".", 1)) in keys)
    return replace(base, sheets=tuple(sheets), dependencies=deps, origin=str(path))


def _rstrip(row: tuple[str, ...]) -> tuple[str, ...]:
    end = len(row)
    while end and not row[end - 1]:
        end -= 1
    return row[:end]


def _sheet_from_rows(sheet: Sheet, rows: list[tuple[str, ...]], path: Path) -> Sheet:
    known = {_bare(c.header): c for c in sheet.columns}
    header_at = next((i for i, r in enumerate(rows) if any(_bare(v) in known for v in r if v)), None)
    if header_at is None:
        header_at = next((i for i, r in enumerate(rows) if any(r)), None)
    if header_at is None:
        raise TemplateError(f"{path}: sheet {sheet.name!r} has no header row")
    header = list(rows[header_at])
    while header and not header[-1]:
        header.pop()
    columns, used = [], set()
    for n, text in enumerate(header, start=1):
        if not text:
            raise TemplateError(f"{path}: sheet {sheet.name!r}, row {header_at + 1}: column {n} has no header")
        col = known.get(_bare(text))
        marked = text.startswith(("*", "＊"))
        if col is not None and col.key not in used:
            used.add(col.key)
            columns.append(replace(col, header=text, required=col.required or marked))
        else:
            columns.append(
                Column(key=f"col{n}", header=text, required=marked, filled=False, source="official template")
            )
    return replace(
        sheet,
        header_row=header_at + 1,
        columns=tuple(columns),
        unique=tuple(k for k in sheet.unique if k in used),
        preamble=tuple(_rstrip(r) for r in rows[:header_at]),
    )


# ---------------------------------------------------------------------------- validation

ID_RE = re.compile(r"^[0-9A-Z][0-9A-Z-]*$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200d\ufeff]")

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必填项为空", "required cell is empty"),
    "untrimmed": ("首尾有空白字符", "leading or trailing white space"),
    "control": ("含有控制字符或不可见字符", "contains control or invisible characters"),
    "not_upper": ("编号中的字母须大写", "letters in ids must be upper case"),
    "bad_id": (
        "编号 “{value}” 只能含 0-9、A-Z 和 “-”，不得含空格",
        "id '{value}' may hold only 0-9, A-Z and '-', no spaces",
    ),
    "not_date": ("“{value}” 不是日期", "'{value}' is not a date"),
    "not_number": ("“{value}” 不是数字", "'{value}' is not a number"),
    "bad_pattern": ("“{value}” 不符合格式 {pattern}", "'{value}' does not match {pattern}"),
    "not_code": ("“{value}” 不在代码表中（{codes}）", "'{value}' is not in the code list ({codes})"),
    "dependency": (
        "“{value}” 在工作表“{target}”中没有对应的行（以往也未报送）",
        "'{value}' has no row on sheet '{target_en}' (nor was one reported earlier)",
    ),
    "duplicate": ("与同表第 {first} 行重复", "repeats row {first} of this sheet"),
}


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One problem in one cell: the sheet (key and name), the spreadsheet row, the column (key and header)."""

    sheet: str
    sheet_name: str
    row: int
    column: str
    header: str
    code: str
    params: dict = field(default_factory=dict)

    def message(self, lang: str | None = None) -> str:
        zh, en = MESSAGES[self.code]
        return (en if normalise_language(lang) == "en" else zh).format(**self.params)

    def located(self, lang: str | None = None) -> str:
        if normalise_language(lang) == "en":
            return f"sheet {self.sheet_name}, row {self.row}, column {self.header}: {self.message('en')}"
        return f"工作表“{self.sheet_name}”第 {self.row} 行“{self.header}”列：{self.message()}"

    def as_dict(self, lang: str | None = None) -> dict:
        return {
            "sheet": self.sheet_name,
            "row": self.row,
            "column": self.header,
            "code": self.code,
            "message": self.message(lang),
        }


def normalise(rows: dict[str, list[dict]], template: Template) -> dict[str, list[dict]]:
    """A copy of the rows: text trimmed, control and invisible characters replaced by a space, ids
    upper case with white space removed."""
    out = {}
    for sheet in template.sheets:
        kinds = {c.key: c.kind for c in sheet.columns}
        clean = []
        for row in rows.get(sheet.key, []):
            new = dict(row)
            for key, value in row.items():
                if isinstance(value, str):
                    value = CONTROL_RE.sub(" ", value).strip()
                    if kinds.get(key) in (ID, CODE):
                        value = re.sub(r"\s+", "", value).upper() if kinds[key] == ID else value
                new[key] = value
            clean.append(new)
        out[sheet.key] = clean
    return out


def validate(
    rows: dict[str, list[dict]], template: Template, *, earlier: dict[str, set[str]] | None = None
) -> list[CellProblem]:
    """Every problem, sheet by sheet, row by row (the first data row follows the header row).
    `earlier` maps "sheet.column" to the values reported before, which a dependency may name."""
    earlier = earlier or {}
    problems: list[CellProblem] = []
    for sheet in template.sheets:
        problems += _sheet_problems(sheet, rows.get(sheet.key, []), template)
    for dep in template.dependencies:
        problems += _dependency_problems(dep, rows, template, earlier)
    order = {s.key: i for i, s in enumerate(template.sheets)}
    problems.sort(key=lambda p: (order[p.sheet], p.row))
    return problems


def _sheet_problems(sheet: Sheet, rows: list[dict], template: Template) -> list[CellProblem]:
    problems = []
    seen: dict[tuple, int] = {}
    first = sheet.header_row + 1
    for i, row in enumerate(rows):
        n = first + i

        def add(col: Column, code: str, n: int = n, **params):
            problems.append(CellProblem(sheet.key, sheet.name, n, col.key, col.header, code, params))

        for col in sheet.columns:
            value = row.get(col.key) if col.filled else None
            if value is None or (isinstance(value, str) and not value.strip()):
                if col.required:
                    add(col, "required")
                continue
            _cell_problems(col, value, template, add)
        if sheet.unique and all(row.get(k) not in (None, "") for k in sheet.unique):
            ident = tuple(str(row.get(k)) for k in sheet.unique)
            if ident in seen:
                add(sheet.column(sheet.unique[0]), "duplicate", first=seen[ident])
            else:
                seen[ident] = n
    return problems


def _cell_problems(col: Column, value, template: Template, add) -> None:
    if col.kind == DATE:
        if not isinstance(value, date):
            add(col, "not_date", value=value)
        return
    if col.kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            add(col, "not_number", value=value)
        return
    text = value if isinstance(value, str) else str(value)
    if text != text.strip():
        add(col, "untrimmed")
    if CONTROL_RE.search(text):
        add(col, "control")
    if col.kind == ID:
        if text != text.upper():
            add(col, "not_upper")
        elif not ID_RE.match(text):
            add(col, "bad_id", value=text)
    if col.pattern and not re.fullmatch(col.pattern, text):
        add(col, "bad_pattern", value=text, pattern=col.pattern)
    if col.kind == CODE:
        allowed = list(template.codes.get(col.codes, {}).values())
        if text not in allowed:
            add(col, "not_code", value=text, codes="、".join(allowed))


def _dependency_problems(
    dep: Dependency, rows: dict[str, list[dict]], template: Template, earlier: dict[str, set[str]]
) -> list[CellProblem]:
    target_key, _, target_col = dep.needs.partition(".")
    known = {r.get(target_col) for r in rows.get(target_key, [])} | earlier.get(dep.needs, set())
    sheet, target = template.sheet(dep.sheet), template.sheet(target_key)
    col = sheet.column(dep.column)
    out = []
    for i, row in enumerate(rows.get(dep.sheet, [])):
        value = row.get(dep.column)
        if not value or (dep.when_column and row.get(dep.when_column) not in dep.when_in):
            continue
        if value not in known:
            params = {"value": value, "target": target.name, "target_en": EN[target_key]}
            out.append(
                CellProblem(sheet.key, sheet.name, sheet.header_row + 1 + i, col.key, col.header, "dependency", params)
            )
    return out


def month_bounds(month: date) -> tuple[date, date]:
    """First day of the month and first day of the next."""
    first = month.replace(day=1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt


def due_on(recorded: date, *, day: int = 10) -> date:
    """A record of `recorded`'s month is due by the `day`-th of the next month (no holiday extension;
    at most that month's last day)."""
    _, nxt = month_bounds(recorded)
    _, after = month_bounds(nxt)
    return nxt.replace(day=min(day, (after - timedelta(days=1)).day))


def as_day(value) -> date:
    return value.date() if isinstance(value, datetime) else value

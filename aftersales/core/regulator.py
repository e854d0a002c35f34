"""The monthly report to the regulator: the workbook's layout and the rules a report must pass.

Pure Python (no Django): `aftersales.regulator` fills the rows from the database, calls
`normalise` and `validate` here, and writes the workbook only when no problem is left.

The official CNCA layout is not public in this project; `SHEETS` is the project's own layout
(docs/regulator-report.md). A column map (`layout(column_map)`) may drop, reorder or rename
columns per sheet without touching the code that fills the rows.

Rules (`validate`):

- required cells are present (not empty);
- text cells are trimmed (no leading or trailing white space) and hold no control characters;
- ids (case numbers, report numbers, certificate numbers, credit codes) are upper-case and use
  only 0-9, A-Z and "-";
- dates are dates; the sheet's "recorded on" column lies in the reported month;
- references between sheets hold: a case number, report number or certificate number named on
  a sheet is either a row of the sheet it refers to *in this workbook*, or one of the ids the
  caller says belong to earlier months (`earlier`). Earlier means recorded before the month
  began, whether or not that month was exported: the export log shows that separately.

`normalise` trims text, replaces control characters by a space and upper-cases ids; the service
runs it before `validate`, so the only problems left are real gaps in the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .concepts import CaseKind, CaseStatus, CertificateStatus, Level, VersionReason
from .text import normalise_language

TEXT, ID, DATE, NUMBER = "text", "id", "date", "number"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = TEXT
    required: bool = True
    in_month: bool = False  # the row's "recorded on" date: must lie in the reported month
    refers_to: str = ""  # "sheet.column" this id must be found in (or among earlier ids)


@dataclass(frozen=True, slots=True)
class Sheet:
    key: str
    zh: str
    en: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


def _c(*args, **kw) -> Column:
    return Column(*args, **kw)


CASE_NO = ("case_no", "申请编号", "case number", ID)
SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "applications",
        "申请",
        "applications",
        (
            _c(*CASE_NO),
            _c("kind", "认证类型", "kind"),
            _c("enterprise", "组织名称", "enterprise"),
            _c("credit_code", "统一社会信用代码", "unified social credit code", ID),
            _c("scheme", "认证依据", "scheme"),
            _c("status", "当前状态", "current status"),
            _c("submitted_on", "申请日期", "submitted on", DATE, in_month=True),
        ),
    ),
    Sheet(
        "plans",
        "审核计划",
        "audit plans",
        (
            _c(*CASE_NO, refers_to="applications.case_no"),
            _c("enterprise", "组织名称", "enterprise"),
            _c("mode", "审核方式", "audit mode"),
            _c("start_date", "审核开始日期", "first day", DATE),
            _c("end_date", "审核结束日期", "last day", DATE),
            _c("man_days", "审核人日", "man-days", NUMBER),
            _c("leader", "审核组长", "team leader"),
            _c("members", "审核组成员", "team members", required=False),
            _c("sent_on", "计划发出日期", "plan sent on", DATE, in_month=True),
        ),
    ),
    Sheet(
        "results",
        "审核结果",
        "audit results",
        (
            _c("report_no", "审核报告编号", "report number", ID),
            _c(*CASE_NO, refers_to="applications.case_no"),
            _c("enterprise", "组织名称", "enterprise"),
            _c("score", "得分", "score"),
            _c("level", "评定等级", "level"),
            _c("recommended_level", "推荐等级", "recommended level", required=False),
            _c("issued_on", "报告日期", "issued on", DATE, in_month=True),
        ),
    ),
    Sheet(
        "decisions",
        "认证决定",
        "certification decisions",
        (
            _c(*CASE_NO, refers_to="applications.case_no"),
            _c("report_no", "审核报告编号", "report number", ID, refers_to="results.report_no"),
            _c("enterprise", "组织名称", "enterprise"),
            _c("outcome", "认证决定", "outcome"),
            _c("level", "批准等级", "level", required=False),
            _c("decided_on", "决定日期", "decided on", DATE, in_month=True),
        ),
    ),
    Sheet(
        "certificates",
        "证书",
        "certificates",
        (
            _c("certificate_no", "证书编号", "certificate number", ID),
            _c("version", "版本", "version", NUMBER),
            _c("change", "发证/变更原因", "issue or change"),
            _c("enterprise", "组织名称", "enterprise"),
            _c("credit_code", "统一社会信用代码", "unified social credit code", ID),
            _c("level", "等级", "level"),
            _c("scope", "认证范围", "scope"),
            _c("first_issued_on", "初次发证日期", "first issued on", DATE),
            _c("issued_on", "发证日期", "issued on", DATE),
            _c("expires_on", "有效期至", "expires on", DATE),
            _c("status", "证书状态", "status"),
            _c(*CASE_NO, required=False, refers_to="applications.case_no"),
            _c("recorded_on", "登记日期", "recorded on", DATE, in_month=True),
        ),
    ),
    Sheet(
        "status_changes",
        "状态变更",
        "status changes",
        (
            _c("certificate_no", "证书编号", "certificate number", ID, refers_to="certificates.certificate_no"),
            _c("from_status", "原状态", "from", required=False),
            _c("to_status", "新状态", "to"),
            _c("reason", "原因", "reason", required=False),
            _c("effective_on", "生效日期", "effective on", DATE),
            _c("recorded_on", "登记日期", "recorded on", DATE, in_month=True),
        ),
    ),
)
SHEET_KEYS = tuple(s.key for s in SHEETS)

# The workbook is always in Chinese (it goes to the regulator), whatever the UI language.
LABELS: dict[str, dict[str, str]] = {
    "kind": {kind.value: kind.text.zh for kind in CaseKind},
    "level": {level.value: level.text.zh for level in Level},
    "mode": {"on_site": "现场审核", "remote": "远程审核", "mixed": "现场与远程结合"},
    "outcome": {
        "approve": "批准（按推荐等级）",
        "approve_lower": "批准（低于推荐等级）",
        "refuse": "不予认证",
        "send_back": "退回审核组",
    },
    "certificate_status": {status.value: status.short for status in CertificateStatus},
    "case_status": {status.value: status.short for status in CaseStatus},
    "change": {reason.value: reason.short for reason in VersionReason},
}


def label(group: str, code: str) -> str:
    """The workbook's Chinese label of a code (the code itself when it has none)."""
    return LABELS.get(group, {}).get(code, code) if code else ""


# ------------------------------------------------------------------------------------ layout


def layout(column_map: dict | None = None) -> tuple[Sheet, ...]:
    """The sheets with a column map applied: ``{sheet: [column, …]}`` keeps those columns in that
    order, ``{sheet: {column: "header", …}}`` also renames them (the Chinese header). Required
    columns and references cannot be dropped: a map that drops one raises ValueError."""
    if not column_map:
        return SHEETS
    unknown = set(column_map) - set(SHEET_KEYS)
    if unknown:
        raise ValueError(f"column map names unknown sheets: {sorted(unknown)}")
    out = []
    for sheet in SHEETS:
        wanted = column_map.get(sheet.key)
        if wanted is None:
            out.append(sheet)
            continue
        headers = dict(wanted) if isinstance(wanted, dict) else {k: None for k in wanted}
        cols = []
        for key, header in headers.items():
            col = sheet.column(key)  # KeyError for an unknown column
            cols.append(Column(**{**_asdict(col), "zh": header or col.zh}))
        dropped = [c.key for c in sheet.columns if c.key not in headers and (c.required or c.refers_to or c.in_month)]
        if dropped:
            raise ValueError(f"column map drops required columns of {sheet.key}: {dropped}")
        out.append(Sheet(sheet.key, sheet.zh, sheet.en, tuple(cols)))
    return tuple(out)


def _asdict(col: Column) -> dict:
    return {f: getattr(col, f) for f in Column.__slots__}


# ------------------------------------------------------------------------------- validation

ID_RE = re.compile(r"^[0-9A-Z][0-9A-Z-]*$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必填项为空", "required cell is empty"),
    "untrimmed": ("首尾有空白字符", "leading or trailing white space"),
    "control": ("含有控制字符", "contains control characters"),
    "not_upper": ("编号须为大写", "ids must be upper-case"),
    "bad_id": ("编号 “{value}” 只能含 0-9、A-Z 和 “-”", "id '{value}' may hold only 0-9, A-Z and '-'"),
    "not_date": ("“{value}” 不是日期", "'{value}' is not a date"),
    "not_number": ("“{value}” 不是数字", "'{value}' is not a number"),
    "outside_month": (
        "日期 {value} 不在报告月份 {month} 内",
        "date {value} is outside the reported month {month}",
    ),
    "dangling": (
        "“{value}” 在工作表“{target}”及以往月份中均不存在",
        "'{value}' is neither on sheet '{target_en}' nor in an earlier month",
    ),
    "duplicate": ("“{value}” 重复（同表第 {first} 行）", "'{value}' repeats row {first} of this sheet"),
}

# per sheet, the columns that identify a row (a repeat is a problem)
UNIQUE = {
    "applications": ("case_no",),
    "results": ("report_no",),
    "certificates": ("certificate_no", "version"),
}


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One problem in one cell: sheet key, spreadsheet row (the header is row 1), column key."""

    sheet: str
    row: int
    column: str
    code: str
    params: dict = field(default_factory=dict)

    def message(self, lang: str | None = None) -> str:
        zh, en = MESSAGES[self.code]
        return (en if normalise_language(lang) == "en" else zh).format(**self.params)

    def located(self, lang: str | None = None) -> str:
        sheet = _sheet(self.sheet)
        if normalise_language(lang) == "en":
            col = sheet.column(self.column).en if _has(sheet, self.column) else self.column
            return f"sheet {sheet.en}, row {self.row}, column {col}: {self.message('en')}"
        col = sheet.column(self.column).zh if _has(sheet, self.column) else self.column
        return f"工作表“{sheet.zh}”第 {self.row} 行“{col}”列：{self.message()}"

    def as_dict(self, lang: str | None = None) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message(lang),
        }


def _sheet(key: str) -> Sheet:
    for s in SHEETS:
        if s.key == key:
            return s
    raise KeyError(key)


def _has(sheet: Sheet, key: str) -> bool:
    return any(c.key == key for c in sheet.columns)


def month_bounds(month: date) -> tuple[date, date]:
    """First day of the month and first day of the next."""
    first = month.replace(day=1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt


def normalise(rows: dict[str, list[dict]], sheets: tuple[Sheet, ...] = SHEETS) -> dict[str, list[dict]]:
    """A copy of the rows with text trimmed, control characters replaced by a space, ids upper-case."""
    out = {}
    for sheet in sheets:
        kinds = {c.key: c.kind for c in sheet.columns}
        clean = []
        for row in rows.get(sheet.key, []):
            new = dict(row)
            for key, value in row.items():
                if isinstance(value, str):
                    value = CONTROL_RE.sub(" ", value).strip()
                    if kinds.get(key) == ID:
                        value = value.upper()
                new[key] = value
            clean.append(new)
        out[sheet.key] = clean
    return out


def validate(
    rows: dict[str, list[dict]],
    *,
    month: date,
    earlier: dict[str, set[str]] | None = None,
    sheets: tuple[Sheet, ...] = SHEETS,
) -> list[CellProblem]:
    """Every problem of the report, sheet by sheet, row by row (the first data row is row 2).

    `earlier` maps "sheet.column" (e.g. "applications.case_no") to ids recorded before the month,
    which references may name although they are not in this workbook."""
    earlier = earlier or {}
    first, nxt = month_bounds(month)
    problems: list[CellProblem] = []
    present: dict[str, set[str]] = {}
    for sheet in sheets:
        for col in sheet.columns:
            present[f"{sheet.key}.{col.key}"] = {
                r.get(col.key) for r in rows.get(sheet.key, []) if isinstance(r.get(col.key), str)
            }
    # what each reference may name: the rows of its sheet here, and the earlier months' ids
    known = {
        ref: present.get(ref, set()) | earlier.get(ref, set())
        for ref in {c.refers_to for s in sheets for c in s.columns}
        if ref
    }
    for sheet in sheets:
        seen: dict[tuple, int] = {}
        keys = UNIQUE.get(sheet.key)
        columns = [(c.key, c.kind, c.required, c.in_month, c.refers_to) for c in sheet.columns]
        for i, row in enumerate(rows.get(sheet.key, [])):
            n = i + 2
            for key, kind, required, in_month, refers_to in columns:
                value = row.get(key)
                if value is None or value == "" or (isinstance(value, str) and not value.strip()):
                    if required:
                        problems.append(CellProblem(sheet.key, n, key, "required"))
                    continue
                if kind == DATE:
                    if not isinstance(value, date):
                        problems.append(CellProblem(sheet.key, n, key, "not_date", {"value": value}))
                    elif in_month and not (first <= _day(value) < nxt):
                        problems.append(
                            CellProblem(
                                sheet.key,
                                n,
                                key,
                                "outside_month",
                                {"value": _day(value).isoformat(), "month": f"{first:%Y-%m}"},
                            )
                        )
                    continue
                if kind == NUMBER:
                    if isinstance(value, bool) or not isinstance(value, int | Decimal):
                        problems.append(CellProblem(sheet.key, n, key, "not_number", {"value": value}))
                    continue
                text = value if isinstance(value, str) else str(value)
                if text != text.strip():
                    problems.append(CellProblem(sheet.key, n, key, "untrimmed"))
                if CONTROL_RE.search(text):
                    problems.append(CellProblem(sheet.key, n, key, "control"))
                if kind == ID:
                    if text != text.upper():
                        problems.append(CellProblem(sheet.key, n, key, "not_upper"))
                    elif not ID_RE.match(text.strip()):
                        problems.append(CellProblem(sheet.key, n, key, "bad_id", {"value": text}))
                if refers_to and text not in known[refers_to]:
                    target = _sheet(refers_to.split(".")[0])
                    problems.append(
                        CellProblem(
                            sheet.key, n, key, "dangling", {"value": text, "target": target.zh, "target_en": target.en}
                        )
                    )
            if keys and all(row.get(k) not in (None, "") for k in keys):
                ident = tuple(row.get(k) for k in keys)
                if ident in seen:
                    problems.append(
                        CellProblem(
                            sheet.key,
                            n,
                            keys[0],
                            "duplicate",
                            {"value": " ".join(str(x) for x in ident), "first": seen[ident]},
                        )
                    )
                else:
                    seen[ident] = n
    return problems


def _day(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value

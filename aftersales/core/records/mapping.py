"""Mapping files: how one enterprise's export (CSV/XLSX) maps onto the canonical record fields.

The format (`format: aftersales-mapping/1`) is documented in docs/records.md. `load_mapping`
validates the whole file and raises `ProblemsError` listing every problem with its path
(e.g. `values.status.挂起`); a loaded `Mapping` carries the SHA-256 of the file's bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import polars as pl
import yaml

from ..problems import Problem, ProblemsError
from ..safe_yaml import load_untrusted
from .fields import FIELDS, SUBJECT_KINDS, Channel, Kind, StatusCategory, field_names

FORMAT = "aftersales-mapping/1"
ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb18030")
DEFAULT_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)
# yes/no words accepted for bool fields in addition to the mapping's own `values` map
DEFAULT_BOOLS = MappingProxyType(
    {
        "是": True,
        "否": False,
        "true": True,
        "false": False,
        "yes": True,
        "no": False,
        "y": True,
        "n": False,
        "1": True,
        "0": False,
    }
)

_KEYS = {"format", "kind", "title", "encoding", "skip_rows", "sheet", "columns", "date_formats", "values", "categories"}
_REQUIRED = {"format", "kind", "encoding", "columns"}
_MAPPABLE_TYPES = {"status", "channel", "bool", "kind_ref", "text"}


@dataclass(frozen=True)
class Mapping:
    """A validated mapping file."""

    name: str
    kind: Kind
    encoding: str
    skip_rows: int
    sheet: str | None
    columns: MappingABC[str, str]  # canonical field -> source header
    date_formats: MappingABC[str, tuple[str, ...]]  # canonical datetime field or "default" -> formats
    values: MappingABC[str, MappingABC[str, object]]  # canonical field -> {source value: canonical value}
    categories: tuple[str, ...] | None  # closed list of complaint categories (after `values.category`)
    sha256: str
    title: str = ""

    def formats_for(self, field: str) -> tuple[str, ...]:
        return self.date_formats.get(field) or self.date_formats["default"]

    def source(self, field: str) -> str:
        """The source header mapped to `field`."""
        return self.columns[field]


def load_mapping(text: str | bytes, *, name: str = "") -> Mapping:
    """Validate a mapping file; raise `ProblemsError` with every problem (path in `where`)."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        raw = load_untrusted(data.decode("utf-8-sig"), source=name or "/")
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProblemsError(
            [Problem("records_mapping_not_yaml", where=name or "/", params={"error": str(exc).splitlines()[0]})]
        ) from exc
    return _Builder(name, sha256).build(raw)


def shipped_mappings() -> dict[str, Path]:
    """The mappings shipped in aftersales/core/records/mappings/: name (file stem) -> path."""
    folder = Path(str(resources.files("aftersales.core.records").joinpath("mappings")))
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def mapping_title(name: str) -> str:
    """What a shipped mapping is called on a page (its `title`); another name as it is."""
    if name not in shipped_mappings():
        return name
    return get_mapping(name).title or name


def get_mapping(name_or_path: str | Path) -> Mapping:
    """A shipped mapping by name, or a mapping file by path."""
    shipped = shipped_mappings()
    path = shipped.get(str(name_or_path)) or Path(name_or_path)
    if not path.exists():
        known = ", ".join(shipped)
        raise ProblemsError(
            [Problem("records_mapping_unknown", where=str(name_or_path), params={"name": name_or_path, "known": known})]
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProblemsError(
            [Problem("records_mapping_unreadable", where=str(path), params={"error": exc.strerror})]
        ) from exc
    return load_mapping(data, name=path.stem)


class _Builder:
    def __init__(self, name: str, sha256: str):
        self.name = name
        self.sha256 = sha256
        self.problems: list[Problem] = []

    def problem(self, code: str, where: str, **params: object) -> None:
        self.problems.append(Problem(code, where=where, params=params))

    def build(self, raw: object) -> Mapping:
        if not isinstance(raw, dict):
            self.problem("records_mapping_not_mapping", "/")
            raise ProblemsError(self.problems)
        for key in raw:
            if key not in _KEYS:
                self.problem("records_mapping_unknown_key", str(key), key=key)
        for key in sorted(_REQUIRED - set(raw)):
            self.problem("records_mapping_missing_key", "/", key=key)
        if "format" in raw and raw["format"] != FORMAT:
            self.problem("records_mapping_bad_value", "format", value=raw["format"], expected=FORMAT)

        kind = None
        if "kind" in raw:
            try:
                kind = Kind(raw["kind"])
            except ValueError:
                self.problem("records_mapping_bad_value", "kind", value=raw["kind"], expected=" | ".join(Kind))
        encoding = raw.get("encoding", "utf-8")
        if encoding not in ENCODINGS:
            self.problem("records_mapping_bad_value", "encoding", value=encoding, expected=" | ".join(ENCODINGS))
        skip_rows = raw.get("skip_rows", 0)
        if not (isinstance(skip_rows, int) and not isinstance(skip_rows, bool) and 0 <= skip_rows <= 1000):
            self.problem("records_mapping_bad_value", "skip_rows", value=skip_rows, expected="0..1000")
        sheet = raw.get("sheet")
        if sheet is not None and not (isinstance(sheet, str) and sheet.strip()):
            self.problem("records_mapping_bad_value", "sheet", value=sheet, expected="a sheet name")
        title = raw.get("title", "")
        if not isinstance(title, str):
            self.problem("records_mapping_bad_value", "title", value=title, expected="a string")
            title = ""

        columns = self.columns(raw.get("columns"), kind) if "columns" in raw else {}
        date_formats = self.date_formats(raw.get("date_formats"), kind)
        categories = self.categories(raw.get("categories"))
        values = self.values(raw.get("values"), kind, categories)

        if self.problems:
            raise ProblemsError(self.problems)
        assert kind is not None
        return Mapping(
            name=self.name,
            kind=kind,
            encoding=encoding,
            skip_rows=skip_rows,
            sheet=sheet,
            columns=MappingProxyType(columns),
            date_formats=MappingProxyType(date_formats),
            values=MappingProxyType({k: MappingProxyType(v) for k, v in values.items()}),
            categories=categories,
            sha256=self.sha256,
            title=title,
        )

    def columns(self, raw: object, kind: Kind | None) -> dict[str, str]:
        if not isinstance(raw, dict) or not raw:
            self.problem("records_mapping_not_mapping", "columns")
            return {}
        out = {}
        known = field_names(kind) if kind else ()
        for fname, header in raw.items():
            where = f"columns.{fname}"
            if kind and fname not in known:
                self.problem(
                    "records_mapping_unknown_field", where, field=fname, kind=kind.value, allowed=", ".join(known)
                )
                continue
            if not (isinstance(header, str | int) and str(header).strip()):
                self.problem("records_mapping_bad_value", where, value=header, expected="a source column header")
                continue
            out[str(fname)] = str(header).strip()
        if kind:
            for f in FIELDS[kind]:
                if f.required and f.name not in out and f.name not in raw:
                    self.problem("records_mapping_required_unmapped", "columns", field=f.name)
        return out

    def date_formats(self, raw: object, kind: Kind | None) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {"default": DEFAULT_DATE_FORMATS}
        if raw is None:
            return out
        if not isinstance(raw, dict):
            self.problem("records_mapping_not_mapping", "date_formats")
            return out
        dt_fields = {f.name for f in FIELDS[kind] if f.type == "datetime"} if kind else set()
        for key, formats in raw.items():
            where = f"date_formats.{key}"
            if kind and key != "default" and key not in dt_fields:
                allowed = ", ".join(["default", *sorted(dt_fields)])
                self.problem("records_mapping_unknown_field", where, field=key, kind=kind.value, allowed=allowed)
                continue
            items = [formats] if isinstance(formats, str) else formats
            if not isinstance(items, list) or not items:
                self.problem(
                    "records_mapping_bad_value", where, value=formats, expected="a format or a list of formats"
                )
                continue
            good = []
            for i, fmt in enumerate(items):
                if _date_format_ok(fmt):
                    good.append(fmt)
                else:
                    self.problem("records_mapping_bad_date_format", f"{where}[{i}]", value=fmt)
            out[str(key)] = tuple(good)
        return out

    def categories(self, raw: object) -> tuple[str, ...] | None:
        if raw is None:
            return None
        if not isinstance(raw, list) or not raw or not all(isinstance(c, str) and c.strip() for c in raw):
            self.problem("records_mapping_bad_value", "categories", value=raw, expected="a list of category names")
            return None
        return tuple(c.strip() for c in raw)

    def values(self, raw: object, kind: Kind | None, categories: tuple[str, ...] | None) -> dict[str, dict]:
        if raw is None or kind is None:
            return {}
        if not isinstance(raw, dict):
            self.problem("records_mapping_not_mapping", "values")
            return {}
        types = {f.name: f.type for f in FIELDS[kind]}
        out: dict[str, dict] = {}
        for fname, table in raw.items():
            where = f"values.{fname}"
            if types.get(fname) not in _MAPPABLE_TYPES or fname == "external_id":
                allowed = ", ".join(n for n, t in types.items() if t in _MAPPABLE_TYPES and n != "external_id")
                self.problem("records_mapping_unknown_field", where, field=fname, kind=kind.value, allowed=allowed)
                continue
            if not isinstance(table, dict) or not table:
                self.problem("records_mapping_not_mapping", where)
                continue
            expected, check = _value_rule(types[fname], fname, categories)
            out[fname] = {}
            for source, target in table.items():
                if not check(target):
                    self.problem("records_mapping_bad_value", f"{where}.{source}", value=target, expected=expected)
                    continue
                out[fname][str(source).strip()] = target if isinstance(target, bool) else str(target)
        return out


def _value_rule(type_: str, fname: str, categories: tuple[str, ...] | None):
    if type_ == "status":
        allowed = tuple(StatusCategory)
        return " | ".join(allowed), lambda v: v in allowed
    if type_ == "channel":
        allowed = tuple(Channel)
        return " | ".join(allowed), lambda v: v in allowed
    if type_ == "kind_ref":
        return " | ".join(SUBJECT_KINDS), lambda v: v in SUBJECT_KINDS
    if type_ == "bool":
        return "true | false", lambda v: isinstance(v, bool)
    if fname == "category" and categories is not None:
        return " | ".join(categories), lambda v: v in categories
    return "a non-empty string", lambda v: isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip()


def _date_format_ok(fmt: object) -> bool:
    if not isinstance(fmt, str) or "%" not in fmt:
        return False
    if not any(d in fmt for d in ("%Y", "%y", "%F")):
        return False
    try:
        pl.Series(["2026-01-01"]).str.strptime(pl.Datetime("us"), fmt, strict=False)
    except Exception:  # polars rejects the format itself (not just this value)
        return False
    return True

"""Schemes: versioned evaluation tables loaded from YAML into a frozen model.

The file format is documented in docs/scheme-format.md. `load_scheme` validates the whole file and
raises `ProblemsError` with every problem and the path of the offending node; a loaded `Scheme`
carries the SHA-256 of the file's bytes, which every result stores.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import yaml

from .concepts import LEVEL_TEXT, Level  # noqa: F401 (LEVEL_TEXT: re-exported)
from .problems import Problem, ProblemsError
from .safe_yaml import load_untrusted
from .text import Text

FORMAT = "aftersales-scheme/1"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")


class SpecialTiming(StrEnum):
    AFTER_NORMALISATION = "after_normalisation"
    BEFORE_NORMALISATION = "before_normalisation"


class Rounding(StrEnum):
    DOWN = "down"
    HALF_UP = "half_up"
    HALF_EVEN = "half_even"


class SchemeStatus(StrEnum):
    REFERENCE = "reference"
    OFFICIAL = "official"


class Basis(StrEnum):
    STANDARD = "standard"
    INFERRED = "inferred"


@dataclass(frozen=True, slots=True)
class Parameters:
    """The rules the standard leaves open, stated by each scheme (domain.md §2)."""

    levels: tuple[tuple[Level, Fraction], ...]  # ascending by threshold
    special_items_apply: SpecialTiming
    special_deduction_points: Fraction
    special_deduction_fail_count: int | None
    special_bonus_points: Fraction
    special_bonus_max: int
    clamp_score: bool
    display_decimals: int
    display_rounding: Rounding
    section_floor: Fraction | None
    stars_after_months: int | None

    @property
    def minimum(self) -> Fraction:
        """The lowest passing score (the 达标 threshold, or the lowest level a scheme defines)."""
        return self.levels[0][1]

    def threshold(self, level: Level) -> Fraction | None:
        return dict(self.levels).get(level)

    def level_for(self, score: Fraction) -> Level:
        """The highest level whose threshold the exact score reaches (thresholds inclusive)."""
        reached = Level.FAIL
        for level, threshold in self.levels:
            if score >= threshold:
                reached = level
        return reached

    def next_level(self, level: Level) -> Level | None:
        for candidate, _ in self.levels:
            if candidate.rank > level.rank:
                return candidate
        return None


@dataclass(frozen=True, slots=True)
class Node:
    id: str  # permanent: "<scheme id>:<code>"
    code: str
    title: Text
    points: Fraction
    depth: int  # 1 = top level (category or section)
    children: tuple[Node, ...] = ()
    parent_id: str | None = None
    basis: Basis = Basis.STANDARD
    guidance: Text | None = None
    excludable: bool = False
    sampled: bool = False
    partial: bool = False

    @property
    def is_item(self) -> bool:
        return not self.children

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()

    def items(self) -> Iterator[Node]:
        return (n for n in self.walk() if n.is_item)


@dataclass(frozen=True, slots=True)
class Scheme:
    id: str
    version: str
    standard: str
    status: SchemeStatus
    title: Text
    note: Text | None
    total: Fraction
    parameters: Parameters
    nodes: tuple[Node, ...]  # top level
    sha256: str
    source: str = field(compare=False)  # where it was loaded from; not part of its identity
    _index: Mapping[str, Node] = field(repr=False, compare=False, default=MappingProxyType({}))

    @property
    def items(self) -> tuple[Node, ...]:
        return tuple(n for top in self.nodes for n in top.items())

    @property
    def is_reference(self) -> bool:
        return self.status is SchemeStatus.REFERENCE

    def walk(self) -> Iterator[Node]:
        for top in self.nodes:
            yield from top.walk()

    def node(self, node_id: str) -> Node:
        """A node by permanent id or by code; KeyError if unknown."""
        if node_id in self._index:
            return self._index[node_id]
        return self._index[f"{self.id}:{node_id}"]

    def has_node(self, node_id: str) -> bool:
        return node_id in self._index or f"{self.id}:{node_id}" in self._index

    def top_level_of(self, node_id: str) -> Node:
        node = self.node(node_id)
        while node.parent_id is not None:
            node = self._index[node.parent_id]
        return node

    def ancestors(self, node_id: str) -> tuple[Node, ...]:
        """The node's ancestors, nearest first."""
        out = []
        node = self.node(node_id)
        while node.parent_id is not None:
            node = self._index[node.parent_id]
            out.append(node)
        return tuple(out)


# --------------------------------------------------------------------------------------- loading


def load_scheme(path: str | Path) -> Scheme:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProblemsError([Problem("scheme_unreadable", where=str(path), params={"error": exc.strerror})]) from exc
    return load_scheme_bytes(data, source=str(path))


def load_scheme_bytes(data: bytes, *, source: str = "<bytes>") -> Scheme:
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        raw = load_untrusted(data.decode("utf-8-sig"), source=source)
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProblemsError(
            [Problem("scheme_not_yaml", where=source, params={"error": str(exc).splitlines()[0]})]
        ) from exc
    return _Builder(source, sha256).build(raw)


@cache
def shipped_schemes() -> tuple[Scheme, ...]:
    """The schemes shipped in aftersales/core/schemes/, sorted by id."""
    folder = resources.files("aftersales.core").joinpath("schemes")
    found = [
        load_scheme_bytes(entry.read_bytes(), source=f"aftersales/core/schemes/{entry.name}")
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml")
    ]
    return tuple(sorted(found, key=lambda s: s.id))


def get_scheme(id_or_path: str) -> Scheme:
    """A shipped scheme by id, or a scheme file by path."""
    for scheme in shipped_schemes():
        if scheme.id == id_or_path:
            return scheme
    path = Path(id_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        return load_scheme(path)
    known = ", ".join(s.id for s in shipped_schemes())
    raise ProblemsError([Problem("scheme_unknown", where=id_or_path, params={"known": known})])


# --------------------------------------------------------------------------------------- builder

_TOP_KEYS = {"format", "id", "version", "standard", "status", "title", "note", "total", "parameters", "nodes"}
_TOP_REQUIRED = _TOP_KEYS - {"note"}
_NODE_KEYS = {"code", "title", "points", "basis", "guidance", "children", "excludable", "sampled", "partial"}
_FLAGS = ("excludable", "sampled", "partial")
_PARAM_KEYS = {
    "levels",
    "special_items_apply",
    "special_deduction",
    "special_bonus",
    "clamp_score",
    "display",
    "section_floor",
    "stars_after_months",
}


class _Builder:
    def __init__(self, source: str, sha256: str):
        self.source = source
        self.sha256 = sha256
        self.problems: list[Problem] = []
        self.scheme_id = "?"
        self.index: dict[str, Node] = {}
        self.first_seen: dict[str, str] = {}

    def problem(self, code: str, where: str, **params: object) -> None:
        self.problems.append(Problem(code, where=where, params=params))

    def build(self, raw: object) -> Scheme:
        if not isinstance(raw, dict):
            self.problem("scheme_not_mapping", "/")
            raise ProblemsError(self.problems)
        self.keys(raw, "/", allowed=_TOP_KEYS, required=_TOP_REQUIRED)
        if raw.get("format") != FORMAT and "format" in raw:
            self.problem("scheme_bad_value", "format", value=raw.get("format"), expected=FORMAT)
        scheme_id = raw.get("id")
        if not (isinstance(scheme_id, str) and ID_PATTERN.match(scheme_id)):
            if "id" in raw:
                self.problem("scheme_bad_value", "id", value=scheme_id, expected="[a-z0-9-]+")
        else:
            self.scheme_id = scheme_id
        version = raw.get("version")
        if "version" in raw and not (isinstance(version, str) and version.strip()):
            self.problem("scheme_bad_value", "version", value=version, expected="a non-empty string")
        standard = raw.get("standard")
        if "standard" in raw and not (isinstance(standard, str) and standard.strip()):
            self.problem("scheme_bad_value", "standard", value=standard, expected="a non-empty string")
        status = self.enum(raw.get("status"), SchemeStatus, "status") if "status" in raw else None
        title = self.text(raw.get("title"), "title") if "title" in raw else None
        note = self.text(raw.get("note"), "note") if raw.get("note") is not None else None
        if status is SchemeStatus.REFERENCE and note is None:
            self.problem("scheme_reference_needs_note", "note")
        total = self.points(raw.get("total"), "total") if "total" in raw else None
        params = self.parameters(raw.get("parameters"), "parameters") if "parameters" in raw else None

        nodes_raw = raw.get("nodes")
        nodes: tuple[Node, ...] = ()
        if "nodes" in raw:
            if not isinstance(nodes_raw, list) or not nodes_raw:
                self.problem("scheme_bad_value", "nodes", value=type(nodes_raw).__name__, expected="a non-empty list")
            else:
                nodes = tuple(
                    n
                    for i, item in enumerate(nodes_raw)
                    if (n := self.node(item, f"nodes[{i}]", depth=1, parent_id=None)) is not None
                )
        if total is not None and nodes and len(nodes) == len(nodes_raw):
            added = sum((n.points for n in nodes), Fraction(0))
            if added != total:
                self.problem("scheme_total_mismatch", "total", total=total, sum=added)

        if self.problems:
            raise ProblemsError(self.problems)
        assert title is not None and status is not None and total is not None and params is not None
        return Scheme(
            id=self.scheme_id,
            version=version,
            standard=standard,
            status=status,
            title=title,
            note=note,
            total=total,
            parameters=params,
            nodes=nodes,
            sha256=self.sha256,
            source=self.source,
            _index=MappingProxyType(dict(self.index)),
        )

    # -- pieces

    def keys(self, raw: dict, where: str, *, allowed: set[str], required: set[str]) -> None:
        for key in raw:
            if key not in allowed:
                self.problem("scheme_unknown_key", where, key=key)
        for key in sorted(required - raw.keys()):
            self.problem("scheme_missing_key", where, key=key)

    def text(self, raw: object, where: str) -> Text | None:
        if (
            isinstance(raw, dict)
            and set(raw) == {"zh-Hans", "en"}
            and all(isinstance(v, str) and v.strip() for v in raw.values())
        ):
            return Text(raw["zh-Hans"].strip(), raw["en"].strip())
        self.problem("scheme_bad_text", where)
        return None

    def points(self, raw: object, where: str) -> Fraction | None:
        value = parse_points(raw)
        if value is None or value <= 0:
            self.problem("scheme_bad_points", where, value=raw)
            return None
        return value

    def enum[E: StrEnum](self, raw: object, enum: type[E], where: str) -> E | None:
        try:
            return enum(raw)
        except ValueError:
            self.problem("scheme_bad_value", where, value=raw, expected=" | ".join(e.value for e in enum))
            return None

    def flag(self, raw: dict, key: str, where: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            self.problem("scheme_bad_value", f"{where}.{key}", value=value, expected="true | false")
            return False
        return value

    def node(self, raw: object, where: str, *, depth: int, parent_id: str | None) -> Node | None:
        if not isinstance(raw, dict):
            self.problem("scheme_not_mapping", where)
            return None
        code = raw.get("code")
        if isinstance(code, (int, float)):
            code = str(code)
        label = where
        node_id = None
        if isinstance(code, str) and CODE_PATTERN.match(code):
            node_id = f"{self.scheme_id}:{code}"
            label = f"{where} ({node_id})"
        elif "code" in raw:
            self.problem("scheme_bad_value", f"{where}.code", value=code, expected="letters, digits, '.' and '-'")
        self.keys(raw, label, allowed=_NODE_KEYS, required={"code", "title", "points"})
        title = self.text(raw.get("title"), f"{label}.title") if "title" in raw else None
        guidance = self.text(raw.get("guidance"), f"{label}.guidance") if raw.get("guidance") is not None else None
        points = self.points(raw.get("points"), f"{label}.points") if "points" in raw else None
        basis = self.enum(raw.get("basis", "standard"), Basis, f"{label}.basis")
        flags = {key: self.flag(raw, key, label) for key in _FLAGS}

        children_raw = raw.get("children")
        children: tuple[Node, ...] = ()
        if children_raw is not None:
            if not isinstance(children_raw, list) or not children_raw:
                self.problem(
                    "scheme_bad_value",
                    f"{label}.children",
                    value=type(children_raw).__name__,
                    expected="a non-empty list",
                )
            else:
                built = [
                    self.node(child, f"{where}.children[{i}]", depth=depth + 1, parent_id=node_id)
                    for i, child in enumerate(children_raw)
                ]
                children = tuple(c for c in built if c is not None)
                if points is not None and len(children) == len(built):
                    added = sum((c.points for c in children), Fraction(0))
                    if added != points:
                        self.problem("scheme_children_mismatch", label, points=points, sum=added)
            for key in _FLAGS:
                if flags[key]:
                    self.problem("scheme_flag_on_interior", label, flag=key)

        if node_id is None or title is None or points is None or basis is None:
            return None
        if node_id in self.index:
            self.problem("scheme_duplicate_id", label, id=node_id, first=self.first_seen[node_id])
            return None
        node = Node(
            id=node_id,
            code=code,
            title=title,
            points=points,
            depth=depth,
            children=children,
            parent_id=parent_id,
            basis=basis,
            guidance=guidance,
            **flags,
        )
        self.index[node_id] = node
        self.first_seen[node_id] = where
        return node

    def parameters(self, raw: object, where: str) -> Parameters | None:
        if not isinstance(raw, dict):
            self.problem("scheme_not_mapping", where)
            return None
        self.keys(raw, where, allowed=_PARAM_KEYS, required=_PARAM_KEYS)
        before = len(self.problems)

        levels: list[tuple[Level, Fraction]] = []
        levels_raw = raw.get("levels")
        if isinstance(levels_raw, dict) and levels_raw:
            for name, value in levels_raw.items():
                level = self.enum(name, Level, f"{where}.levels")
                threshold = parse_points(value)
                if level is Level.FAIL:
                    self.problem("scheme_bad_value", f"{where}.levels", value=name, expected="a passing level")
                elif threshold is None or not 0 < threshold <= 100:
                    self.problem("scheme_bad_threshold", f"{where}.levels.{name}", value=value)
                elif level is not None:
                    levels.append((level, threshold))
            ordered = sorted(levels, key=lambda lt: lt[0].rank)
            if any(a[1] >= b[1] for a, b in itertools.pairwise(ordered)):
                self.problem("scheme_levels_order", f"{where}.levels")
            levels = ordered
        elif "levels" in raw:
            self.problem("scheme_bad_value", f"{where}.levels", value=levels_raw, expected="a mapping level: threshold")

        timing = self.enum(raw.get("special_items_apply"), SpecialTiming, f"{where}.special_items_apply")

        deduction = self.sub(raw, "special_deduction", where, {"points", "fail_count"})
        ded_points = self.points(deduction.get("points"), f"{where}.special_deduction.points")
        fail_count = deduction.get("fail_count")
        if fail_count is not None and not (
            isinstance(fail_count, int) and not isinstance(fail_count, bool) and fail_count > 0
        ):
            self.problem(
                "scheme_bad_value",
                f"{where}.special_deduction.fail_count",
                value=fail_count,
                expected="a positive integer or null",
            )

        bonus = self.sub(raw, "special_bonus", where, {"points", "max"})
        bonus_points = self.points(bonus.get("points"), f"{where}.special_bonus.points")
        bonus_max = bonus.get("max")
        if not (isinstance(bonus_max, int) and not isinstance(bonus_max, bool) and bonus_max >= 0):
            self.problem("scheme_bad_value", f"{where}.special_bonus.max", value=bonus_max, expected="an integer ≥ 0")

        clamp = raw.get("clamp_score")
        if not isinstance(clamp, bool):
            self.problem("scheme_bad_value", f"{where}.clamp_score", value=clamp, expected="true | false")

        display = self.sub(raw, "display", where, {"decimals", "rounding"})
        decimals = display.get("decimals")
        if not (isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 6):
            self.problem("scheme_bad_value", f"{where}.display.decimals", value=decimals, expected="0..6")
        rounding = self.enum(display.get("rounding"), Rounding, f"{where}.display.rounding")

        floor_raw = raw.get("section_floor")
        floor = None
        if floor_raw is not None:
            floor = parse_points(floor_raw)
            if floor is None or not 0 < floor <= 1:
                self.problem(
                    "scheme_bad_value",
                    f"{where}.section_floor",
                    value=floor_raw,
                    expected='null or a share in (0, 1], e.g. "1/2"',
                )

        months = raw.get("stars_after_months")
        if months is not None and not (isinstance(months, int) and not isinstance(months, bool) and months > 0):
            self.problem(
                "scheme_bad_value", f"{where}.stars_after_months", value=months, expected="null or a positive integer"
            )

        if len(self.problems) > before or not levels:
            return None
        return Parameters(
            levels=tuple(levels),
            special_items_apply=timing,
            special_deduction_points=ded_points,
            special_deduction_fail_count=fail_count,
            special_bonus_points=bonus_points,
            special_bonus_max=bonus_max,
            clamp_score=clamp,
            display_decimals=decimals,
            display_rounding=rounding,
            section_floor=floor,
            stars_after_months=months,
        )

    def sub(self, raw: dict, key: str, where: str, keys: set[str]) -> dict:
        value = raw.get(key)
        if not isinstance(value, dict):
            if key in raw:
                self.problem("scheme_not_mapping", f"{where}.{key}")
            return {}
        self.keys(value, f"{where}.{key}", allowed=keys, required=keys)
        return value


MAX_NUMBER_LENGTH = 40  # characters; no points, count or threshold needs more
MAX_EXPONENT = 12  # decimal exponent bound: 10**12 points is far beyond any scheme


def parse_points(raw: object) -> Fraction | None:
    """Exact points from an int, a decimal string ("2.5"), a fraction string ("1/2") or a float
    literal (taken by its decimal repr, so 2.5 means exactly 5/2). None if it is not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Fraction(raw)
    if isinstance(raw, float):
        raw = repr(raw)
    if isinstance(raw, Decimal):
        return Fraction(raw) if raw.is_finite() else None
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > MAX_NUMBER_LENGTH:
            return None
        try:
            if "/" in text:
                num, den = text.split("/", 1)
                return Fraction(int(num), int(den))
            value = Decimal(text)
        except (ValueError, ZeroDivisionError, InvalidOperation):
            return None
        # An exponent such as 1e999999999 would make Fraction build a number with a billion digits.
        if not value.is_finite() or (value and not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT):
            return None
        return Fraction(value)
    return None

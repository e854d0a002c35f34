"""Audit man-days from a rule kept as data (`rules/mandays-default.yaml` or a CB's own file).

initial effort = base(size band by total staff, industry risk class)
               + per_product_category × (categories − categories included)
               + per_fixed_outlet × fixed outlets visited
man-days       = initial effort × kind factor (surveillance ≈ 1/3, recertification ≈ 2/3),
                 rounded UP to a multiple of `round_up_to`, at least `minimum`.

Exact arithmetic (Fraction inside, Decimal out); `calculate` returns every line of the
calculation so the page can show it. An override (by the reviewer, with a reason) replaces the
result but never the calculation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from .concepts import CaseKind, RiskClass
from .safe_yaml import load_untrusted
from .text import Text

FORMAT = "aftersales-mandays/1"
DEFAULT_PATH = Path(__file__).resolve().parent / "rules" / "mandays-default.yaml"
KINDS = ("initial", "surveillance", "recertification")
KIND_TEXT = {kind.value: kind.text for kind in CaseKind}


class RuleError(ValueError):
    """The rule file is not usable; the message names the key."""


@dataclass(frozen=True, slots=True)
class Band:
    max_staff: int | None
    base: dict[str, Fraction]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    risk_classes: tuple[str, ...]
    bands: tuple[Band, ...]
    per_product_category: Fraction
    product_categories_included: int
    per_fixed_outlet: Fraction
    kind_factor: dict[str, Fraction]
    round_up_to: Fraction
    minimum: Fraction


@dataclass(frozen=True, slots=True)
class Line:
    label: Text
    amount: Decimal  # man-days this line adds (or the subtotal/result it states)


@dataclass(frozen=True, slots=True)
class Calculation:
    rule_id: str
    lines: tuple[Line, ...]
    result: Decimal

    def as_json(self) -> dict:
        return {
            "rule": self.rule_id,
            "lines": [{"zh-Hans": ln.label.zh, "en": ln.label.en, "amount": str(ln.amount)} for ln in self.lines],
            "result": str(self.result),
        }


def _fraction(raw: object, where: str) -> Fraction:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise RuleError(f'{where}: write numbers as strings ("0.5", "1/3"), not {raw!r}')
    try:
        value = Fraction(str(raw))
    except (ValueError, ZeroDivisionError) as exc:
        raise RuleError(f"{where}: {raw!r} is not a number") from exc
    if value < 0:
        raise RuleError(f"{where}: {raw!r} is negative")
    return value


def parse_rule(raw: object) -> Rule:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise RuleError(f"format: expected {FORMAT}")
    try:
        risks = tuple(raw["risk_classes"])
        bands = []
        for i, b in enumerate(raw["size_bands"]):
            base = {r: _fraction(b["base"][r], f"size_bands[{i}].base.{r}") for r in risks}
            bands.append(Band(b["max_staff"], base))
        factor = {k: _fraction(raw["kind_factor"][k], f"kind_factor.{k}") for k in KINDS}
        rule = Rule(
            id=str(raw["id"]),
            risk_classes=risks,
            bands=tuple(bands),
            per_product_category=_fraction(raw["per_product_category"], "per_product_category"),
            product_categories_included=int(raw["product_categories_included"]),
            per_fixed_outlet=_fraction(raw["per_fixed_outlet"], "per_fixed_outlet"),
            kind_factor=factor,
            round_up_to=_fraction(raw["round_up_to"], "round_up_to"),
            minimum=_fraction(raw["minimum"], "minimum"),
        )
    except KeyError as exc:
        raise RuleError(f"missing key {exc.args[0]!r}") from exc
    if not rule.bands or rule.bands[-1].max_staff is not None:
        raise RuleError("size_bands: the last band must have max_staff: null")
    bounds = [b.max_staff for b in rule.bands[:-1]]
    if any(not isinstance(m, int) for m in bounds) or bounds != sorted(set(bounds)):
        raise RuleError("size_bands: max_staff must be ascending integers")
    if rule.round_up_to <= 0:
        raise RuleError("round_up_to: must be positive")
    if rule.per_fixed_outlet < Fraction(1, 2):
        raise RuleError("per_fixed_outlet: at least 0.5 man-day per fixed outlet visited")
    return rule


def load_rule(path: str | Path = DEFAULT_PATH) -> Rule:
    return parse_rule(load_untrusted(Path(path).read_text(encoding="utf-8"), source=str(path)))


def round_up(value: Fraction, step: Fraction) -> Fraction:
    return math.ceil(value / step) * step


def _terminates(value: Fraction) -> bool:
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _dec(value: Fraction) -> Decimal:
    """Exact when the value has a finite decimal form; otherwise 4 places (shown, never used further)."""
    d = Decimal(value.numerator) / Decimal(value.denominator)
    return d if _terminates(value) else d.quantize(Decimal("0.0001"))


def _show(value: Fraction) -> str:
    """'1', '0.5' or '1/3'."""
    return str(_dec(value)) if _terminates(value) else f"{value.numerator}/{value.denominator}"


def calculate(
    rule: Rule, *, kind: str, staff: int, risk_class: str, product_categories: int, fixed_outlets_visited: int
) -> Calculation:
    """The man-days and the lines that lead to them. ValueError for an unknown kind or risk class
    or a negative count."""
    if kind not in rule.kind_factor:
        raise ValueError(f"unknown kind of audit {kind!r}")
    if risk_class not in rule.risk_classes:
        raise ValueError(f"unknown risk class {risk_class!r}; the rule has {', '.join(rule.risk_classes)}")
    if min(staff, product_categories, fixed_outlets_visited) < 0:
        raise ValueError("counts cannot be negative")
    band = next(b for b in rule.bands if b.max_staff is None or staff <= b.max_staff)
    base = band.base[risk_class]
    extra_categories = max(0, product_categories - rule.product_categories_included)
    categories = rule.per_product_category * extra_categories
    outlets = rule.per_fixed_outlet * fixed_outlets_visited
    initial = base + categories + outlets
    factor = rule.kind_factor[kind]
    scaled = initial * factor
    rounded = max(round_up(scaled, rule.round_up_to), rule.minimum)
    risk = RiskClass(risk_class).text if risk_class in RiskClass._value2member_map_ else Text(risk_class, risk_class)
    kind_text = KIND_TEXT[kind]
    band_text = f"≤ {band.max_staff}" if band.max_staff is not None else f"> {rule.bands[-2].max_staff}"
    lines = (
        Line(
            Text(
                f"基础人日（员工 {staff} 人，规模 {band_text}；行业风险{risk.zh}）",
                f"base (staff {staff}, size band {band_text}; industry risk {risk.en})",
            ),
            _dec(base),
        ),
        Line(
            Text(
                f"产品类别 {product_categories} 个，超出 {rule.product_categories_included} 个的"
                f" {extra_categories} 个 × "
                f"{_dec(rule.per_product_category)}",
                f"{product_categories} product categories: {extra_categories} beyond "
                f"{rule.product_categories_included} × {_dec(rule.per_product_category)}",
            ),
            _dec(categories),
        ),
        Line(
            Text(
                f"现场走访固定服务网点 {fixed_outlets_visited} 个 × {_dec(rule.per_fixed_outlet)}",
                f"{fixed_outlets_visited} fixed service outlets visited × {_dec(rule.per_fixed_outlet)}",
            ),
            _dec(outlets),
        ),
        Line(Text("初次认证工作量小计", "initial-audit effort"), _dec(initial)),
        Line(Text(f"{kind_text.zh}系数 × {_show(factor)}", f"{kind_text.en}: × {_show(factor)}"), _dec(scaled)),
        Line(
            Text(
                f"按 {_dec(rule.round_up_to)} 人日向上取整（不低于 {_dec(rule.minimum)}）",
                f"rounded up to {_dec(rule.round_up_to)} (at least {_dec(rule.minimum)})",
            ),
            _dec(rounded),
        ),
    )
    return Calculation(rule.id, lines, _dec(rounded))

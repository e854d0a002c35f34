"""Small schemes written inline for tests, so a test shows the exact table it scores."""

from __future__ import annotations

import functools
import json

import yaml

from aftersales.core.scheme import Scheme, load_scheme_bytes

DEFAULT_PARAMETERS = {
    "levels": {"qualified": 70, "three_star": 80, "four_star": 90, "five_star": 95},
    "special_items_apply": "after_normalisation",
    "special_deduction": {"points": 1, "fail_count": 5},
    "special_bonus": {"points": 1, "max": 1},
    "clamp_score": True,
    "display": {"decimals": 2, "rounding": "down"},
    "section_floor": None,
    "stars_after_months": None,
}


def t(zh: str, en: str | None = None) -> dict:
    return {"zh-Hans": zh, "en": en or zh}


def item(code: str, points, **flags) -> dict:
    return {"code": code, "title": t(f"条款 {code}", f"item {code}"), "points": points, **flags}


def node(code: str, points, children: list[dict]) -> dict:
    return {"code": code, "title": t(f"指标 {code}", f"node {code}"), "points": points, "children": children}


def scheme_dict(nodes: list[dict], *, total=100, **parameters) -> dict:
    return {
        "format": "aftersales-scheme/1",
        "id": "test",
        "version": "1",
        "standard": "test",
        "status": "official",
        "title": t("测试方案", "test scheme"),
        "total": total,
        "parameters": {**DEFAULT_PARAMETERS, **parameters},
        "nodes": nodes,
    }


def make_scheme(nodes: list[dict], *, total=100, **parameters) -> Scheme:
    return load_scheme_bytes(yaml.safe_dump(scheme_dict(nodes, total=total, **parameters), allow_unicode=True).encode())


def flat_scheme(points: list, *, flags: dict | None = None, **parameters) -> Scheme:
    """One category holding items I1..In with the given points (total = their sum)."""
    key = json.dumps([[str(p) for p in points], flags or {}, parameters], sort_keys=True)
    return _flat_scheme(key)


@functools.cache
def _flat_scheme(key: str) -> Scheme:
    points, flags, parameters = json.loads(key)
    items = [item(f"I{i}", p, **flags) for i, p in enumerate(points, start=1)]
    total = sum(_num(p) for p in points)
    return make_scheme([node("C", _str(total), items)], total=_str(total), **parameters)


def _num(p):
    from fractions import Fraction

    return Fraction(str(p))


def _str(f) -> str | int:
    return int(f) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"

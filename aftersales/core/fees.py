"""Quotation fees from a fee table kept as data (`rules/fees-default.yaml` or a CB's own).

Lines: application fee, audit (man-days × day rate), registration fee, annual fee, travel
estimate (given by the reviewer); all Decimal yuan with 2 places, total exact. The table also
says whether its amounts include VAT and at which rate (`tax`), which the quotation states.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .safe_yaml import load_untrusted
from .text import Text

FORMAT = "aftersales-fees/1"
DEFAULT_PATH = Path(__file__).resolve().parent / "rules" / "fees-default.yaml"
KINDS = ("initial", "surveillance", "recertification")
CENT = Decimal("0.01")


class FeeTableError(ValueError):
    """The fee table is not usable; the message names the key."""


@dataclass(frozen=True, slots=True)
class Tax:
    included: bool  # the amounts include VAT (含税) or not (不含税: VAT is added)
    rate: Decimal  # VAT rate in per cent

    def as_json(self) -> dict:
        return {"included": self.included, "rate": str(self.rate)}


@dataclass(frozen=True, slots=True)
class FeeTable:
    id: str
    day_rate: Decimal
    application_fee: dict[str, Decimal]
    registration_fee: dict[str, Decimal]
    annual_fee: dict[str, Decimal]
    tax: Tax


@dataclass(frozen=True, slots=True)
class QuoteLine:
    code: str
    label: Text
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Quote:
    table_id: str
    lines: tuple[QuoteLine, ...]
    tax: Tax

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), Decimal("0.00"))

    def as_json(self) -> dict:
        return {
            "table": self.table_id,
            "lines": [
                {
                    "code": ln.code,
                    "zh-Hans": ln.label.zh,
                    "en": ln.label.en,
                    "quantity": None if ln.quantity is None else str(ln.quantity),
                    "unit_price": None if ln.unit_price is None else str(ln.unit_price),
                    "amount": str(ln.amount),
                }
                for ln in self.lines
            ],
            "total": str(self.total),
            "tax": self.tax.as_json(),
        }


def money(amount: Decimal | str) -> str:
    """An amount in yuan as a quotation prints it: 19,000.00 (thousands separated, 2 places)."""
    return f"{Decimal(amount).quantize(CENT):,.2f}"


def tax_statement(tax: dict | None) -> Text | None:
    """What a quotation says about VAT, from its stored `tax` ({"included", "rate"}); None for a
    quotation made before fee tables stated it."""
    if not tax:
        return None
    rate = f"{Decimal(tax['rate']).normalize():f}"
    if tax["included"]:
        return Text(f"以上金额均为含税价（增值税税率 {rate}%）。", f"All amounts include VAT at {rate} %.")
    return Text(f"以上金额均不含税，增值税按 {rate}% 另计。", f"All amounts exclude VAT; VAT at {rate} % is added.")


def _money(raw: object, where: str) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise FeeTableError(f'{where}: write amounts as strings ("1000.00"), not {raw!r}')
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise FeeTableError(f"{where}: {raw!r} is not an amount") from exc
    if value < 0 or value != value.quantize(CENT):
        raise FeeTableError(f"{where}: {raw!r} must be ≥ 0 with at most 2 decimals")
    return value.quantize(CENT)


def parse_table(raw: object) -> FeeTable:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise FeeTableError(f"format: expected {FORMAT}")

    def get(key: str, kind: str | None = None) -> object:
        where = f"{key}.{kind}" if kind else key
        value = raw.get(key)
        if kind is not None:
            value = value.get(kind) if isinstance(value, dict) else None
        if value is None:
            raise FeeTableError(f"{where}: missing")
        return value

    tax = get("tax")
    included = tax.get("included") if isinstance(tax, dict) else None
    if not isinstance(included, bool):
        raise FeeTableError("tax.included: write true (amounts include VAT, 含税) or false (不含税)")
    rate = _money(tax.get("rate", ""), "tax.rate")
    if rate > 100:
        raise FeeTableError(f"tax.rate: {rate} is not a per cent rate (0…100)")
    return FeeTable(
        tax=Tax(included, rate),
        id=str(get("id")),
        day_rate=_money(get("day_rate"), "day_rate"),
        **{
            key: {k: _money(get(key, k), f"{key}.{k}") for k in KINDS}
            for key in ("application_fee", "registration_fee", "annual_fee")
        },
    )


def load_table(path: str | Path = DEFAULT_PATH) -> FeeTable:
    return parse_table(load_untrusted(Path(path).read_text(encoding="utf-8"), source=str(path)))


def quote(table: FeeTable, *, kind: str, man_days: Decimal, travel_estimate: Decimal) -> Quote:
    """The quotation's lines. ValueError for an unknown kind or a negative amount."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if man_days < 0 or travel_estimate < 0:
        raise ValueError("man-days and travel cannot be negative")
    audit = (man_days * table.day_rate).quantize(CENT)
    return Quote(
        table_id=table.id,
        tax=table.tax,
        lines=(
            QuoteLine("application", Text("申请费", "application fee"), None, None, table.application_fee[kind]),
            QuoteLine(
                "audit",
                Text("审核费（人日 × 日费率）", "audit fee (man-days × day rate)"),
                man_days,
                table.day_rate,
                audit,
            ),
            QuoteLine(
                "registration",
                Text("注册及证书费", "registration and certificate fee"),
                None,
                None,
                table.registration_fee[kind],
            ),
            QuoteLine("annual", Text("年金", "annual fee"), None, None, table.annual_fee[kind]),
            QuoteLine(
                "travel",
                Text("差旅费（预估，按实结算）", "travel (estimate, charged at cost)"),
                None,
                None,
                travel_estimate.quantize(CENT),
            ),
        ),
    )

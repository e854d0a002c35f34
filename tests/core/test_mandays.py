"""Man-days from the rule as data, and the quotation's fees: exact, line by line."""

from decimal import Decimal
from fractions import Fraction

import pytest
import yaml

from aftersales.core import fees, mandays

RULE = mandays.load_rule()
TABLE = fees.load_table()


def calc(**kw):
    args = {
        "kind": "initial",
        "staff": 120,
        "risk_class": "medium",
        "product_categories": 1,
        "fixed_outlets_visited": 0,
    }
    return mandays.calculate(RULE, **(args | kw))


@pytest.mark.parametrize(
    ("staff", "risk", "base"),
    [
        (0, "low", "1.5"),
        (50, "low", "1.5"),
        (51, "low", "2"),
        (200, "high", "3"),
        (201, "medium", "3.5"),
        (1000, "high", "4"),
        (1001, "high", "6"),
    ],
)
def test_it_takes_the_base_from_the_size_band_and_risk_class(staff, risk, base):
    c = calc(staff=staff, risk_class=risk)
    assert c.lines[0].amount == Decimal(base)
    assert c.result == Decimal(base)


def test_it_adds_product_categories_beyond_the_first_and_half_a_day_per_outlet():
    c = calc(product_categories=4, fixed_outlets_visited=3)  # 2.5 + 3 × 0.25 + 3 × 0.5 = 4.75 → 5
    assert [ln.amount for ln in c.lines] == [
        Decimal("2.5"),
        Decimal("0.75"),
        Decimal("1.5"),
        Decimal("4.75"),
        Decimal("4.75"),
        Decimal("5"),
    ]
    assert c.result == Decimal("5")


def test_it_scales_surveillance_by_a_third_and_recertification_by_two_thirds_rounding_up():
    # initial effort 4: surveillance 4/3 = 1.333… → 1.5; recertification 8/3 = 2.666… → 3
    kw = {"product_categories": 3, "fixed_outlets_visited": 2}
    assert calc(**kw).result == Decimal("4")
    s = calc(kind="surveillance", **kw)
    assert s.result == Decimal("1.5")
    assert "1/3" in s.lines[4].label.en and s.lines[4].amount == Decimal("1.3333")
    assert calc(kind="recertification", **kw).result == Decimal("3")


def test_it_never_goes_below_the_minimum():
    assert calc(kind="surveillance", staff=10, risk_class="low").result == Decimal("1")  # 1.5/3 = 0.5 → 1


def test_it_rounds_exactly_on_a_multiple():
    assert mandays.round_up(Fraction(3, 2), Fraction(1, 2)) == Fraction(3, 2)
    assert mandays.round_up(Fraction(301, 200), Fraction(1, 2)) == 2


def test_it_refuses_unknown_inputs():
    with pytest.raises(ValueError, match="risk class"):
        calc(risk_class="extreme")
    with pytest.raises(ValueError, match="kind"):
        calc(kind="special")
    with pytest.raises(ValueError, match="negative"):
        calc(fixed_outlets_visited=-1)


def test_it_loads_the_rule_from_data_and_refuses_a_bad_one():
    raw = yaml.safe_load(mandays.DEFAULT_PATH.read_text(encoding="utf-8"))
    assert mandays.parse_rule(raw).id == RULE.id
    with pytest.raises(mandays.RuleError, match="per_fixed_outlet"):
        mandays.parse_rule(raw | {"per_fixed_outlet": "0.25"})
    with pytest.raises(mandays.RuleError, match="strings"):
        mandays.parse_rule(raw | {"per_product_category": 0.25})
    with pytest.raises(mandays.RuleError, match="max_staff: null"):
        mandays.parse_rule(raw | {"size_bands": raw["size_bands"][:-1]})
    with pytest.raises(mandays.RuleError, match="minimum"):
        mandays.parse_rule({k: v for k, v in raw.items() if k != "minimum"})


def test_it_quotes_every_fee_exactly():
    q = fees.quote(TABLE, kind="initial", man_days=Decimal("2.5"), travel_estimate=Decimal("1234.5"))
    assert [(ln.code, ln.amount) for ln in q.lines] == [
        ("application", Decimal("1000.00")),
        ("audit", Decimal("7500.00")),
        ("registration", Decimal("1000.00")),
        ("annual", Decimal("2000.00")),
        ("travel", Decimal("1234.50")),
    ]
    assert q.total == Decimal("12734.50")
    assert q.as_json()["total"] == "12734.50"


def test_it_quotes_a_surveillance_without_application_or_registration_fee():
    q = fees.quote(TABLE, kind="surveillance", man_days=Decimal("1.5"), travel_estimate=Decimal("0"))
    assert q.total == Decimal("6500.00")


def test_it_refuses_a_bad_fee_table():
    raw = yaml.safe_load(fees.DEFAULT_PATH.read_text(encoding="utf-8"))
    with pytest.raises(fees.FeeTableError, match="day_rate"):
        fees.parse_table(raw | {"day_rate": "12.345"})
    with pytest.raises(fees.FeeTableError, match=r"annual_fee\.surveillance: missing"):
        fees.parse_table(raw | {"annual_fee": {"initial": "1.00"}})

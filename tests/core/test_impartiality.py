"""The impartial team picker's rules, with their boundaries."""

from datetime import date

import pytest

from aftersales.core.impartiality import Candidate, Declaration, check_candidates, years_before
from aftersales.core.policy import DEFAULT_PATH, load_policy

SHIPPED = load_policy(DEFAULT_PATH)  # conflict years 2, rotation after 2 consecutive leads

ON = date(2026, 12, 7)
A = Candidate("a", "甲", date(2028, 1, 1))
B = Candidate("b", "乙", date(2028, 1, 1))


def verdict(candidate=A, *, declarations=(), history=(), on=ON, **kw):
    kw = {"conflict_years": SHIPPED.conflict_years, "max_consecutive_leads": SHIPPED.max_consecutive_leads, **kw}
    return check_candidates([candidate], client="c", declarations=declarations, lead_history=history, on=on, **kw)[0]


def test_it_allows_a_qualified_auditor_without_links():
    v = verdict()
    assert v.allowed and v.reasons == ()


@pytest.mark.parametrize(
    ("end", "allowed"),
    [
        (date(2024, 12, 7), False),  # exactly two years before the first day: still inside
        (date(2024, 12, 6), True),  # one day earlier: outside
        (None, False),  # still going on
    ],
)
def test_it_refuses_a_declared_link_within_the_window(end, allowed):
    d = Declaration("a", "c", "consulting", date(2020, 1, 1), end)
    v = verdict(declarations=[d])
    assert v.allowed is allowed
    if not allowed:
        assert "咨询" in v.reasons[0].zh and "2-year" in v.reasons[0].en


def test_it_ignores_links_with_other_clients_and_other_auditors():
    ds = [
        Declaration("a", "other", "employment", date(2025, 1, 1), None),
        Declaration("b", "c", "employment", date(2025, 1, 1), None),
    ]
    assert verdict(declarations=ds).allowed


def test_it_uses_the_configured_window():
    d = Declaration("a", "c", "employment", date(2020, 1, 1), date(2023, 12, 7))
    assert verdict(declarations=[d]).allowed
    assert not verdict(declarations=[d], conflict_years=3).allowed


def test_it_ignores_a_link_that_starts_after_the_audit():
    d = Declaration("a", "c", "employment", date(2027, 1, 1), None)
    assert verdict(declarations=[d]).allowed


@pytest.mark.parametrize(
    ("history", "allowed"),
    [(["a", "a"], False), (["a", "b"], True), (["b", "a", "a"], True), (["a"], True), ([], True)],
)
def test_it_refuses_who_led_the_last_n_audits(history, allowed):
    v = verdict(history=history)
    assert v.allowed is allowed
    if not allowed:
        assert v.reasons[0].en == "led this client's last 2 audits"


def test_it_uses_the_configured_number_of_leads():
    assert verdict(history=["a", "a"], max_consecutive_leads=3).allowed
    assert not verdict(history=["a"], max_consecutive_leads=1).allowed


@pytest.mark.parametrize(("until", "allowed"), [(ON, True), (date(2026, 12, 6), False), (None, False)])
def test_it_refuses_an_expired_qualification(until, allowed):
    assert verdict(Candidate("a", "甲", until)).allowed is allowed


def test_it_lists_every_reason():
    d = Declaration("a", "c", "other", date(2025, 1, 1), None)
    v = verdict(Candidate("a", "甲", None), declarations=[d], history=["a", "a"])
    assert len(v.reasons) == 3


def test_it_counts_years_back_from_29_february():
    assert years_before(date(2028, 2, 29), 2) == date(2026, 2, 28)


def test_it_refuses_nonsense_settings():
    with pytest.raises(ValueError, match="max_consecutive_leads"):
        verdict(max_consecutive_leads=0)

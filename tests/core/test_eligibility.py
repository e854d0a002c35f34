"""Eligibility to apply (domain.md §3): each rule, its boundaries and its explanation."""

from dataclasses import replace
from datetime import date

import pytest

from aftersales.core import credit_code
from aftersales.core.eligibility import Facts, Outcome, add_months, check, managers_required
from aftersales.core.records.coverage import coverage
from aftersales.core.scheme import Level
from aftersales.core.text import Text


def code(n: int) -> str:
    body = f"{n:08d}"
    return credit_code.complete("91330106" + body + credit_code.org_check_character(body))


AS_OF = date(2026, 6, 15)
GOOD = Facts(
    as_of=AS_OF,
    credit_code=code(7),
    registered_on=date(2025, 6, 15),
    system_effective_on=date(2026, 3, 15),
    system_months_required=3,
    service_management_staff=20,
    managers=2,
    declared_no_incident=True,
    declared_not_blacklisted=True,
    coverage=coverage(
        {k: ["2026-03", "2026-04", "2026-05"] for k in ("complaint", "work_order", "return_visit")},
        required_months=3,
        as_of=AS_OF,
    ),
    last_level=Level.FIVE_STAR,
)


def rule(facts: Facts, code_: str):
    return next(r for r in check(facts).rules if r.code == code_)


@pytest.mark.parametrize(
    ("staff", "need"), [(0, 1), (1, 1), (9, 1), (10, 1), (11, 2), (20, 2), (21, 3), (100, 10), (101, 11)]
)
def test_it_requires_ten_percent_managers_rounded_up_at_least_one(staff, need):
    assert managers_required(staff) == need


def test_it_refuses_a_negative_headcount():
    with pytest.raises(ValueError, match="negative"):
        managers_required(-1)


def test_it_passes_every_rule_for_a_good_applicant():
    result = check(GOOD)
    assert [r.outcome for r in result.rules] == [Outcome.PASS] * 7
    assert result.ok


def test_it_counts_the_registration_year_to_the_day():
    assert rule(replace(GOOD, registered_on=date(2025, 6, 15)), "registered").outcome is Outcome.PASS
    late = rule(replace(GOOD, registered_on=date(2025, 6, 16)), "registered")
    assert late.outcome is Outcome.FAIL
    assert "2026-06-16" in late.explanation.zh and "2026-06-16" in late.explanation.en


def test_it_fails_an_unknown_registration_date():
    assert rule(replace(GOOD, registered_on=None), "registered").outcome is Outcome.FAIL


def test_it_counts_system_months_with_the_scheme_value():
    assert rule(replace(GOOD, system_effective_on=date(2026, 3, 15)), "system_running").outcome is Outcome.PASS
    assert rule(replace(GOOD, system_effective_on=date(2026, 3, 16)), "system_running").outcome is Outcome.FAIL
    six = replace(GOOD, system_months_required=6)
    r = rule(six, "system_running")
    assert r.outcome is Outcome.FAIL and "6" in r.title.zh and "2026-09-15" in r.explanation.en


def test_it_adds_months_to_a_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2023, 2, 29 - 1), 12) == date(2024, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


@pytest.mark.parametrize(
    ("staff", "managers", "outcome"),
    [(10, 1, "pass"), (11, 1, "fail"), (11, 2, "pass"), (0, 0, "fail"), (0, 1, "pass")],
)
def test_it_checks_the_manager_ratio(staff, managers, outcome):
    r = rule(replace(GOOD, service_management_staff=staff, managers=managers), "managers")
    assert r.outcome == outcome
    assert f"需管理师 {managers_required(staff)} 名" in r.explanation.zh


def test_it_names_each_missing_declaration():
    r = rule(replace(GOOD, declared_not_blacklisted=False), "declarations")
    assert r.outcome is Outcome.FAIL
    assert "失信" in r.explanation.zh and "blacklist" in r.explanation.en
    assert "accident" not in r.explanation.en


def test_it_names_the_months_without_records():
    gaps = coverage(
        {"complaint": ["2026-03", "2026-04", "2026-05"], "work_order": ["2026-03"], "return_visit": []},
        required_months=3,
        as_of=AS_OF,
    )
    r = rule(replace(GOOD, coverage=gaps), "records")
    assert r.outcome is Outcome.FAIL
    assert "repair work orders missing for 2026-04, 2026-05" in r.explanation.en
    assert "complaints" not in r.explanation.en


def test_it_leaves_records_not_checked_with_the_reason():
    why = Text("未提供", "not provided")
    r = rule(replace(GOOD, coverage=None, coverage_not_checked=why), "records")
    assert r.outcome is Outcome.NOT_CHECKED and r.explanation == why
    assert check(replace(GOOD, coverage=None)).ok  # not checked does not block


def test_it_checks_the_credit_code():
    bad = code(7)[:-1] + ("0" if code(7)[-1] != "0" else "1")
    r = rule(replace(GOOD, credit_code=bad), "credit_code")
    assert r.outcome is Outcome.FAIL and "校验码" in r.explanation.zh
    assert rule(replace(GOOD, credit_code=None), "credit_code").outcome is Outcome.FAIL


@pytest.mark.parametrize(
    ("level", "outcome"),
    [(Level.FAIL, "fail"), (Level.QUALIFIED, "pass"), (Level.THREE_STAR, "pass"), (None, "fail")],
)
def test_it_requires_a_last_self_assessment_at_least_qualified(level, outcome):
    r = rule(replace(GOOD, last_level=level, last_assessment_on=date(2026, 5, 1)), "self_assessment")
    assert r.outcome == outcome
    if level is not None:
        assert level.text.zh in r.explanation.zh and "2026-05-01" in r.explanation.en


def test_it_lists_failed_rules():
    result = check(replace(GOOD, managers=0, declared_no_incident=False))
    assert [r.code for r in result.failed] == ["managers", "declarations"]
    assert not result.ok

"""Return visits against what they follow up: a visit dated before its work order was received is
refused at import with its row and columns; and the records eligibility rule asks for the share of
return visits the CB's policy sets (eligibility.return_visit_percent), shown in its explanation."""

from datetime import date

import pytest

from aftersales.core.eligibility import Facts, Outcome, _records
from aftersales.core.records.coverage import coverage
from aftersales.records.models import Complaint, ReturnVisit
from aftersales.records.selectors import record_coverage
from tests.policy import install_policy

from .test_coverage import AS_OF, at, ri, work_order  # noqa: F401 (ri is a fixture)
from .test_import import _import

pytestmark = pytest.mark.django_db

VISITS_HEADER = "回访编号,回访对象,对象单号,回访时间,回访方式,是否接通,是否满意\n"


def visits_file(*rows: str) -> bytes:
    return (VISITS_HEADER + "".join(f"{r}\n" for r in rows)).encode("utf-8")


def test_it_refuses_a_visit_dated_before_the_work_order_it_follows_up(world):
    assert _import(world, "work_order").status == "done"  # WO202600001 received 2026-01-12 09:35
    done = _import(
        world,
        "return_visit",
        visits_file(
            "HF1,维修工单,WO202600001,2026/01/15 19:28,电话,已接通,满意",
            "HF2,维修工单,WO202600001,2026/01/10 08:00,电话,已接通,满意",
            "HF3,维修工单,WO-NOT-STORED,2025/12/01 08:00,电话,已接通,满意",  # not stored: cannot be checked
        ),
        filename="visits.csv",
    )
    assert done.status == "failed"
    assert ReturnVisit.objects.count() == 0  # nothing written
    [problem] = done.problems
    assert problem["code"] == "records_visit_before_subject"
    assert problem["row"] == 3 and problem["column"] == "回访时间"
    assert problem["params"]["subject"] == "对象单号" and problem["params"]["subject_id"] == "WO202600001"
    assert problem["params"]["visited_value"] == "2026-01-10 08:00"
    assert problem["params"]["received_value"] == "2026-01-12 09:35"


def test_the_shipped_return_visits_follow_their_work_orders(world):
    assert _import(world, "work_order").status == "done"
    done = _import(world, "return_visit")
    assert done.status == "done", done.problems


def test_ten_visits_for_eight_hundred_orders_do_not_meet_the_rule(world, ri, settings):  # noqa: F811
    for n in range(800):
        work_order(world, ri, n, at(2026, 2 + n % 3, 1 + n % 28, 9))
    for n in range(10):
        ReturnVisit.objects.create(
            enterprise=world["enterprise"],
            import_batch=ri,
            external_id=f"V{n}",
            subject_kind="work_order",
            subject_id=f"W{n}",
            visited_at=at(2026, 2 + n % 3, 2 + n % 27, 15),
        )
    for month in (2, 3, 4):
        Complaint.objects.create(
            enterprise=world["enterprise"], import_batch=ri, external_id=f"C{month}", received_at=at(2026, month, 3)
        )
    cov = record_coverage(world["enterprise"], as_of=AS_OF)
    assert not cov.missing  # every month has every kind ...
    assert (cov.visits, cov.followed, cov.visit_percent_required) == (10, 803, 10)
    assert not cov.ok  # ... but 1.2 % visited is not the 10 % the shipped policy asks
    rule = _records(_facts(cov))
    assert rule.outcome is Outcome.FAIL
    assert "回访 10 次，为同期维修工单和投诉 803 件的 1.2%（要求不低于 10%）" in rule.explanation.zh
    assert "10 return visits for 803 work orders and complaints: 1.2 % (at least 10 % required)" in rule.explanation.en

    install_policy(settings, {"eligibility.return_visit_percent": 1})  # a CB that asks for 1 %
    relaxed = record_coverage(world["enterprise"], as_of=AS_OF)
    assert relaxed.ok and _records(_facts(relaxed)).outcome is Outcome.PASS
    assert "（要求不低于 1%）" in _records(_facts(relaxed)).explanation.zh


def _facts(cov) -> Facts:
    return Facts(
        as_of=AS_OF,
        credit_code="",
        registered_on=None,
        system_effective_on=None,
        system_months_required=3,
        service_management_staff=None,
        managers=0,
        declared_no_incident=False,
        declared_not_blacklisted=False,
        coverage=cov,
    )


@pytest.mark.parametrize(
    ("visits", "followed", "required", "ok"),
    [(10, 100, 10, True), (9, 100, 10, False), (0, 0, 10, True), (1, 800, 0, True)],
)
def test_the_share_is_exact_and_a_month_without_orders_needs_no_visits(visits, followed, required, ok):
    months = {k: ["2026-02", "2026-03", "2026-04"] for k in ("complaint", "work_order", "return_visit")}
    cov = coverage(
        months,
        required_months=3,
        as_of=date(2026, 5, 10),
        visits=visits,
        followed=followed,
        visit_percent_required=required,
    )
    assert cov.ok is ok

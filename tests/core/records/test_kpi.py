"""The KPI suite on small hand-computed frames (2026-03-02 is a Monday; no holiday in March)."""

from datetime import date, datetime
from decimal import Decimal

import polars as pl
import pytest

from aftersales.core.records.calendar import CalendarRangeError, default_calendar
from aftersales.core.records.fields import Kind, conform
from aftersales.core.records.kpi import Commitments, RecordFrames, drill_records, kpi_suite

CAL = default_calendar()
D = datetime


def frame(kind, rows):
    return conform(pl.DataFrame(rows, infer_schema_length=None), kind)


def work_orders():
    return frame(
        Kind.WORK_ORDER,
        [
            # 2h / 6h wall; 2h / 5h business
            {"external_id": "WO1", "received_at": D(2026, 3, 2, 9), "product": "空调", "status": "resolved",
             "promised_arrival_at": D(2026, 3, 2, 10), "arrived_at": D(2026, 3, 2, 11),
             "completed_at": D(2026, 3, 2, 15), "visits": 1, "serial": "S1"},
            # 17h / 23h wall; 2h / 7h business
            {"external_id": "WO2", "received_at": D(2026, 3, 2, 17), "product": "冰箱", "status": "closed",
             "promised_arrival_at": D(2026, 3, 3, 12), "arrived_at": D(2026, 3, 3, 10),
             "completed_at": D(2026, 3, 3, 16), "visits": 2, "serial": "S2"},
            # Friday 16:00 → Monday: 65.5h / 68h wall; 2.5h / 5h business; same serial as WO1 within 30 days
            {"external_id": "WO3", "received_at": D(2026, 3, 6, 16), "product": "空调", "status": "resolved",
             "arrived_at": D(2026, 3, 9, 9, 30), "completed_at": D(2026, 3, 9, 12), "visits": 1, "serial": "S1"},
            {"external_id": "WO4", "received_at": D(2026, 3, 10, 9), "product": "空调", "status": "cancelled",
             "arrived_at": D(2026, 3, 10, 10), "serial": "S9"},
            {"external_id": "WO5", "received_at": D(2026, 3, 20, 9), "product": "洗衣机", "status": "open"},
            # April: 4h / 5h wall; 3h / 4h business; a repeat of WO2 (28 days 17 hours after its completion)
            {"external_id": "WO6", "received_at": D(2026, 4, 1, 9), "product": "冰箱", "status": "resolved",
             "arrived_at": D(2026, 4, 1, 13), "completed_at": D(2026, 4, 1, 14), "serial": "S6", "repeat_of": "WO2"},
        ],
    )  # fmt: skip


def complaints():
    return frame(
        Kind.COMPLAINT,
        [
            {"external_id": "C1", "received_at": D(2026, 3, 2, 10), "category": "产品质量", "status": "closed",
             "first_response_at": D(2026, 3, 2, 11, 30), "closed_at": D(2026, 3, 5, 10), "deadline_at": D(2026, 3, 10)},
            {"external_id": "C2", "received_at": D(2026, 3, 6, 17), "category": "服务态度", "status": "closed",
             "first_response_at": D(2026, 3, 9, 9), "closed_at": D(2026, 3, 20, 17), "deadline_at": D(2026, 3, 16)},
            {"external_id": "C3", "received_at": D(2026, 3, 10, 9), "category": "其他", "status": "cancelled",
             "first_response_at": D(2026, 3, 10, 9, 5), "closed_at": D(2026, 3, 10, 10)},
            {"external_id": "C4", "received_at": D(2026, 3, 25, 9), "category": "其他", "status": "open"},
        ],
    )  # fmt: skip


def return_visits():
    return frame(
        Kind.RETURN_VISIT,
        [
            {"external_id": "R1", "subject_kind": "work_order", "subject_id": "WO1", "visited_at": D(2026, 3, 4),
             "reached": True},
            {"external_id": "R2", "subject_kind": "work_order", "subject_id": "WO3", "visited_at": D(2026, 3, 11),
             "reached": False},
            {"external_id": "R3", "subject_kind": "complaint", "subject_id": "C2", "visited_at": D(2026, 3, 23)},
            {"external_id": "R4", "subject_kind": "work_order", "subject_id": "WO4", "visited_at": D(2026, 3, 11)},
        ],
    )  # fmt: skip


def surveys():
    return frame(
        Kind.SURVEY,
        [
            {"external_id": "S1", "answered_at": D(2026, 3, 3), "scale": 5, "score": 4, "nps": 10},
            {"external_id": "S2", "answered_at": D(2026, 3, 4), "scale": 10, "score": 7, "nps": 6},
            {"external_id": "S3", "answered_at": D(2026, 3, 5), "scale": 100, "score": 95, "nps": 9},
            {"external_id": "S4", "answered_at": D(2026, 4, 5), "scale": 5, "score": 5},
        ],
    )


COMMITMENTS = Commitments(
    first_response_hours=Decimal(24), arrival_hours=Decimal(24), completion_hours=Decimal(24),
    complaint_closure_working_days=Decimal(7),
)  # fmt: skip


@pytest.fixture(scope="module")
def report():
    frames = RecordFrames(complaints(), work_orders(), return_visits(), surveys())
    return kpi_suite(frames, calendar=CAL, commitments=COMMITMENTS)


def test_it_computes_arrival_time_in_wall_clock_and_working_hours(report):
    k = report.get("arrival_time")
    assert k.denominator == 4  # the cancelled order and the one not yet arrived are not in the cohort
    assert (k.median, k.p90) == (Decimal("10.50"), Decimal("65.50"))
    assert (k.median_business, k.p90_business) == (Decimal("2.25"), Decimal("3.00"))
    assert k.value == k.median
    assert k.monthly == (("2026-03", Decimal("17.00"), 3), ("2026-04", Decimal("4.00"), 1))
    assert dict(k.distribution) == {
        "<2h": 0,
        "2–4h": 1,
        "4–8h": 1,
        "8–24h": 1,
        "1–2d": 0,
        "2–3d": 1,
        "3–7d": 0,
        "≥7d": 0,
    }


def test_it_computes_resolution_time_of_work_orders(report):
    k = report.get("resolution_time")
    assert (k.denominator, k.median, k.p90) == (4, Decimal("14.50"), Decimal("68.00"))
    assert (k.median_business, k.p90_business) == (Decimal("5.00"), Decimal("7.00"))


def test_it_computes_first_response_time_of_complaints(report):
    k = report.get("first_response_time")
    assert (k.denominator, k.median, k.p90) == (2, Decimal("32.75"), Decimal("64.00"))
    assert (k.median_business, k.p90_business) == (Decimal("1.25"), Decimal("1.50"))


def test_it_computes_complaint_closure_time_in_working_days_too(report):
    k = report.get("complaint_closure_time")
    assert (k.denominator, k.median, k.p90) == (2, Decimal("204.00"), Decimal("336.00"))
    assert (k.median_business, k.p90_business) == (Decimal("52.00"), Decimal("80.00"))
    assert (k.median_working_days, k.p90_working_days) == (Decimal("6.50"), Decimal("10.00"))


@pytest.mark.parametrize(
    ("kpi_id", "numerator", "denominator", "value"),
    [
        ("first_response_on_time", 1, 2, "0.5000"),
        ("arrival_on_time", 3, 4, "0.7500"),
        ("completion_on_time", 3, 4, "0.7500"),
        ("complaint_closure_on_time", 1, 2, "0.5000"),
        ("complaint_deadline_met", 1, 2, "0.5000"),
        ("promised_arrival_kept", 1, 2, "0.5000"),
        ("first_time_fix_rate", 2, 3, "0.6667"),
        ("repeat_repair_30d", 2, 4, "0.5000"),
        ("complaint_closure_rate", 2, 3, "0.6667"),
        ("return_visit_rate", 2, 6, "0.3333"),
        ("csat", 3, 4, "0.7500"),
    ],
)
def test_it_computes_each_rate_exactly(report, kpi_id, numerator, denominator, value):
    k = report.get(kpi_id)
    assert (k.numerator, k.denominator, k.value) == (numerator, denominator, Decimal(value))
    assert k.unit == "rate"


def test_it_computes_the_mean_score_and_nps(report):
    assert report.get("csat_mean").value == Decimal("86.25")  # (80 + 70 + 95 + 100) / 4
    nps = report.get("nps")
    assert (nps.denominator, nps.value) == (3, Decimal("33.3"))  # (2 promoters − 1 detractor) / 3


def test_it_excludes_cancelled_records_everywhere(report):
    drilled = drill_records(
        RecordFrames(complaints(), work_orders(), return_visits(), surveys()),
        kpi_id="arrival_on_time", calendar=CAL, commitments=COMMITMENTS,
    )  # fmt: skip
    assert sorted(drilled["external_id"]) == ["WO1", "WO2", "WO3", "WO6"]
    assert dict(zip(drilled["external_id"], drilled["counted"], strict=True)) == {
        "WO1": True, "WO2": True, "WO3": False, "WO6": True}  # fmt: skip
    assert report.get("arrival_on_time").drill["where"] == "work_orders_arrived"


def test_it_drills_into_both_kinds_behind_the_return_visit_rate():
    drilled = drill_records(
        RecordFrames(complaints(), work_orders(), return_visits(), surveys()),
        kpi_id="return_visit_rate", calendar=CAL, commitments=COMMITMENTS,
    )  # fmt: skip
    counted = drilled.filter(pl.col("counted")).select("kind", "external_id").rows()
    assert sorted(counted) == [("complaint", "C2"), ("work_order", "WO1")]


def test_it_limits_the_cohort_to_the_period():
    frames = RecordFrames(complaints(), work_orders(), return_visits(), surveys())
    r = kpi_suite(frames, calendar=CAL, commitments=COMMITMENTS, date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    assert (r.get("arrival_time").denominator, r.get("arrival_time").median) == (1, Decimal("4.00"))
    assert r.get("csat").denominator == 1
    assert r.as_json()["period"] == {"from": "2026-04-01", "to": "2026-04-30"}


def test_it_says_why_a_kpi_has_no_value_for_an_empty_cohort():
    r = kpi_suite(RecordFrames(), calendar=CAL, commitments=COMMITMENTS)
    for k in r.kpis:
        assert k.value is None and k.denominator == 0, k.id
        assert k.missing_reason is not None and k.missing_reason.en, k.id


def test_it_gives_no_on_time_rate_without_a_published_commitment(report):
    frames = RecordFrames(complaints(), work_orders(), return_visits(), surveys())
    r = kpi_suite(frames, calendar=CAL, commitments=Commitments())
    k = r.get("arrival_on_time")
    assert k.value is None and k.denominator == 4
    assert k.missing_reason.en == "the enterprise has published no commitment for this"


def test_it_refuses_records_outside_the_calendar():
    late = frame(
        Kind.WORK_ORDER, [{"external_id": "X", "received_at": D(2027, 1, 4, 9), "product": "p", "status": "open"}]
    )
    with pytest.raises(CalendarRangeError) as err:
        kpi_suite(RecordFrames(work_orders=late), calendar=CAL, commitments=COMMITMENTS)
    assert "2027-01-04" in str(err.value)


def test_it_serialises_the_report_to_json(report):
    data = report.as_json()
    assert data["calendar_id"] == CAL.id
    k = next(k for k in data["kpis"] if k["id"] == "arrival_time")
    assert k["median"] == "10.50" and k["title"]["zh-Hans"] == "上门到达时间"
    assert k["monthly"][0] == {"month": "2026-03", "value": "17.00", "denominator": 3}
    assert {k["id"] for k in data["kpis"]} >= {"first_response_time", "nps", "csat", "return_visit_rate"}

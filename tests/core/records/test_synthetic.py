"""The benchmark generator is seeded and its CSV imports through the shipped mappings."""

import polars as pl

from aftersales.core.records import synthetic
from aftersales.core.records.calendar import default_calendar
from aftersales.core.records.kpi import Commitments, RecordFrames, kpi_suite
from aftersales.core.records.mapping import get_mapping
from aftersales.core.records.parse import parse_records


def test_it_generates_the_same_frames_for_the_same_seed():
    assert synthetic.work_orders(500, seed=3).equals(synthetic.work_orders(500, seed=3))
    assert not synthetic.complaints(500, seed=3).equals(synthetic.complaints(500, seed=4))


def test_its_csv_round_trips_through_the_shipped_mappings():
    orders = synthetic.work_orders(2000, seed=5)
    mapping = get_mapping("crm-work-orders-gbk")
    r = parse_records(synthetic.to_csv(orders, mapping), filename="wo.csv", mapping=mapping)
    assert r.ok, r.problems[:3]
    mapped = [c for c in orders.columns if c in mapping.columns]
    assert r.records.select(mapped).equals(orders.select(mapped))


def test_its_frames_feed_the_kpi_suite():
    orders, complaints = synthetic.work_orders(3000), synthetic.complaints(1000)
    frames = RecordFrames(complaints, orders, synthetic.return_visits(orders, complaints), synthetic.surveys(500))
    report = kpi_suite(frames, calendar=default_calendar(), commitments=Commitments())
    assert report.get("arrival_time").denominator > 2000
    assert 0 < report.get("repeat_repair_30d").numerator < report.get("repeat_repair_30d").denominator
    assert (
        frames.return_visits["subject_id"]
        .is_in(pl.concat([orders["external_id"], complaints["external_id"]]).implode())
        .all()
    )


def test_records_for_today_run_until_last_month_and_stay_inside_the_calendar():
    from datetime import date, datetime

    last_day = date(2026, 12, 31)
    start = synthetic.start_for(date(2026, 12, 3), last_day=last_day)
    orders = synthetic.work_orders(3000, seed=1, start=start)
    received = orders["received_at"]
    assert datetime(2026, 11, 25) <= received.max() < datetime(2026, 12, 1)  # last month is there
    # months later the window stops where the calendar does, follow-ups included
    start = synthetic.start_for(date(2027, 3, 1), last_day=last_day)
    orders = synthetic.work_orders(3000, seed=1, start=start)
    complaints = synthetic.complaints(3000, seed=1, start=start)
    visits = synthetic.return_visits(orders, complaints, seed=1)
    latest = max(
        frame.select(pl.max_horizontal(pl.col(pl.Datetime).max())).item() for frame in (orders, complaints, visits)
    )
    assert datetime(2026, 12, 1) <= latest < datetime(2027, 1, 1)

from datetime import date

from aftersales.core.records.coverage import coverage, months_before


def test_it_checks_the_whole_months_before_the_date_across_a_year_end():
    assert months_before(date(2026, 2, 15), 3) == ("2025-11", "2025-12", "2026-01")


def test_it_names_each_kind_and_month_without_records():
    c = coverage(
        {"complaint": ["2026-08", "2026-09", "2026-10"], "work_order": ["2026-09", "2026-10"], "return_visit": []},
        required_months=3,
        as_of=date(2026, 11, 23),
    )
    assert not c.ok
    assert c.missing == {"work_order": ["2026-08"], "return_visit": ["2026-08", "2026-09", "2026-10"]}


def test_records_older_than_the_window_do_not_count():
    months = {k: ["2026-01", "2026-02", "2026-03"] for k in ("complaint", "work_order", "return_visit")}
    assert coverage(months, required_months=3, as_of=date(2026, 4, 1)).ok
    assert not coverage(months, required_months=3, as_of=date(2026, 5, 1)).ok

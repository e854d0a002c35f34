"""The KPI suite gives exactly the figures recorded in kpi_reference.json, which the suite wrote
before it became one lazy plan (issue 20): same values, numerators, denominators, monthly values,
distributions, for every period and commitment set below."""

import hashlib
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.core.records import synthetic
from aftersales.core.records.calendar import default_calendar
from aftersales.core.records.kpi import Commitments, RecordFrames, drill_records, kpi_suite

REFERENCE = Path(__file__).with_name("kpi_reference.json")
COMMITMENTS = {
    "none": Commitments(),
    "all": Commitments(Decimal(2), Decimal(24), Decimal("72.5"), Decimal(5)),
}
PERIODS = {
    "all": (None, None),
    "spring": (date(2026, 3, 1), date(2026, 5, 31)),
    "empty": (date(2025, 1, 1), date(2025, 1, 31)),
}


def fixture_frames() -> RecordFrames:
    wo = synthetic.work_orders(4000, seed=3)
    co = synthetic.complaints(1200, seed=3)
    return RecordFrames(
        complaints=co,
        work_orders=wo,
        return_visits=synthetic.return_visits(wo, co, share=60, seed=3),
        surveys=synthetic.surveys(500, seed=3),
    )


def figures() -> dict:
    frames, cal = fixture_frames(), default_calendar()
    out = {}
    for cname, commitments in COMMITMENTS.items():
        for pname, (start, end) in PERIODS.items():
            report = kpi_suite(frames, calendar=cal, commitments=commitments, date_from=start, date_to=end)
            out[f"{cname}/{pname}"] = report.as_json()
            drilled = drill_records(
                frames, kpi_id="return_visit_rate", calendar=cal, commitments=commitments, date_from=start, date_to=end
            )
            rows = "\n".join(sorted(map(str, drilled.rows())))
            out[f"{cname}/{pname}/drill"] = [drilled.height, hashlib.sha256(rows.encode()).hexdigest()]
    return json.loads(json.dumps(out, ensure_ascii=False, default=str))


@pytest.mark.parametrize("key", sorted(json.loads(REFERENCE.read_text(encoding="utf-8"))) if REFERENCE.exists() else [])
def test_it_gives_the_recordedsuite_figures(key, suite_figures):
    assert suite_figures[key] == json.loads(REFERENCE.read_text(encoding="utf-8"))[key]


@pytest.fixture(scope="module")
def suite_figures():
    return figures()


if __name__ == "__main__":  # writes the reference (run once, with the suite whose figures are to be kept)
    REFERENCE.write_text(json.dumps(figures(), ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")


def test_a_report_read_back_from_its_json_is_the_same_report():
    from aftersales.core.records.kpi import KpiReport

    frames, cal = fixture_frames(), default_calendar()
    for commitments in COMMITMENTS.values():
        for start, end in PERIODS.values():
            report = kpi_suite(frames, calendar=cal, commitments=commitments, date_from=start, date_to=end)
            assert KpiReport.from_json(json.loads(json.dumps(report.as_json()))) == report

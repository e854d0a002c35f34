"""Event logs merge into one record per id; workbooks; the shipped mappings and their sample files."""

import io
from datetime import datetime
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from aftersales.core.records.fields import Kind, schema
from aftersales.core.records.mapping import get_mapping, shipped_mappings
from aftersales.core.records.parse import parse_records

from .helpers import COMPLAINT_HEADER, SURVEY_MAPPING, complaint_mapping, located, parse

SAMPLES = Path(__file__).resolve().parents[3] / "aftersales/core/records/samples"

EVENT_LOG = "\n".join(
    [
        COMPLAINT_HEADER,
        "C1,2026-03-02 10:00,产品质量,处理中,电话,,,2026-03-02 10:00",
        "C2,2026-03-02 11:00,服务态度,处理中,,,,2026-03-02 11:00",
        "C1,,,处理中,,2026-03-02 11:30,,2026-03-02 11:30",
        "C1,,服务态度,已结案,,,2026-03-04 09:00,2026-03-04 09:00",
        "C1,,,已结案,,,2026-03-04 09:00,2026-03-04 09:00",  # the same event exported twice
    ]
)


def test_it_merges_several_rows_with_one_id_later_non_empty_values_winning():
    r = parse(EVENT_LOG, complaint_mapping())
    assert r.ok and r.rows_read == 5
    assert r.records["external_id"].to_list() == ["C1", "C2"]
    c1 = r.records.row(0, named=True)
    assert c1["received_at"] == datetime(2026, 3, 2, 10)  # later rows left it empty
    assert c1["category"] == "服务态度"  # a later row changed it
    assert c1["status"] == "closed" and c1["channel"] == "phone"
    assert c1["first_response_at"] == datetime(2026, 3, 2, 11, 30)
    assert c1["closed_at"] == datetime(2026, 3, 4, 9)


def test_it_keeps_each_status_event_once_with_its_source_row():
    r = parse(EVENT_LOG, complaint_mapping())
    c1 = r.events.filter(pl.col("external_id") == "C1")
    assert c1.select("status", "status_raw", "at", "source_row").rows() == [
        ("open", "处理中", datetime(2026, 3, 2, 10), 2),
        ("open", "处理中", datetime(2026, 3, 2, 11, 30), 4),
        ("closed", "已结案", datetime(2026, 3, 4, 9), 5),
    ]


def test_it_checks_the_order_rules_on_the_merged_record_at_the_row_that_broke_them():
    text = EVENT_LOG + "\nC2,,,已结案,,,2026-03-01 09:00,2026-03-04 09:00"
    r = parse(text, complaint_mapping())
    assert located(r) == [(7, "结案时间", "records_order")]


def test_it_reports_a_required_field_missing_from_every_row_of_a_record_at_its_first_row():
    text = "\n".join([COMPLAINT_HEADER, "C1,,产品质量,处理中,,,,", "C1,,,已结案,,,,2026-03-04 09:00"])
    r = parse(text, complaint_mapping())
    assert located(r) == [(2, "受理时间", "records_required_missing")]


def test_it_gives_the_same_records_for_the_same_file_twice():
    a, b = parse(EVENT_LOG, complaint_mapping()), parse(EVENT_LOG, complaint_mapping())
    assert a.records.equals(b.records) and a.events.equals(b.events)


def test_it_gives_frames_with_the_contract_types():
    r = parse(EVENT_LOG, complaint_mapping())
    assert dict(r.records.schema) == schema(Kind.COMPLAINT)
    assert r.records["received_at"].dtype == pl.Datetime("us")


def workbook(rows, *, sheet="问卷", title_rows=0):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for _ in range(title_rows):
        ws.append(["标题"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def survey_mapping(extra=""):
    from aftersales.core.records.mapping import load_mapping

    return load_mapping(SURVEY_MAPPING + extra)


def test_it_reads_a_workbook_with_native_date_cells_and_numbers():
    data = workbook(
        [
            ["问卷号", "时间", "满分", "得分", "推荐"],
            ["S1", datetime(2026, 10, 8, 9, 30), 5, 4.0, 9],
            ["S2", "2026-10-09 10:00", 10, 8, None],
        ],
        title_rows=1,
    )
    r = parse_records(data, filename="s.xlsx", mapping=survey_mapping("skip_rows: 1\n"))
    assert r.ok, r.problems
    assert r.records.select("answered_at", "score", "nps").rows() == [
        (datetime(2026, 10, 8, 9, 30), 4, 9),
        (datetime(2026, 10, 9, 10), 8, None),
    ]


def test_it_reports_workbook_rows_as_the_spreadsheet_shows_them():
    data = workbook([["问卷号", "时间", "满分", "得分", "推荐"], ["S1", "下周", 5, 4, 9]], title_rows=2)
    r = parse_records(data, filename="s.xlsx", mapping=survey_mapping("skip_rows: 2\n"))
    assert located(r) == [(4, "时间", "records_bad_date")]


def test_it_reports_a_missing_sheet():
    data = workbook([["问卷号", "时间", "满分", "得分", "推荐"]])
    r = parse_records(data, filename="s.xlsx", mapping=survey_mapping("sheet: 满意度\n"))
    assert [p.code for p in r.problems] == ["records_sheet_missing"]
    assert "问卷" in r.problems[0].message("en")


@pytest.mark.parametrize("name", sorted(shipped_mappings()))
def test_it_imports_each_shipped_sample_cleanly(name):
    mapping = get_mapping(name)
    [sample] = [p for p in SAMPLES.iterdir() if p.stem == name]
    r = parse_records(sample.read_bytes(), filename=sample.name, mapping=mapping)
    assert r.ok, [p.located("en") for p in r.problems]
    assert r.records.height >= 20


def test_it_ships_a_complaints_event_log_with_several_rows_per_id():
    sample = SAMPLES / "complaints-event-log-utf8bom.csv"
    assert sample.read_bytes().startswith(b"\xef\xbb\xbf")
    r = parse_records(sample.read_bytes(), filename=sample.name, mapping=get_mapping(sample.stem))
    assert r.rows_read > r.records.height and r.events.height == r.rows_read
    assert set(r.records["status"]) >= {"closed", "cancelled", "open"}


def test_it_ships_gbk_work_orders_across_the_national_day_holiday():
    sample = SAMPLES / "crm-work-orders-gbk.csv"
    with pytest.raises(UnicodeDecodeError):
        sample.read_bytes().decode("utf-8")
    r = parse_records(sample.read_bytes(), filename=sample.name, mapping=get_mapping(sample.stem))
    days = {d.date().isoformat() for d in r.records["received_at"]}
    assert {"2026-10-02", "2026-10-10", "2026-02-14"} <= days


def test_it_reports_progress_from_zero_to_one():
    seen = []
    parse_records(EVENT_LOG.encode(), filename="c.csv", mapping=complaint_mapping(), on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0

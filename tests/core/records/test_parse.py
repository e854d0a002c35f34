"""Import parsing: every bad row is reported with its row and source column; nothing is returned then."""

from datetime import datetime

import pytest

from aftersales.core.records.mapping import load_mapping

from .helpers import (
    COMPLAINT_HEADER,
    RETURN_VISIT_MAPPING,
    SURVEY_MAPPING,
    WORK_ORDER_MAPPING,
    complaint_mapping,
    located,
    parse,
)

GOOD = "C1,2026-03-02 10:00,产品质量,处理中,电话,2026-03-02 11:00,,2026-03-02 10:00"


def complaints(*rows, skip_rows=0):
    return "\n".join([*(["导出,,"] * skip_rows), COMPLAINT_HEADER, *rows]) + "\n"


def test_it_parses_a_good_file_into_canonical_columns():
    r = parse(complaints(GOOD), complaint_mapping())
    assert r.ok and r.rows_read == 1
    row = r.records.row(0, named=True)
    assert row["external_id"] == "C1" and row["status"] == "open" and row["channel"] == "phone"
    assert row["received_at"] == datetime(2026, 3, 2, 10) and row["closed_at"] is None
    assert r.records.columns[:4] == ["external_id", "received_at", "category", "status"]


def test_it_reports_an_unparseable_date_with_row_column_and_the_expected_format():
    r = parse(complaints(GOOD, "C2,2026/03/02 25:00,产品质量,处理中,,,,"), complaint_mapping())
    assert located(r) == [(3, "受理时间", "records_bad_date")]
    assert "%Y-%m-%d %H:%M" in r.problems[0].message("en") and "2026/03/02 25:00" in r.problems[0].message("zh-Hans")
    assert r.records.height == 0  # nothing to write


def test_it_reports_closed_before_received():
    r = parse(complaints("C1,2026-03-02 10:00,产品质量,已结案,,,2026-03-01 09:00,"), complaint_mapping())
    assert located(r) == [(2, "结案时间", "records_order")]
    assert r.problems[0].message("en") == "'结案时间' (2026-03-01 09:00) is before '受理时间' (2026-03-02 10:00)"


def test_it_reports_first_response_before_received():
    r = parse(complaints("C1,2026-03-02 10:00,产品质量,处理中,,2026-03-02 09:59,,"), complaint_mapping())
    assert located(r) == [(2, "首次响应", "records_order")]


def test_it_reports_completed_before_arrived_and_arrived_before_received():
    text = "工单号,受理时间,产品,状态,到达时间,完工时间,上门次数\n" + (
        "W1,2026-03-02 10:00,空调,已完工,2026-03-02 12:00,2026-03-02 11:00,1\n"
        "W2,2026-03-02 10:00,空调,已完工,2026-03-02 09:00,,1\n"
    )
    r = parse(text, load_mapping(WORK_ORDER_MAPPING))
    assert located(r) == [(2, "完工时间", "records_order"), (3, "到达时间", "records_order")]


def test_it_reports_an_unknown_category():
    r = parse(complaints("C1,2026-03-02 10:00,物流太慢,处理中,,,,"), complaint_mapping())
    assert located(r) == [(2, "投诉类别", "records_unknown_category")]
    assert "产品质量、服务态度" in r.problems[0].message("en")


def test_it_reports_an_unknown_status_and_channel():
    r = parse(complaints("C1,2026-03-02 10:00,产品质量,搁置,微博,,,"), complaint_mapping())
    assert located(r) == [(2, "状态", "records_unknown_status"), (2, "渠道", "records_unknown_channel")]


def test_it_reports_a_missing_required_field():
    r = parse(
        complaints("C1,2026-03-02 10:00,,处理中,,,,", ",2026-03-02 10:00,产品质量,处理中,,,,"), complaint_mapping()
    )
    assert located(r) == [(2, "投诉类别", "records_required_missing"), (3, "投诉单号", "records_required_missing")]


def test_it_reports_a_bad_int_and_an_out_of_range_visit_count():
    text = "工单号,受理时间,产品,状态,到达时间,完工时间,上门次数\n" + (
        "W1,2026-03-02 10:00,空调,处理中,,,两次\nW2,2026-03-02 10:00,空调,处理中,,,0\n"
    )
    r = parse(text, load_mapping(WORK_ORDER_MAPPING))
    assert located(r) == [(2, "上门次数", "records_bad_int"), (3, "上门次数", "records_out_of_range")]


def test_it_reports_a_bad_bool_and_an_unknown_subject_kind():
    text = "回访号,对象,单号,回访时间,是否接通\nR1,工单,W1,2026-03-03 10:00,接通\nR2,安装单,W2,2026-03-03 10:00,也许\n"
    r = parse(text, load_mapping(RETURN_VISIT_MAPPING))
    assert located(r) == [(3, "对象", "records_unknown_kind_ref"), (3, "是否接通", "records_bad_bool")]


def test_it_accepts_default_yes_no_words_for_bools():
    text = "回访号,对象,单号,回访时间,是否接通\nR1,工单,W1,2026-03-03 10:00,是\nR2,complaint,C2,2026-03-03 10:00,否\n"
    r = parse(text, load_mapping(RETURN_VISIT_MAPPING))
    assert r.ok and r.records["reached"].to_list() == [True, False]
    assert r.records["subject_kind"].to_list() == ["work_order", "complaint"]


def test_it_reports_a_score_above_its_scale_and_a_bad_scale():
    text = "问卷号,时间,满分,得分,推荐\n" + (
        "S1,2026-03-03 10:00,5,6,9\nS2,2026-03-03 10:00,7,3,11\nS3,2026-03-03 10:00,100,100,10\n"
    )
    r = parse(text, load_mapping(SURVEY_MAPPING))
    assert located(r) == [(2, "得分", "records_out_of_range"), (3, "满分", "records_out_of_range"),
                          (3, "推荐", "records_out_of_range")]  # fmt: skip


def test_it_lists_every_bad_row_not_just_the_first():
    rows = [f"C{i},2026-03-0{i} 10:00,产品质量,处理中,,,," for i in range(1, 6)]
    rows[1] = rows[1].replace("2026-03-02 10:00", "昨天")
    rows[3] = rows[3].replace("产品质量", "其他")
    rows.append("C9,2026-13-01 10:00,产品质量,处理中,,,,")
    r = parse(complaints(*rows), complaint_mapping())
    assert located(r) == [(3, "受理时间", "records_bad_date"), (5, "投诉类别", "records_unknown_category"),
                          (7, "受理时间", "records_bad_date")]  # fmt: skip


def test_it_counts_skipped_rows_and_blank_rows_in_the_row_numbers():
    r = parse(complaints(GOOD, "", "C2,坏日期,产品质量,处理中,,,,", skip_rows=2), complaint_mapping(skip_rows=2))
    assert located(r) == [(6, "受理时间", "records_bad_date")]


def test_it_reports_a_missing_source_column_named_by_the_mapping():
    text = "投诉单号,受理时间,投诉类别,状态,首次响应,结案时间,状态时间\n" + GOOD
    r = parse(text, complaint_mapping())
    assert located(r) == [(1, "渠道", "records_header_missing")]


def test_it_reports_a_duplicated_source_column():
    r = parse(COMPLAINT_HEADER + ",状态\n" + GOOD + ",已结案\n", complaint_mapping())
    assert located(r) == [(1, "状态", "records_header_duplicate")]


def test_it_matches_headers_despite_spaces_and_full_width_characters():
    header = COMPLAINT_HEADER.replace("渠道", " 渠道 ").replace("投诉单号", "投诉单号\u3000")
    assert parse(header + "\n" + GOOD + "\n", complaint_mapping()).ok


def test_it_reports_a_wrong_kind_of_file():
    text = "工单号,受理时间,产品,状态\nW1,2026-03-02 10:00,空调,已完工\n"
    r = parse(text, complaint_mapping())
    assert [p.code for p in r.problems] == ["records_wrong_file"]
    assert "投诉单号" in r.problems[0].message("en")


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "f.csv", "records_file_empty"),
        (b"PK\x03\x04 not really", "f.csv", "records_file_unreadable"),
        (b"PK\x03\x04 not really", "f.xlsx", "records_file_unreadable"),
        (b"a,b\n", "f.pdf", "records_file_type"),
        (("投诉单号,受理时间,投诉类别,状态,渠道,首次响应,结案时间,状态时间\n").encode(), "f.csv", "records_no_rows"),
    ],
)
def test_it_reports_an_unreadable_or_wrong_kind_of_file(data, filename, code):
    from aftersales.core.records.parse import parse_records

    r = parse_records(data, filename=filename, mapping=complaint_mapping())
    assert [p.code for p in r.problems] == [code]
    assert r.records.height == 0


def test_it_reports_the_wrong_encoding_with_the_line_it_failed_at():
    text = complaints(GOOD, "C2,2026-03-02 10:00,服务态度,处理中,,,,")
    r = parse(text, complaint_mapping(encoding="utf-8"), encoding="gbk")
    assert [(p.code, p.params["line"]) for p in r.problems] == [("records_file_encoding", 1)]
    assert "utf-8" in r.problems[0].message("en")


def test_it_refuses_a_utf8_bom_file_read_as_gbk():
    r = parse("\ufeff" + complaints(GOOD), complaint_mapping(encoding="gbk"))
    assert [p.code for p in r.problems] == ["records_file_encoding"]


@pytest.mark.parametrize(
    ("mapping_encoding", "file_encoding", "bom"),
    [("utf-8", "utf-8", ""), ("utf-8", "utf-8", "\ufeff"), ("utf-8-sig", "utf-8", "\ufeff"), ("gbk", "gbk", ""),
     ("gb18030", "gb18030", "")],
)  # fmt: skip
def test_it_reads_each_supported_encoding_to_the_same_records(mapping_encoding, file_encoding, bom):
    text = bom + complaints(GOOD, "C2,2026-03-03 10:00,服务态度,已结案,12315,,2026-03-04 10:00,")
    r = parse(text, complaint_mapping(encoding=mapping_encoding), encoding=file_encoding)
    assert r.ok, r.problems
    assert r.records["category"].to_list() == ["产品质量", "服务态度"]
    assert r.records["channel"].to_list() == ["phone", "regulator"]


def test_it_reads_gb18030_characters_outside_gbk():
    text = complaints("C𠀀1,2026-03-02 10:00,产品质量,处理中,,,,")  # 𠀀 is only in GB18030, not in GBK
    r = parse(text, complaint_mapping(encoding="gb18030"), encoding="gb18030")
    assert r.ok and r.records["external_id"].to_list() == ["C𠀀1"]

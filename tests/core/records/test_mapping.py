"""Mapping files: validated on load, every problem reported with its path."""

import pytest

from aftersales.core.problems import ProblemsError
from aftersales.core.records.fields import Kind
from aftersales.core.records.mapping import get_mapping, load_mapping, shipped_mappings

from .helpers import COMPLAINT_MAPPING


def problems(text):
    with pytest.raises(ProblemsError) as err:
        load_mapping(text, name="bad")
    return [(p.where, p.code) for p in err.value.problems]


def test_it_loads_a_mapping_with_its_hash_and_defaults():
    m = load_mapping(COMPLAINT_MAPPING.format(encoding="utf-8", skip_rows=0), name="x")
    assert m.kind is Kind.COMPLAINT and m.encoding == "utf-8" and m.skip_rows == 0 and m.sheet is None
    assert m.columns["external_id"] == "投诉单号"
    assert m.formats_for("closed_at") == ("%Y-%m-%d %H:%M",)
    assert m.values["status"]["已结案"] == "closed"
    assert m.categories == ("产品质量", "服务态度")
    assert len(m.sha256) == 64


def test_it_reports_every_problem_of_a_mapping_with_its_path():
    text = """
format: aftersales-mapping/2
kind: complaint
encoding: big5
skip_rows: -1
extra: 1
columns:
  external_id: 编号
  received: 时间
date_formats:
  default: ["%Y-%m-%d", "YYYY-MM-DD"]
  category: "%Y"
values:
  status: {已结案: done}
  channel: {电话: phone}
  external_id: {a: b}
"""
    assert problems(text) == [
        ("extra", "records_mapping_unknown_key"),
        ("format", "records_mapping_bad_value"),
        ("encoding", "records_mapping_bad_value"),
        ("skip_rows", "records_mapping_bad_value"),
        ("columns.received", "records_mapping_unknown_field"),
        ("columns", "records_mapping_required_unmapped"),
        ("columns", "records_mapping_required_unmapped"),
        ("columns", "records_mapping_required_unmapped"),
        ("date_formats.default[1]", "records_mapping_bad_date_format"),
        ("date_formats.category", "records_mapping_unknown_field"),
        ("values.status.已结案", "records_mapping_bad_value"),
        ("values.external_id", "records_mapping_unknown_field"),
    ]


def test_it_reports_missing_keys_and_a_bad_kind():
    assert problems("format: aftersales-mapping/1\nkind: invoice\n") == [
        ("/", "records_mapping_missing_key"),
        ("/", "records_mapping_missing_key"),
        ("kind", "records_mapping_bad_value"),
    ]


def test_it_reports_a_file_that_is_not_yaml():
    assert problems("columns: [a\n") == [("bad", "records_mapping_not_yaml")]
    assert problems("- a\n- b\n") == [("/", "records_mapping_not_mapping")]


def test_it_reports_a_category_map_target_outside_the_closed_list():
    text = COMPLAINT_MAPPING.format(encoding="utf-8", skip_rows=0) + "  category: {质量: 质量问题}\n"
    text = text.replace("values:\n", "values:\n  category: {质量: 质量问题}\n", 1).rsplit("  category: {质量", 1)[0]
    assert problems(text) == [("values.category.质量", "records_mapping_bad_value")]


def test_it_ships_one_mapping_per_kind():
    kinds = {get_mapping(name).kind for name in shipped_mappings()}
    assert kinds == set(Kind)


def test_it_reports_an_unknown_shipped_mapping():
    with pytest.raises(ProblemsError) as err:
        get_mapping("no-such-mapping")
    assert err.value.problems[0].code == "records_mapping_unknown"
    assert "crm-work-orders-gbk" in err.value.problems[0].message("en")

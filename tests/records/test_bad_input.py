"""Every bad-input case stops the import with every problem named by row and source column, and
writes nothing (no record, no status event)."""

import pytest

from aftersales.core.problems import problem_from_json
from aftersales.records.models import Complaint, RecordImport, StatusEvent, WorkOrder
from aftersales.records.services import records_import

from .conftest import mapping_text, sample_file

pytestmark = pytest.mark.django_db


def _complaints(edit) -> bytes:
    _, data = sample_file("complaint")
    lines = data.decode("utf-8-sig").splitlines()
    edit(lines)
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def _run(world, kind, data, *, filename=None, mapping=None):
    ri = records_import(
        enterprise=world["enterprise"],
        kind=kind,
        data=data,
        filename=filename or sample_file(kind)[0],
        mapping=mapping or mapping_text(kind),
        by=world["people"]["ent_admin"],
    )
    assert ri.status == "failed"
    assert Complaint.objects.count() == WorkOrder.objects.count() == StatusEvent.objects.count() == 0
    return {(p["code"], p["row"], p["column"]) for p in ri.problems}


def _line(lines, i, old, new):
    assert old in lines[i], (old, lines[i])
    lines[i] = lines[i].replace(old, new, 1)


def test_it_names_an_unparseable_date(world):
    data = _complaints(lambda ls: _line(ls, 1, "2026-01-12 10:41:00", "12.01.2026"))
    assert ("records_bad_date", 2, "受理时间") in _run(world, "complaint", data)


def test_it_names_a_complaint_closed_before_it_was_received(world):
    data = _complaints(lambda ls: _line(ls, 3, "2026-01-21 16:41:00,,", "2026-01-01 16:41:00,,"))
    assert any(code == "records_order" and row == 4 for code, row, _ in _run(world, "complaint", data))


def test_it_names_an_unknown_status(world):
    data = _complaints(lambda ls: _line(ls, 2, "处理中", "搁置"))
    assert ("records_unknown_status", 3, "处理状态") in _run(world, "complaint", data)


def test_it_names_a_missing_required_field(world):
    def edit(ls):  # TS20260001 has three rows: the category is missing in all of them
        for i in (1, 2, 3):
            _line(ls, i, "收费争议", "")

    problems = _run(world, "complaint", _complaints(edit))
    assert any(c == "records_required_missing" and r in {2, 3, 4} and col == "投诉类型" for c, r, col in problems)


def test_it_lists_every_problem_not_just_the_first(world):
    def edit(ls):
        _line(ls, 1, "2026-01-12 10:41:00", "yesterday")
        _line(ls, 2, "处理中", "搁置")

    problems = _run(world, "complaint", _complaints(edit))
    assert {"records_bad_date", "records_unknown_status"} <= {code for code, _, _ in problems}


def test_it_names_a_missing_source_column(world):
    data = _complaints(lambda ls: _line(ls, 0, "投诉类型", "类型"))
    assert any(
        code == "records_header_missing" and col == "投诉类型" for code, _, col in _run(world, "complaint", data)
    )


def test_it_refuses_a_file_in_another_encoding(world):
    _, data = sample_file("work_order")  # GBK
    utf8 = data.decode("gbk").encode("utf-8")
    problems = _run(world, "work_order", utf8)
    assert {code for code, _, _ in problems} == {"records_file_encoding"}


def test_it_refuses_the_wrong_kind_of_file(world):
    _, data = sample_file("complaint")
    problems = _run(world, "work_order", data.decode("utf-8-sig").encode("gbk"), filename="complaints.csv")
    assert {code for code, _, _ in problems} & {"records_wrong_file", "records_header_missing"}


def test_it_refuses_a_mapping_of_another_kind_naming_both_kinds(world):
    _, data = sample_file("complaint")
    problems = _run(world, "work_order", data, mapping=mapping_text("complaint"))
    assert ("records_mapping_wrong_kind", None, None) in problems
    ri = RecordImport.objects.get()
    message = problem_from_json(ri.problems[0]).message("zh-hans")
    assert message == "所选字段映射用于“投诉”记录，而本次导入的是“维修工单”：请选择维修工单的映射"
    english = problem_from_json(ri.problems[0]).message("en")
    assert english == (
        "the mapping is for complaint records, but this import is of repair work order: "
        "choose a mapping for repair work order"
    )


def test_it_names_a_bad_whole_number(world):
    _, data = sample_file("work_order")
    lines = data.decode("gbk").splitlines()
    header = lines[1].split(",")
    col = header.index("上门次数")
    cells = lines[2].split(",")
    cells[col] = "两次"
    lines[2] = ",".join(cells)
    problems = _run(world, "work_order", ("\n".join(lines) + "\n").encode("gbk"))
    assert ("records_bad_int", 3, "上门次数") in problems


def test_it_refuses_an_unreadable_file(world):
    problems = _run(world, "survey", b"PK\x03\x04 not really a workbook", filename="surveys.xlsx")
    assert {code for code, _, _ in problems} == {"records_file_unreadable"}

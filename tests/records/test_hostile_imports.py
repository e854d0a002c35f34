"""Hostile imports and parameters (issue 21, items 2, 8 and 11): an alias-bomb mapping, problems
that would fill a row, a listing that loaded every past problem, a conflict with stored records
lost on SQLite, a killed import's task left running, and pages and dates that answered 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from aftersales.core.problems import MAX_PROBLEMS
from aftersales.records.models import Complaint, RecordImport, StatusEvent
from aftersales.records.services import records_import
from aftersales.records.tasks import record_imports_interrupted
from tests.hostile_files import alias_bomb

pytestmark = pytest.mark.django_db

MAPPING = """\
format: aftersales-mapping/1
kind: complaint
encoding: utf-8
columns: {external_id: 编号, received_at: 受理时间, category: 类别, status: 状态, closed_at: 结案时间}
values: {status: {处理中: open, 已结案: closed}}
"""
HEADER = "编号,受理时间,类别,状态,结案时间"


def _import(world, rows: list[str], *, mapping: str = MAPPING):
    return records_import(
        enterprise=world["enterprise"],
        kind="complaint",
        data=("\n".join([HEADER, *rows]) + "\n").encode(),
        filename="c.csv",
        mapping=mapping,
        by=world["people"]["ent_admin"],
    )


# ------------------------------------------------------------------------------ item 2


def test_an_alias_bomb_mapping_uploaded_through_the_api_is_refused_small(client, world):
    client.force_login(world["people"]["ent_admin"])
    body = client.post(
        reverse("api:records_api_import", args=[world["enterprise"].pk]),
        {
            "kind": "complaint",
            "file": SimpleUploadedFile("c.csv", (HEADER + "\n").encode()),
            "mapping_file": SimpleUploadedFile("bomb.yaml", alias_bomb(6).encode()),
        },
    ).json()
    assert body["status"] == "failed"
    assert [p["code"] for p in body["problems"]] == ["yaml_alias"]
    assert "别名" in body["problems"][0]["message"]
    stored = RecordImport.objects.get(pk=body["id"]).problems
    assert len(str(stored)) < 2_000


def test_a_long_value_in_a_mapping_is_cut_in_the_stored_problem(world):
    ri = _import(world, [], mapping=MAPPING.replace("kind: complaint", "kind: " + "x" * 100_000))
    assert ri.status == "failed"
    assert len(str(ri.problems)) < 2_000


def test_an_import_stores_the_first_problems_and_the_count_of_the_rest(world):
    ri = _import(world, [f"C{i},never,质量,处理中," for i in range(250)])
    assert len(ri.problems) == MAX_PROBLEMS + 1
    assert ri.problems[-1]["code"] == "problems_more" and ri.problems[-1]["params"]["count"] == "150"


def test_listing_imports_does_not_load_their_problems(client, world):
    _import(world, [f"C{i},never,质量,处理中," for i in range(5)])
    client.force_login(world["people"]["ent_admin"])
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("records_enterprise", args=[world["enterprise"].pk]))
    assert page.status_code == 200 and "c.csv" in page.text
    assert not [q["sql"] for q in queries if "recordimport" in q["sql"] and '"problems"' in q["sql"]]


# ------------------------------------------------------------------------------ item 8


def test_a_file_that_conflicts_with_stored_records_fails_with_the_reason(world):
    assert _import(world, ["C1,2026-03-01 09:00,质量,已结案,2026-03-02 09:00"]).status == "done"
    # alone the file is fine; merged with the stored closing time it closes before it was received
    ri = _import(world, ["C1,2026-03-05 09:00,质量,处理中,"])
    ri.refresh_from_db()
    assert ri.status == "failed" and ri.finished_at is not None
    (problem,) = ri.problems
    assert "nothing was written" in problem["message"] and problem["error"]
    assert Complaint.objects.get().received_at.day == 1
    assert StatusEvent.objects.count() == 0


def test_the_sweep_ends_a_killed_imports_task_row(world):
    ri = _import(world, ["C1,2026-03-01 09:00,质量,处理中,"])
    long_ago = timezone.now() - timedelta(hours=3)
    RecordImport.objects.filter(pk=ri.pk).update(status="running", finished_at=None, started_at=long_ago)
    task = DBTaskResult.objects.create(
        status="RUNNING",
        started_at=long_ago,
        args_kwargs={"args": [ri.pk], "kwargs": {}},
        task_path="aftersales.records.tasks.record_import_task",
        backend_name="default",
        run_after=long_ago,
        exception_class_path="",
        traceback="",
    )
    record_imports_interrupted()
    ri.refresh_from_db()
    task.refresh_from_db()
    assert ri.status == "failed" and "interrupted" in ri.problems[0]["message"]
    assert task.status == "FAILED" and task.finished_at is not None
    assert "interrupted" in task.traceback and str(ri.pk) in task.traceback


# ------------------------------------------------------------------------------ item 11


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999999", "-5", "0"])
def test_a_huge_or_negative_page_on_the_records_api_is_not_a_server_error(client, world, page):
    client.force_login(world["people"]["ent_admin"])
    response = client.get(reverse("api:records_api_list", args=[world["enterprise"].pk, "complaint"]), {"page": page})
    assert response.status_code == 422, response.content


@pytest.mark.parametrize(
    ("date_from", "date_to"), [("2026-01-01", "9999-12-31"), ("0001-01-01", "2026-01-31"), ("0001-01-01", "9999-12-31")]
)
def test_a_kpi_period_at_the_ends_of_the_calendar_is_refused_not_a_500(client, world, date_from, date_to):
    client.force_login(world["people"]["ent_admin"])
    ent = world["enterprise"].pk
    query = {"date_from": date_from, "date_to": date_to}
    api = client.get(reverse("api:records_api_kpis", args=[ent]), query)
    assert api.status_code == 422, api.content
    page = client.get(reverse("records_kpis", args=[ent]), query)
    assert page.status_code == 200 and "2000-01-01" in page.text
    listing = client.get(reverse("records_list", args=[ent, "complaint"]), query)
    assert listing.status_code == 200


def test_records_dated_year_one_are_refused_at_import_with_row_and_column(client, world):
    ri = _import(world, ["C1,2026-03-01 09:00,质量,处理中,", "C2,0001-01-01 00:00,质量,处理中,"])
    assert ri.status == "failed"
    assert [(p["code"], p["row"], p["column"]) for p in ri.problems] == [("records_date_implausible", 3, "受理时间")]
    client.force_login(world["people"]["ent_admin"])
    assert client.get(reverse("records_enterprise", args=[world["enterprise"].pk])).status_code == 200

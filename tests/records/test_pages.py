from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.records.models import Complaint, RecordImport, WorkOrder
from aftersales.records.selectors import kpi_report

from .conftest import mapping_text, sample_file

pytestmark = pytest.mark.django_db


def _login(client, world, who="ent_admin"):
    client.force_login(world["people"][who])
    return world["enterprise"].pk


def test_it_imports_a_shipped_sample_on_the_web_and_shows_the_counts(client, world):
    ent = _login(client, world)
    name, data = sample_file("work_order")
    response = client.post(
        reverse("records_import", args=[ent]),
        {"kind": "work_order", "mapping": "crm-work-orders-gbk", "file": SimpleUploadedFile(name, data)},
    )
    ri = RecordImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("records_import_detail", args=[ent, ri.pk])
    assert ri.status == "done" and WorkOrder.objects.count() == ri.inserted > 0
    page = client.get(response["Location"]).content.decode()
    assert f"<dd>{ri.inserted}</dd>" in page and 'value="100"' in page


def test_it_lists_every_problem_with_row_and_column_and_writes_nothing_on_the_web(client, world):
    ent = _login(client, world)
    name, data = sample_file("complaint")
    text = data.decode("utf-8-sig")
    lines = text.splitlines()
    lines[1] = lines[1].replace("2026-01-12 10:41:00", "2026-13-45 99:00", 1)  # bad date in row 2
    lines[3] = lines[3].replace("已办结", "不知道")  # unknown status in row 4
    bad = ("\n".join(lines) + "\n").encode("utf-8-sig")
    response = client.post(
        reverse("records_import", args=[ent]),
        {
            "kind": "complaint",
            "mapping_file": SimpleUploadedFile("m.yaml", mapping_text("complaint")),
            "file": SimpleUploadedFile(name, bad),
        },
        follow=True,
    )
    ri = RecordImport.objects.get()
    assert ri.status == "failed" and Complaint.objects.count() == 0
    rows = {(p["row"], p["column"]) for p in ri.problems}
    assert (2, "受理时间") in rows and (4, "处理状态") in rows
    page = response.content.decode()
    assert "受理时间" in page and "处理状态" in page and "不知道" in page


def test_it_polls_the_progress_as_a_partial_for_htmx(client, world, imported):
    ent = _login(client, world)
    ri = imported["complaint"]
    response = client.get(reverse("records_import_detail", args=[ent, ri.pk]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="import-progress"')
    assert "hx-trigger" not in body  # finished: no more polling


def test_it_shows_kpi_numbers_matching_the_core(client, world, imported):
    from aftersales.records.services import commitment_publish

    commitment_publish(
        enterprise=world["enterprise"],
        effective_from=__import__("datetime").date(2025, 1, 1),
        by=world["people"]["ent_admin"],
        arrival_hours=Decimal("24"),
        first_response_hours=Decimal("24"),
    )
    ent = _login(client, world, "ent_member")
    page = client.get(reverse("records_kpis", args=[ent])).content.decode()
    report = kpi_report(world["enterprise"], date_from=None, date_to=None)
    arrival = report.get("arrival_time")
    assert arrival.denominator > 0
    assert f"<strong>{arrival.median}</strong>" in page and f"<strong>{arrival.median_business}</strong>" in page
    on_time = report.get("arrival_on_time")
    assert f"({on_time.numerator} / {on_time.denominator})" in page
    assert page.count("<svg") >= 4


def test_it_drills_from_a_kpi_to_its_records(client, world, imported):
    from aftersales.records.selectors import kpi_drill_keys

    ent = _login(client, world)
    k = kpi_report(world["enterprise"], date_from=None, date_to=None).get("first_time_fix_rate")
    keys = kpi_drill_keys(world["enterprise"], kpi_id=k.id, date_from=None, date_to=None)
    assert keys.height == k.denominator > 0
    response = client.get(reverse("records_list", args=[ent, "work_order"]), {"kpi": k.id})
    assert response.context["page"].paginator.count == k.denominator
    shown = {row.external_id for row, _ in response.context["table"]}
    assert shown <= set(keys["external_id"].to_list()) and shown


def test_it_shows_the_eligibility_signal(client, world, imported):
    ent = _login(client, world)
    page = client.get(reverse("records_enterprise", args=[ent])).content.decode()
    assert "rec-missing" in page or "rec-ready" in page


def test_it_publishes_commitments_as_new_versions(client, world):
    ent = _login(client, world)
    url = reverse("records_commitments", args=[ent])
    for hours in ("24", "12"):
        assert client.post(url, {"effective_from": "2026-01-01", "arrival_hours": hours}).status_code == 302
    from aftersales.records.models import Commitment

    assert list(Commitment.objects.values_list("arrival_hours", flat=True).order_by("id")) == [Decimal(24), Decimal(12)]
    client.force_login(world["people"]["ent_member"])
    assert client.post(url, {"effective_from": "2026-01-01", "arrival_hours": "1"}).status_code == 403


def test_it_computes_the_same_kpis_from_the_database_as_the_core_from_the_files(world, imported):
    """The round trip through the database (UTC storage, local time back) changes no KPI."""
    from aftersales.core.records.kpi import Commitments, RecordFrames, kpi_suite
    from aftersales.core.records.mapping import load_mapping
    from aftersales.core.records.parse import parse_records
    from aftersales.records.selectors import business_calendar

    from .conftest import SHIPPED

    frames = {}
    for kind, (_, mapping_name) in SHIPPED.items():
        name, data = sample_file(kind)
        parsed = parse_records(data, filename=name, mapping=load_mapping(mapping_text(kind), name=mapping_name))
        frames[kind] = parsed.records
    direct = kpi_suite(
        RecordFrames(
            complaints=frames["complaint"],
            work_orders=frames["work_order"],
            return_visits=frames["return_visit"],
            surveys=frames["survey"],
        ),
        calendar=business_calendar(),
        commitments=Commitments(),
    )
    stored = kpi_report(world["enterprise"], date_from=None, date_to=None)
    assert stored.as_json() == direct.as_json()


def test_it_queues_the_import_for_the_worker_and_polls_until_it_is_done(client, world, settings):
    from aftersales.records.importing import record_import_run

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    ent = _login(client, world)
    name, data = sample_file("complaint")
    response = client.post(
        reverse("records_import", args=[ent]),
        {"kind": "complaint", "mapping": "complaints-event-log-utf8bom", "file": SimpleUploadedFile(name, data)},
    )
    ri = RecordImport.objects.get()
    assert ri.status == "queued" and Complaint.objects.count() == 0
    polled = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in polled
    record_import_run(record_import=ri)  # what the worker does
    ri.refresh_from_db()
    assert ri.status == "done" and Complaint.objects.count() == ri.inserted


def test_it_writes_nothing_on_a_web_dry_run(client, world):
    ent = _login(client, world)
    name, data = sample_file("work_order")
    client.post(
        reverse("records_import", args=[ent]),
        {
            "kind": "work_order",
            "mapping": "crm-work-orders-gbk",
            "file": SimpleUploadedFile(name, data),
            "dry_run": "on",
        },
    )
    ri = RecordImport.objects.get()
    assert ri.dry_run and ri.status == "done" and ri.inserted > 0 and WorkOrder.objects.count() == 0

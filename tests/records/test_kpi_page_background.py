"""The KPI page never reads a large record set inside the request: above KPI_INLINE_MAX_RECORDS it
queues a job and says the figures are being computed; the figures, once stored, are the same as
computed directly, and are reused until the records, commitments or period change."""

import pytest
from django.tasks import default_task_backend
from django.urls import reverse

from aftersales.records import figures
from aftersales.records.models import WorkOrder
from aftersales.records.selectors import kpi_report
from aftersales.records.tasks import kpi_report_task

pytestmark = pytest.mark.django_db

QUEUED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def queued(settings):
    """Jobs wait in a queue instead of running inside the request."""
    settings.TASKS = QUEUED
    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


@pytest.fixture
def no_suite(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the KPI suite ran inside the request")

    monkeypatch.setattr(figures, "kpi_suite", refuse)


def page(client, world, who="ent_admin", **headers):
    client.force_login(world["people"][who])
    return client.get(reverse("records_kpis", args=[world["enterprise"].pk]), headers=headers)


def test_a_small_record_set_is_computed_in_the_request_once(client, world, imported, monkeypatch):
    assert page(client, world).status_code == 200
    monkeypatch.setattr(figures, "kpi_suite", lambda *a, **k: pytest.fail("computed again"))
    response = page(client, world)
    assert b'id="kpi-first_response_time"' in response.content and b"kpi-pending" not in response.content


def test_above_the_threshold_it_queues_a_job_and_says_so(client, world, imported, settings, queued, no_suite):
    settings.KPI_INLINE_MAX_RECORDS = 10
    response = page(client, world)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="kpi-pending"' in html and 'hx-trigger="every 2s"' in html
    assert 'id="kpi-first_response_time"' not in html
    assert len(queued.results) == 1
    # polling asks for the partial only, and does not queue the job twice
    partial = page(client, world, HX_Request="true").content.decode()
    assert partial.lstrip().startswith('<div id="kpi-figures"') and "kpi-pending" in partial
    assert len(queued.results) == 1


def test_once_the_job_ran_the_page_shows_the_same_figures(client, world, imported, settings, queued, monkeypatch):
    settings.KPI_INLINE_MAX_RECORDS = 10
    page(client, world)
    (result,) = queued.results
    kpi_report_task.call(*result.args)  # the worker runs the job
    expected = kpi_report(world["enterprise"], date_from=None, date_to=None)  # computed directly
    monkeypatch.setattr(figures, "kpi_suite", lambda *a, **k: pytest.fail("computed in the request"))
    html = page(client, world, HX_Request="true").content.decode()
    assert "kpi-pending" not in html and "hx-trigger" not in html and 'id="kpi-first_response_time"' in html
    req = figures.kpi_request(world["enterprise"], date_from=None, date_to=None)
    assert figures.stored_report(req) == expected


def test_new_records_are_a_new_figure_set(client, world, imported, settings, queued):
    settings.KPI_INLINE_MAX_RECORDS = 10
    page(client, world)
    (result,) = queued.results
    kpi_report_task.call(*result.args)
    WorkOrder.objects.filter(enterprise=world["enterprise"]).first().delete()
    assert "kpi-pending" in page(client, world).content.decode()
    assert len(queued.results) == 2


def test_with_tasks_run_inline_the_first_view_shows_the_figures(client, world, imported, settings):
    settings.KPI_INLINE_MAX_RECORDS = 10  # the conftest's immediate backend runs the job at once
    html = page(client, world).content.decode()
    assert "kpi-pending" not in html and 'id="kpi-first_response_time"' in html


def test_an_outsider_gets_404_and_queues_nothing(client, world, imported, settings, queued):
    settings.KPI_INLINE_MAX_RECORDS = 10
    assert page(client, world, who="other_admin").status_code == 404
    assert queued.results == []


def test_the_api_gives_the_stored_figures(client, world, imported, settings):
    settings.KPI_INLINE_MAX_RECORDS = 10
    page(client, world)
    client.force_login(world["people"]["ent_admin"])
    body = client.get(f"/api/records/{world['enterprise'].pk}/kpis").json()
    assert body == kpi_report(world["enterprise"], date_from=None, date_to=None).as_json()

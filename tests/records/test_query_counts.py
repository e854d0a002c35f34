"""The record lists, the records overview and the KPI page make the same number of queries whatever
the number of records."""

import shutil

import polars as pl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.core.records import synthetic
from aftersales.core.records.fields import Kind
from aftersales.records import bulk
from aftersales.records.models import RecordImport

pytestmark = pytest.mark.django_db


def _add_work_orders(world, n, seed):
    ri = RecordImport.objects.create(
        enterprise=world["enterprise"],
        kind="work_order",
        file_name="x.csv",
        file_size=1,
        file_sha256="0" * 64,
        mapping_name="m",
        mapping_sha256="0" * 64,
        mapping_text="",
        created_by_label="t",
        status="done",
        finished_at="2026-01-01T00:00:00Z",
    )
    frame = synthetic.work_orders(n, seed=seed).with_columns(
        pl.format("S{}-{}", pl.lit(seed), "external_id").alias("external_id")
    )
    bulk.upsert_records(kind=Kind.WORK_ORDER, frame=frame, enterprise_id=world["enterprise"].pk, import_id=ri.pk)


def _queries(client, url, **params):
    from django.conf import settings

    shutil.rmtree(settings.RECORDS_CACHE_DIR, ignore_errors=True)  # compare cold pages: records read each time
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("page", ["records_list", "records_kpis", "records_enterprise"])
def test_it_keeps_the_query_count_flat(client, world, page):
    client.force_login(world["people"]["ent_admin"])
    e = world["enterprise"].pk
    url = reverse("records_list", args=[e, "work_order"]) if page == "records_list" else reverse(page, args=[e])
    _add_work_orders(world, 30, 1)
    few = _queries(client, url)
    _add_work_orders(world, 600, 2)
    assert _queries(client, url) == few


def test_it_keeps_the_query_count_flat_for_a_kpi_drill_down(client, world):
    client.force_login(world["people"]["ent_admin"])
    url = reverse("records_list", args=[world["enterprise"].pk, "work_order"])
    _add_work_orders(world, 30, 1)
    few = _queries(client, url, kpi="arrival_time")
    _add_work_orders(world, 600, 2)
    assert _queries(client, url, kpi="arrival_time") == few


def test_it_keeps_the_query_count_flat_on_the_case_page(client, world):
    """The case page's eligibility signal reads the records' coverage: the same queries for more records."""
    from tests.certification.helpers import make_case

    case = make_case(world, "submitted")
    client.force_login(world["people"]["reviewer"])
    url = reverse("case_detail", args=[case.pk])
    _add_work_orders(world, 30, 1)
    client.get(url)  # the session's first request
    few = _queries(client, url)
    _add_work_orders(world, 600, 2)
    assert _queries(client, url) == few

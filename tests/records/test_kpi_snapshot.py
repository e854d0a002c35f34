"""The KPI suite reads a columnar snapshot of the records; it follows every import and is only a copy."""

import pytest
from polars.testing import assert_frame_equal

from aftersales.core.records.fields import Kind
from aftersales.records import selectors
from aftersales.records.models import WorkOrder
from aftersales.records.selectors import KPI_COLUMNS, kpi_frame, load_frame

pytestmark = pytest.mark.django_db


def test_it_gives_the_same_frame_as_the_database_and_keeps_a_snapshot(world, imported, settings):
    ent = world["enterprise"].pk
    got = kpi_frame(ent, Kind.WORK_ORDER)
    assert_frame_equal(got, load_frame(ent, Kind.WORK_ORDER, columns=KPI_COLUMNS[Kind.WORK_ORDER]))
    assert len(list(settings.RECORDS_CACHE_DIR.glob(f"{ent}-work_order-*.parquet"))) == 1


def test_it_reads_the_snapshot_without_reading_the_records_again(world, imported, monkeypatch):
    ent = world["enterprise"].pk
    first = kpi_frame(ent, Kind.COMPLAINT)

    def refuse(*args, **kwargs):
        raise AssertionError("records read again although the snapshot is current")

    monkeypatch.setattr(selectors, "load_frame", refuse)
    assert_frame_equal(kpi_frame(ent, Kind.COMPLAINT), first)


def test_a_new_import_replaces_the_snapshot(world, imported, settings):
    from .test_import import _import  # the shipped work orders, one changed below

    ent = world["enterprise"].pk
    before = kpi_frame(ent, Kind.WORK_ORDER)
    WorkOrder.objects.filter(enterprise_id=ent).first().delete()  # anything outside an import: the count moves
    assert kpi_frame(ent, Kind.WORK_ORDER).height == before.height - 1
    assert _import(world, "work_order").inserted == 1  # the import brings it back
    assert kpi_frame(ent, Kind.WORK_ORDER).height == before.height
    assert len(list(settings.RECORDS_CACHE_DIR.glob(f"{ent}-work_order-*.parquet"))) == 1


def test_a_damaged_snapshot_is_rebuilt(world, imported, settings):
    ent = world["enterprise"].pk
    good = kpi_frame(ent, Kind.SURVEY)
    (path,) = settings.RECORDS_CACHE_DIR.glob(f"{ent}-survey-*.parquet")
    path.write_bytes(b"not parquet")
    assert_frame_equal(kpi_frame(ent, Kind.SURVEY), good)


def test_an_import_builds_the_snapshot_once_it_commits(
    world, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from .test_import import _import

    ent = world["enterprise"].pk
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _import(world, "work_order")
        _import(world, "complaint", dry_run=True)  # a dry run writes nothing and snapshots nothing
    snapshots = [c for c in callbacks if "kpi_snapshot_task" in c.__code__.co_names]
    assert len(snapshots) == 1  # the import's event also announces itself on commit (notifications)
    assert len(list(settings.RECORDS_CACHE_DIR.glob(f"{ent}-work_order-*.parquet"))) == 1
    assert not list(settings.RECORDS_CACHE_DIR.glob(f"{ent}-complaint-*.parquet"))

    def refuse(*args, **kwargs):
        raise AssertionError("the first KPI view after the import read the database")

    monkeypatch.setattr(selectors, "load_frame", refuse)
    assert kpi_frame(ent, Kind.WORK_ORDER).height > 0

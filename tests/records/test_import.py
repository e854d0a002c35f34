import pytest

from aftersales.events.models import Event
from aftersales.records.models import Complaint, RecordImport, ReturnVisit, StatusEvent, SurveyResponse, WorkOrder
from aftersales.records.services import records_import

from .conftest import SHIPPED, mapping_text, sample_file

pytestmark = pytest.mark.django_db

MODELS = {"complaint": Complaint, "work_order": WorkOrder, "return_visit": ReturnVisit, "survey": SurveyResponse}


def _import(world, kind, data=None, *, dry_run=False, filename=None):
    name, sample = sample_file(kind)
    return records_import(
        enterprise=world["enterprise"],
        kind=kind,
        data=sample if data is None else data,
        filename=filename or name,
        mapping=mapping_text(kind),
        mapping_name=SHIPPED[kind][1],
        by=world["people"]["ent_admin"],
        dry_run=dry_run,
    )


@pytest.mark.parametrize("kind", list(SHIPPED))
def test_it_imports_each_shipped_sample(world, kind):
    ri = _import(world, kind)
    assert ri.status == "done", ri.problems
    stored = MODELS[kind].objects.filter(enterprise=world["enterprise"]).count()
    assert stored == ri.records == ri.inserted > 0
    assert ri.updated == ri.unchanged == 0
    assert MODELS[kind].objects.filter(import_batch=ri).count() == stored
    assert Event.objects.filter(action="records.imported", subject_id=str(ri.pk)).count() == 1


def test_it_changes_nothing_when_the_same_file_comes_again(world):
    first = _import(world, "complaint")
    events = StatusEvent.objects.count()
    before = list(Complaint.objects.values_list("external_id", "status", "closed_at", "import_batch_id").order_by("id"))
    again = _import(world, "complaint")
    assert (again.inserted, again.updated, again.unchanged, again.events) == (0, 0, first.records, 0)
    assert StatusEvent.objects.count() == events
    after = list(Complaint.objects.values_list("external_id", "status", "closed_at", "import_batch_id").order_by("id"))
    assert after == before  # not even the import batch moved


def test_it_merges_the_event_log_rows_of_one_complaint(world):
    _import(world, "complaint")
    c = Complaint.objects.get(external_id="TS20260001")
    assert c.status == "closed" and c.outcome == "退还上门费" and c.closed_at is not None
    events = list(StatusEvent.objects.filter(external_id="TS20260001").values_list("status_raw", flat=True))
    assert events == ["已受理", "处理中", "已办结"]


def test_it_updates_only_the_records_that_changed(world):
    _import(world, "complaint")
    _name, data = sample_file("complaint")
    text = data.decode("utf-8-sig")
    changed = text.replace("2026-01-21 16:41:00,,退还上门费", "2026-01-21 16:41:00,,退还上门费并致歉")
    assert changed != text
    ri = _import(world, "complaint", changed.encode("utf-8-sig"))
    assert (ri.inserted, ri.updated) == (0, 1)
    assert Complaint.objects.get(external_id="TS20260001").outcome == "退还上门费并致歉"
    assert Complaint.objects.get(external_id="TS20260001").import_batch == ri


def test_it_writes_nothing_on_a_dry_run_but_counts(world):
    ri = _import(world, "work_order", dry_run=True)
    assert ri.status == "done" and ri.inserted > 0
    assert WorkOrder.objects.count() == 0 and StatusEvent.objects.count() == 0
    assert not Event.objects.filter(action="records.imported").exists()


def test_it_stores_datetimes_as_local_time_given(world):
    _import(world, "complaint")
    from django.utils import timezone

    c = Complaint.objects.get(external_id="TS20260001")
    assert timezone.localtime(c.received_at).strftime("%Y-%m-%d %H:%M") == "2026-01-12 10:41"


def test_it_keeps_the_file_and_mapping_fingerprints(world):
    import hashlib

    _name, data = sample_file("survey")
    ri = _import(world, "survey")
    assert ri.file_sha256 == hashlib.sha256(data).hexdigest()
    assert ri.mapping_sha256 == hashlib.sha256(mapping_text("survey")).hexdigest()
    assert RecordImport.objects.get(pk=ri.pk).mapping_text.startswith(mapping_text("survey").decode()[:20])


def test_an_import_whose_process_was_killed_is_marked_interrupted_not_running_forever(world):
    from datetime import timedelta

    from django.utils import timezone

    from aftersales.records.models import RecordImport
    from aftersales.records.tasks import record_imports_interrupted

    killed, running = (_import(world, "complaint", dry_run=True) for _ in range(2))
    RecordImport.objects.filter(pk=killed.pk).update(
        status=RecordImport.Status.RUNNING, started_at=timezone.now() - timedelta(hours=3), finished_at=None
    )
    RecordImport.objects.filter(pk=running.pk).update(
        status=RecordImport.Status.RUNNING, started_at=timezone.now(), finished_at=None
    )
    assert record_imports_interrupted() == 1
    killed.refresh_from_db()
    running.refresh_from_db()
    assert killed.status == "failed" and "interrupted" in killed.problems[0]["message"]
    assert running.status == "running"


def _indexes(*models) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        return {
            (m._meta.db_table, name): (tuple(c["columns"]), c["unique"], c["index"], c["primary_key"])
            for m in models
            for name, c in connection.introspection.get_constraints(cursor, m._meta.db_table).items()
        }


def test_a_large_first_import_builds_again_the_indexes_it_set_aside(world, monkeypatch):
    from aftersales.records import bulk

    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 1)  # the samples are small; a million rows in real life
    models = (Complaint, WorkOrder, StatusEvent)
    before = _indexes(*models)
    assert _import(world, "complaint", dry_run=True).status == "done"  # rolled back, the indexes with it
    assert _indexes(*models) == before
    first, work_orders = _import(world, "complaint"), _import(world, "work_order")
    assert first.status == work_orders.status == "done"
    assert first.inserted == Complaint.objects.count() and first.events == StatusEvent.objects.count() > 0
    assert work_orders.inserted == WorkOrder.objects.count() > 0
    assert _indexes(*models) == before
    again = _import(world, "complaint")  # the unique index is back: nothing new, nothing changed
    assert (again.inserted, again.updated, again.unchanged, again.events) == (0, 0, first.records, 0)


def test_a_file_imported_again_with_one_change_and_one_new_row_touches_only_those(world):
    first = _import(world, "work_order")
    _name, data = sample_file("work_order")
    lines = data.decode("gbk").splitlines()
    row = next(i for i, ln in enumerate(lines) if ln.startswith("WO202600001,"))
    lines[row] = lines[row].replace(",李明,", ",王芳,", 1)
    lines.append(lines[row].replace("WO202600001,", "WO209900001,", 1))
    ri = _import(world, "work_order", ("\n".join(lines) + "\n").encode("gbk"))
    assert ri.status == "done", ri.problems
    assert (ri.inserted, ri.updated, ri.unchanged) == (1, 1, first.records - 1)
    assert WorkOrder.objects.get(external_id="WO202600001").technician == "王芳"
    moved = set(WorkOrder.objects.filter(import_batch=ri).values_list("external_id", flat=True))
    assert moved == {"WO202600001", "WO209900001"}  # the unchanged rows still name the first import


def test_a_large_first_import_keeps_the_indexes_when_another_transaction_holds_the_table(world, monkeypatch):
    """PostgreSQL: two imports that each read the table and then wanted it alone would deadlock;
    the lock is asked for without waiting, and refused it the import writes the ordinary way."""
    import psycopg
    from django.db import connection

    from aftersales.records import bulk

    if connection.vendor != "postgresql":
        pytest.skip("table locks are PostgreSQL's")
    monkeypatch.setattr(bulk, "REBUILD_INDEXES_FROM", 1)
    dropped = []
    real = bulk._index_sql
    monkeypatch.setattr(bulk, "_index_sql", lambda table: dropped.append(table) or real(table))
    s = connection.settings_dict
    with psycopg.connect(
        dbname=s["NAME"], host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"] or None
    ) as other:
        other.execute(f"SELECT 1 FROM {WorkOrder._meta.db_table} LIMIT 1")  # its share lock, until it ends
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '3s'")  # were the lock awaited, fail instead of hanging
        ri = _import(world, "work_order")
        other.rollback()
    assert ri.status == "done", ri.problems
    assert WorkOrder.objects.count() == ri.inserted > 0
    assert WorkOrder._meta.db_table not in dropped  # the indexes stayed

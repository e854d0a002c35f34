"""Background jobs of the records app (Django's tasks framework; see settings.TASKS), and the
bookkeeping around them: the KPI snapshot queued after an import, and the imports (and their
queue rows) a killed process left "running"."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks_db.models import DBTaskResult

from aftersales.accounts.models import Organisation
from aftersales.core.problems import ProblemsError
from aftersales.core.records.fields import Kind

from .figures import compute_report, kpi_request, stored_report
from .importing import record_import_run
from .models import RecordImport
from .selectors import kpi_frame, snapshot_key


@task
def record_import_task(import_id: int) -> str:
    """Run a queued import; the result is the import's final status."""
    record_import = RecordImport.objects.get(pk=import_id)
    if record_import.status != RecordImport.Status.QUEUED:
        return record_import.status  # already run (a retried job must not import twice)
    record_imports_interrupted()
    record_import = record_import_run(record_import=record_import)
    snapshot_refresh_later(record_import)
    return record_import.status


@task
def kpi_snapshot_task(enterprise_id: int, kind: str) -> str:
    """Build the columnar KPI snapshot of an enterprise's records of one kind (after an import).
    Idempotent: if the snapshot for the current records exists, it is only read."""
    kpi_frame(enterprise_id, Kind(kind))
    return snapshot_key(enterprise_id, Kind(kind))


@task
def kpi_report_task(enterprise_id: int, date_from: str, date_to: str) -> str:
    """Compute and store the KPI figures of a period ("" = open end) for the records as they are
    now (the KPI page of a large record set waits for this; see records/kpis.py)."""
    enterprise = Organisation.objects.get(pk=enterprise_id)
    period = {
        name: date.fromisoformat(v) if v else None for name, v in (("date_from", date_from), ("date_to", date_to))
    }
    req = kpi_request(enterprise, **period)
    try:
        if stored_report(req) is None:  # a retried or doubled job computes once
            compute_report(req, enterprise)
    except ProblemsError:
        return "problems"  # stored with the key: the page shows them
    return req.key


def snapshot_refresh_later(record_import: RecordImport) -> None:
    """After an import that wrote records: build their KPI snapshot in the background once the import
    has committed, so the first KPI view after an import reads Parquet, not the database."""
    ri = record_import
    if ri.status == RecordImport.Status.DONE and not ri.dry_run:
        enterprise_id, kind = ri.enterprise_id, ri.kind
        transaction.on_commit(lambda: kpi_snapshot_task.enqueue(enterprise_id, kind))


_INTERRUPTED_MESSAGE = gettext_noop(
    "The import was interrupted (the process running it stopped) and nothing of it was written; import the file again."
)
IMPORT_STALE_HOURS = 2  # an import of a million rows takes about a minute


def record_imports_interrupted(*, now=None) -> int:
    """Mark imports still "running" long after they started as failed: their process was killed
    (the records they were writing were rolled back with its transaction; only this status row
    was left). Called by the daily cycle job and before each import runs. Returns how many."""
    now = now or timezone.now()
    stale = RecordImport.objects.filter(
        status__in=[RecordImport.Status.RUNNING, RecordImport.Status.QUEUED],
        started_at__lt=now - timedelta(hours=IMPORT_STALE_HOURS),
    )
    problem = {"code": None, "row": None, "column": None, "where": None, "message": _INTERRUPTED_MESSAGE}
    count = stale.update(status=RecordImport.Status.FAILED, phase="", problems=[problem], finished_at=now)
    _import_tasks_interrupted(now - timedelta(hours=IMPORT_STALE_HOURS), now)
    return count


def _import_tasks_interrupted(started_before, now) -> int:
    """The database queue's rows of import jobs still "running" after IMPORT_STALE_HOURS: their
    worker was killed mid-job (a stopped worker marks its job failed itself). Marked failed, with
    the reason where the traceback would be."""
    rows = DBTaskResult.objects.filter(
        status="RUNNING", task_path=record_import_task.module_path, started_at__lt=started_before
    )
    count = 0
    for row in rows:
        args = row.args_kwargs.get("args") or ["?"]
        row.status, row.finished_at = "FAILED", now
        row.exception_class_path = "aftersales.records.services.ImportInterrupted"
        row.traceback = (
            f"records import {args[0]} interrupted: the worker running it stopped and did not come back "
            f"within {IMPORT_STALE_HOURS} hours; the import is marked failed and nothing of it was written."
        )
        row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
        count += 1
    return count

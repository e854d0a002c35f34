"""Background jobs of the records app (Django's tasks framework; see settings.TASKS)."""

from django.tasks import task


@task
def record_import_task(import_id: int) -> str:
    """Run a queued import; the result is the import's final status."""
    from .models import RecordImport
    from .services import record_import_run

    record_import = RecordImport.objects.get(pk=import_id)
    if record_import.status != RecordImport.Status.QUEUED:
        return record_import.status  # already run (a retried job must not import twice)
    return record_import_run(record_import=record_import).status


@task
def kpi_snapshot_task(enterprise_id: int, kind: str) -> str:
    """Build the columnar KPI snapshot of an enterprise's records of one kind (after an import).
    Idempotent: if the snapshot for the current records exists, it is only read."""
    from aftersales.core.records.fields import Kind

    from .selectors import kpi_frame, snapshot_key

    kpi_frame(enterprise_id, Kind(kind))
    return snapshot_key(enterprise_id, Kind(kind))

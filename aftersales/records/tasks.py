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


@task
def kpi_report_task(enterprise_id: int, date_from: str, date_to: str) -> str:
    """Compute and store the KPI figures of a period ("" = open end) for the records as they are
    now (the KPI page of a large record set waits for this; see records/kpis.py)."""
    from datetime import date

    from aftersales.accounts.models import Organisation
    from aftersales.core.problems import ProblemsError

    from .kpis import compute_report, kpi_request, stored_report

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

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

"""Running one records import: read the file with its mapping, write the records and their status
events, or keep every problem (row, column) on the `RecordImport` row and write nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from aftersales.core.problems import Problem, ProblemsError, capped, clip, problem_json
from aftersales.core.records.fields import EVENT_KINDS, Kind
from aftersales.core.records.mapping import Mapping, load_mapping
from aftersales.core.records.parse import parse_records
from aftersales.events.services import event_record

from . import bulk
from .followups import visits_before_subjects
from .models import RecordImport


def _finish_failed(record_import: RecordImport, problems, rows_read: int = 0) -> RecordImport:
    record_import.status = RecordImport.Status.FAILED
    record_import.phase = ""
    problems = list(problems)
    if all(isinstance(p, Problem) for p in problems):
        problems = capped(problems)  # the first MAX_PROBLEMS and a count of the rest: a row stays small
    record_import.problems = [problem_json(p) if isinstance(p, Problem) else p for p in problems]
    record_import.rows_total = max(record_import.rows_total, rows_read)
    record_import.rows_done = min(record_import.rows_done, record_import.rows_total)
    record_import.finished_at = timezone.now()
    record_import.save()
    return record_import


class _Progress:
    """Writes the reading progress to the import's row, at most every half second."""

    def __init__(self, record_import: RecordImport, outer: Callable | None):
        self.record_import, self.outer, self.last = record_import, outer, 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if self.outer:
            self.outer(fraction)
        if now - self.last < 0.5 and fraction < 1:
            return
        self.last = now
        total = self.record_import.rows_total or 1000
        done = min(total, int(total * fraction))
        RecordImport.objects.filter(pk=self.record_import.pk).update(rows_done=done, rows_total=total)


def record_import_run(
    *, record_import: RecordImport, data: bytes | None = None, on_progress: Callable | None = None
) -> RecordImport:
    """Parse and write a queued import (the file from `data`, else the stored one). Its callers
    first end the imports a killed process left running and, when it is done, queue the KPI
    snapshot (`tasks`)."""
    ri = record_import
    if data is None:
        with ri.file.open("rb") as f:
            data = f.read()
    ri.status, ri.phase, ri.started_at = RecordImport.Status.RUNNING, "reading", timezone.now()
    ri.rows_total = max(1, data.count(b"\n"))  # an estimate until the file is read
    ri.save(update_fields=["status", "phase", "started_at", "rows_total"])
    try:
        return _run(ri, data, on_progress)
    except Exception as exc:  # not left "running": the import says it failed, the job's row has the traceback
        _finish_failed(ri, [_stored_failure(_UNEXPECTED_MESSAGE, f"{type(exc).__name__}: {clip(str(exc), 300)}")])
        raise


def _run(ri: RecordImport, data: bytes, on_progress: Callable | None) -> RecordImport:
    try:
        mapping = load_mapping(ri.mapping_text.encode("utf-8"), name=ri.mapping_name)
    except ProblemsError as exc:
        return _finish_failed(ri, exc.problems)
    if mapping.kind != ri.kind:
        return _finish_failed(
            ri,
            [
                Problem(
                    "records_mapping_wrong_kind",
                    params={"mapping_kind": Kind(mapping.kind).text, "kind": Kind(ri.kind).text},
                )
            ],
        )
    parsed = parse_records(
        data,
        filename=ri.file_name,
        mapping=mapping,
        on_progress=_Progress(ri, on_progress),
        today=timezone.localdate(),
    )
    ri.refresh_from_db(fields=["rows_done", "rows_total"])
    if parsed.problems:
        return _finish_failed(ri, parsed.problems, parsed.rows_read)
    if ri.kind == Kind.RETURN_VISIT:
        early = visits_before_subjects(enterprise_id=ri.enterprise_id, parsed=parsed, mapping=mapping)
        if early:
            return _finish_failed(ri, early, parsed.rows_read)
    ri.rows_total = ri.rows_done = parsed.rows_read
    ri.records = parsed.records.height
    ri.phase = "writing"
    ri.save(update_fields=["rows_total", "rows_done", "records", "phase"])
    try:
        _write(ri, parsed, mapping)
    except IntegrityError as exc:
        # the file is fine on its own but, merged with the stored records, breaks a rule (the bulk
        # writer raises Django's IntegrityError on SQLite and PostgreSQL alike)
        return _finish_failed(ri, [_stored_conflict(clip(str(exc), 500))], parsed.rows_read)
    return ri


_CONFLICT_MESSAGE = gettext_noop(
    "Merged with the records already stored, this file breaks a rule of the database "
    "(e.g. a record would be closed before it was received); nothing was written. Details: %(error)s"
)


_UNEXPECTED_MESSAGE = gettext_noop("The import stopped on an unexpected error; nothing was written. Details: %(error)s")


def _stored_conflict(error: str) -> dict:
    return _stored_failure(_CONFLICT_MESSAGE, error)


def _stored_failure(message: str, error: str) -> dict:
    return {"code": None, "row": None, "column": None, "where": None, "message": message, "error": error}


@transaction.atomic
def _write(ri: RecordImport, parsed, mapping: Mapping) -> None:
    kind = Kind(ri.kind)
    with transaction.atomic():  # a savepoint: a dry run rolls the records back, keeps the counts
        counts = bulk.upsert_records(kind=kind, frame=parsed.records, enterprise_id=ri.enterprise_id, import_id=ri.pk)
        events = 0
        if kind in EVENT_KINDS:
            events = bulk.insert_events(
                kind=kind, events=parsed.events, enterprise_id=ri.enterprise_id, import_id=ri.pk
            )
        if ri.dry_run:
            transaction.set_rollback(True)
    ri.inserted, ri.updated, ri.unchanged, ri.events = counts.inserted, counts.updated, counts.unchanged, events
    ri.status, ri.phase, ri.finished_at = RecordImport.Status.DONE, "", timezone.now()
    ri.save()
    if not ri.dry_run:
        event_record(
            action="records.imported",
            subject=ri,
            by=ri.created_by,
            by_label=ri.created_by_label,
            data={
                "enterprise": ri.enterprise_id,
                "kind": ri.kind,
                "file": ri.file_name,
                "sha256": ri.file_sha256,
                "mapping": ri.mapping_name,
                "mapping_sha256": mapping.sha256,
                "rows": ri.rows_total,
                "inserted": ri.inserted,
                "updated": ri.updated,
                "unchanged": ri.unchanged,
                "events": ri.events,
            },
        )

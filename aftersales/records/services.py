"""Writes for service records: imports, commitments, audit samples and their verdicts.

Each validates, changes and records an event in one transaction. An import with any problem
writes no record and no status event; the `RecordImport` row keeps every problem (row, column).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from aftersales.accounts.models import Organisation
from aftersales.assessments import services as assessments
from aftersales.assessments.models import Answer, Assessment
from aftersales.audits.access import assessment_writable
from aftersales.audits.models import Audit
from aftersales.audits.services import AuditRefused, audit_answer_sampled
from aftersales.core.problems import Problem, ProblemsError, capped, clip
from aftersales.core.records.fields import EVENT_KINDS, Kind
from aftersales.core.records.mapping import Mapping, load_mapping
from aftersales.core.records.parse import parse_records
from aftersales.core.records.sampling import draw_sample
from aftersales.events.services import event_record

from . import bulk
from .models import AuditSample, Commitment, RecordImport, SampleEntry

# --------------------------------------------------------------------------------- imports


def _actor(by, by_label: str) -> tuple[object, str]:
    if by is None and not by_label:
        raise ValueError("an import needs an actor: a user (by=) or a label (by_label=)")
    return by, by_label or by.get_username()


def problem_json(p: Problem) -> dict:
    """A problem as stored: enough to show it again in either language."""
    return {
        "code": p.code,
        "row": p.row,
        "column": p.column,
        "where": p.where or None,
        "params": {k: clip(str(v)) for k, v in p.params.items()},
    }


def problem_from_json(d: dict) -> Problem:
    return Problem(d["code"], where=d.get("where") or "", row=d.get("row"), column=d.get("column"), params=d["params"])


def record_import_create(
    *,
    enterprise: Organisation,
    kind: str,
    data: bytes,
    filename: str,
    mapping_text: bytes | str,
    mapping_name: str,
    by=None,
    by_label: str = "",
    dry_run: bool = False,
    keep_file: bool = False,
) -> RecordImport:
    """The import's row, queued. With keep_file the file is stored for a background worker."""
    if not enterprise.is_enterprise:
        raise ValueError("records belong to enterprises")
    by, label = _actor(by, by_label)
    raw_mapping = mapping_text.encode("utf-8") if isinstance(mapping_text, str) else mapping_text
    record_import = RecordImport(
        enterprise=enterprise,
        kind=Kind(kind).value,
        dry_run=dry_run,
        file_name=filename[:255],
        file_size=len(data),
        file_sha256=hashlib.sha256(data).hexdigest(),
        mapping_name=mapping_name[:200],
        mapping_sha256=hashlib.sha256(raw_mapping).hexdigest(),
        mapping_text=raw_mapping.decode("utf-8", errors="replace"),
        created_by=by,
        created_by_label=label,
    )
    if keep_file:
        record_import.file.save(f"{record_import.file_sha256}.bin", ContentFile(data), save=False)
    record_import.save()
    return record_import


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
    """Parse and write a queued import (the file from `data`, else the stored one)."""
    ri = record_import
    record_imports_interrupted()
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
                    "records_mapping_bad_value",
                    where="kind",
                    column="kind",
                    params={"value": mapping.kind, "expected": ri.kind},
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
    if ri.status == RecordImport.Status.DONE and not ri.dry_run:
        _snapshot_refresh_later(ri.enterprise_id, ri.kind)
    return ri


def _snapshot_refresh_later(enterprise_id: int, kind: str) -> None:
    """Build the KPI snapshot of the imported records in the background once the import has
    committed, so the first KPI view after an import reads Parquet, not the database."""
    from .tasks import kpi_snapshot_task

    transaction.on_commit(lambda: kpi_snapshot_task.enqueue(enterprise_id, kind))


_CONFLICT_MESSAGE = gettext_noop(
    "Merged with the records already stored, this file breaks a rule of the database "
    "(e.g. a record would be closed before it was received); nothing was written. Details: %(error)s"
)


_UNEXPECTED_MESSAGE = gettext_noop("The import stopped on an unexpected error; nothing was written. Details: %(error)s")


def _stored_conflict(error: str) -> dict:
    return _stored_failure(_CONFLICT_MESSAGE, error)


def _stored_failure(message: str, error: str) -> dict:
    return {"code": None, "row": None, "column": None, "where": None, "message": message, "error": error}


_INTERRUPTED_MESSAGE = gettext_noop(
    "The import was interrupted (the process running it stopped) and nothing of it was written; import the file again."
)
IMPORT_STALE_HOURS = 2  # an import of a million rows takes about a minute


def record_imports_interrupted(*, now=None) -> int:
    """Mark imports still "running" long after they started as failed: their process was killed
    (the records they were writing were rolled back with its transaction; only this status row
    was left). Called by the daily cycle job and before each import. Returns how many."""
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
    from django_tasks_db.models import DBTaskResult

    from .tasks import record_import_task

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


def records_import(
    *,
    enterprise: Organisation,
    kind: str,
    data: bytes,
    filename: str,
    mapping: bytes | str,
    mapping_name: str = "",
    by=None,
    by_label: str = "",
    dry_run: bool = False,
    on_progress: Callable | None = None,
) -> RecordImport:
    """Import one file now. The returned import is `done` (counts) or `failed` (every problem,
    nothing written). `mapping` is the mapping file's text."""
    ri = record_import_create(
        enterprise=enterprise,
        kind=kind,
        data=data,
        filename=filename,
        mapping_text=mapping,
        mapping_name=mapping_name or "mapping",
        by=by,
        by_label=by_label,
        dry_run=dry_run,
    )
    return record_import_run(record_import=ri, data=data, on_progress=on_progress)


def record_import_enqueue(**kwargs) -> RecordImport:
    """Queue an import for the background worker (immediate backend: runs it now)."""
    from .tasks import record_import_task

    ri = record_import_create(keep_file=True, **kwargs)
    record_import_task.enqueue(ri.pk)
    ri.refresh_from_db()
    return ri


# ----------------------------------------------------------------------------- commitments


@transaction.atomic
def commitment_publish(
    *,
    enterprise: Organisation,
    effective_from: date,
    by,
    first_response_hours: Decimal | None = None,
    arrival_hours: Decimal | None = None,
    completion_hours: Decimal | None = None,
    complaint_closure_working_days: Decimal | None = None,
    note: str = "",
) -> Commitment:
    """A new version of the enterprise's commitments (earlier ones stay as they were)."""
    values = {
        "first_response_hours": first_response_hours,
        "arrival_hours": arrival_hours,
        "completion_hours": completion_hours,
        "complaint_closure_working_days": complaint_closure_working_days,
    }
    bad = [name for name, v in values.items() if v is not None and v <= 0]
    if bad:
        raise ValueError(f"commitments must be positive: {', '.join(bad)}")
    commitment = Commitment.objects.create(
        enterprise=enterprise, effective_from=effective_from, note=note.strip(), created_by=by, **values
    )
    event_record(
        action="records.commitment_published",
        subject=commitment,
        by=by,
        data={"enterprise": enterprise.pk, "effective_from": effective_from.isoformat()}
        | {k: None if v is None else str(v) for k, v in values.items()},
    )
    return commitment


# --------------------------------------------------------------------------------- samples


def new_seed() -> str:
    return secrets.token_hex(8)


@transaction.atomic
def sample_draw(
    *,
    enterprise: Organisation,
    kind: str,
    n: int,
    method: str,
    by=None,
    by_label: str = "",
    seed: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    assessment=None,
    item_code: str = "",
) -> AuditSample:
    """Draw a reproducible sample of the enterprise's records of `kind` in the period.
    Raises ProblemsError (bad n or method, or an item that is not scored on samples)."""
    from .selectors import sampling_frame

    by, label = _actor(by, by_label)
    if method not in AuditSample.Method.values:
        raise ProblemsError(
            [
                Problem(
                    "records_sample_method",
                    column="method",
                    params={"value": method, "allowed": ", ".join(AuditSample.Method.values)},
                )
            ]
        )
    if assessment is not None:
        _check_sampled_item(assessment, item_code, enterprise)
        if by is None or not assessment_writable(by, assessment):
            raise SampleRefused(_("Only those who may write the assessment draw the samples that feed it."))
    seed = (seed or "").strip() or new_seed()
    frame = sampling_frame(enterprise=enterprise, kind=kind, method=method, date_from=date_from, date_to=date_to)
    sample = draw_sample(frame, n=n, seed=seed, method="simple" if method == "simple" else "stratified")
    strata = dict(frame)
    row = AuditSample.objects.create(
        enterprise=enterprise,
        kind=Kind(kind).value,
        date_from=date_from,
        date_to=date_to,
        seed=seed,
        method=method,
        n=n,
        frame_hash=sample.frame_hash,
        frame_size=sample.frame_size,
        allocation=dict(sample.allocation),
        assessment=assessment,
        item_code=item_code if assessment is not None else "",
        drawn_by=by,
        drawn_by_label=label,
    )
    SampleEntry.objects.bulk_create(
        SampleEntry(sample=row, record_key=key, position=i, stratum=strata.get(key, ""))
        for i, key in enumerate(sample.keys, start=1)
    )
    event_record(
        action="records.sample_drawn",
        subject=row,
        by=by,
        by_label=label,
        data={
            "enterprise": enterprise.pk,
            "kind": kind,
            "n": n,
            "seed": seed,
            "method": method,
            "frame_hash": sample.frame_hash,
            "frame_size": sample.frame_size,
        },
    )
    return row


def _check_sampled_item(assessment, item_code: str, enterprise: Organisation) -> None:
    from aftersales.schemes.selectors import scheme_of

    if assessment.enterprise_id != enterprise.pk:
        raise ValueError("the assessment must be the same enterprise's")
    scheme = scheme_of(assessment.scheme_version)
    if not scheme.has_node(item_code) or not scheme.node(item_code).is_item or not scheme.node(item_code).sampled:
        raise ProblemsError(
            [Problem("sampled_not_allowed", where=item_code, column="item", params={"item": item_code})]
        )


class SampleRefused(Exception):
    """The person may not write the assessment the sample would feed. str() is for the user."""


class VerdictRefused(Exception):
    """The linked assessment cannot take the result (finished, not the person's to write, or the
    sample was not drawn by its writers). str() is for the user."""


def verdict_refusal(sample: AuditSample, by) -> str:
    """Why `by` may not judge this sample's entries ("" when they may): a sample that feeds an
    assessment is judged by those who may write it, and must have been drawn by one of them (so
    the auditee never picks the seed of an audit sample)."""
    if sample.assessment_id is None:
        return ""
    if not assessment_writable(by, sample.assessment):
        return _("This sample feeds an assessment you may not write; its verdicts are not yours to give.")
    if sample.drawn_by is None or not assessment_writable(sample.drawn_by, sample.assessment):
        return _("This sample was not drawn by those who write the assessment it feeds; draw a new one.")
    return ""


@transaction.atomic
def sample_verdict_save(*, entry: SampleEntry, verdict: str, by, note: str = "") -> SampleEntry:
    """Judge one drawn record. If the sample feeds an assessment item, that item's result becomes
    `sampled` with n = judged entries and k = nonconforming ones (the scheme's proportional rule):
    only by those who may write the assessment (VerdictRefused otherwise); an audit item goes
    through the audit's scoring service, which records a case event."""
    if verdict not in SampleEntry.Verdict.values:
        raise ValueError(f"unknown verdict {verdict!r}")
    entry = (  # of=self: PostgreSQL locks no row on the nullable side of an outer join
        SampleEntry.objects.select_for_update(of=("self",))
        .select_related("sample__assessment", "sample__drawn_by")
        .get(pk=entry.pk)
    )
    refusal = verdict_refusal(entry.sample, by)
    if refusal:
        raise VerdictRefused(refusal)
    previous = entry.verdict
    entry.verdict = verdict
    entry.note = note.strip()
    pending = verdict == SampleEntry.Verdict.PENDING
    entry.judged_by = None if pending else by
    entry.judged_at = None if pending else timezone.now()
    entry.save()
    sample = entry.sample
    event_record(
        action="records.sample_verdict",
        subject=sample,
        by=by,
        data={"record": entry.record_key, "verdict": verdict, "was": previous},
    )
    if sample.assessment_id:
        judged = sample.entries.exclude(verdict=SampleEntry.Verdict.PENDING)
        n = judged.count()
        k = judged.filter(verdict=SampleEntry.Verdict.NONCONFORM).count()
        if n:
            _feed(sample, entry, n=n, k=k, by=by)
    return entry


def _feed(sample: AuditSample, entry: SampleEntry, *, n: int, k: int, by) -> None:
    """Write the item's `sampled` n/k on the sample's assessment (self-assessment or audit)."""
    assessment = sample.assessment
    try:
        if assessment.kind == Assessment.Kind.AUDIT:
            audit_answer_sampled(
                audit=Audit.objects.select_related("case").get(assessment=assessment),
                item_code=sample.item_code,
                sampled=n,
                nonconforming=k,
                by=by,
                data={"sample": sample.pk, "record": entry.record_key, "verdict": entry.verdict},
            )
            return
        current = Answer.objects.filter(assessment=assessment, item_code=sample.item_code).first()
        assessments.answer_save(
            assessment=assessment,
            item_code=sample.item_code,
            kind="sampled",
            sampled=n,
            nonconforming=k,
            reason=f"sample #{sample.pk}: {k}/{n}",
            note=current.note if current else "",
            expected_version=current.version if current else 0,
            by=by,
        )
    except assessments.AssessmentFrozen:
        raise VerdictRefused(_("The linked assessment is finished; its result can no longer change.")) from None
    except AuditRefused as exc:
        raise VerdictRefused(str(exc)) from None

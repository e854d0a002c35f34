"""Writes for service records: imports, commitments, audit samples and their verdicts.

Each validates, changes and records an event in one transaction. An import with any problem
writes no record and no status event; the `RecordImport` row keeps every problem (row, column).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Organisation
from aftersales.assessments import services as assessments
from aftersales.assessments.models import Answer, Assessment
from aftersales.audits.access import assessment_writable
from aftersales.audits.models import Audit
from aftersales.audits.scoring import audit_answer_sampled
from aftersales.audits.services import AuditRefused
from aftersales.core.problems import Problem, ProblemsError
from aftersales.core.records.fields import Kind
from aftersales.core.records.sampling import draw_sample
from aftersales.core.refusal import Refused
from aftersales.events.services import event_record

from .importing import record_import_run
from .models import AuditSample, Commitment, RecordImport, SampleEntry
from .tasks import record_import_task, record_imports_interrupted, snapshot_refresh_later

# --------------------------------------------------------------------------------- imports


def _actor(by, by_label: str) -> tuple[object, str]:
    if by is None and not by_label:
        raise ValueError("an import needs an actor: a user (by=) or a label (by_label=)")
    return by, by_label or by.get_username()


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
    record_imports_interrupted()
    ri = record_import_run(record_import=ri, data=data, on_progress=on_progress)
    snapshot_refresh_later(ri)
    return ri


def record_import_enqueue(**kwargs) -> RecordImport:
    """Queue an import for the background worker (immediate backend: runs it now)."""
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


class SampleRefused(Refused):
    """The person may not write the assessment the sample would feed. str() is for the user."""


class VerdictRefused(Refused):
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

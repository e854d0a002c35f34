"""JSON API endpoints of the records app (mounted at /api/records/ by aftersales/api.py).

Same services, selectors and access helper as the pages: 404 to outsiders, 403 to enterprise
members who lack the admin role for imports. Writes take form fields (the import is a multipart
upload anyway; drawing a sample and saving a verdict take the same encoding).
"""

from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from aftersales.api_errors import errors, invalid
from aftersales.core.problems import ProblemsError, problem_from_json
from aftersales.core.records.fields import FIELDS, Kind
from aftersales.core.records.mapping import shipped_mappings
from aftersales.params import ApiCount, ApiPage, ApiRecordsDate

from . import kpis, selectors, services
from .access import ADMIN, SAMPLE, records_access
from .forms import MAX_IMPORT_BYTES, MAX_MAPPING_BYTES
from .models import AuditSample, RecordImport, SampleEntry

router = Router(tags=["records"])
PAGE_SIZE_MAX = 500


class RecordPage(Schema):
    kind: str
    count: int
    page: int
    page_size: int
    results: list[dict]


class ImportProblem(Schema):
    code: str | None
    row: int | None
    column: str | None
    where: str | None
    params: dict | None
    message: str | None


class ImportOut(Schema):
    id: int
    kind: str
    file_name: str
    file_sha256: str
    mapping: str
    mapping_sha256: str
    dry_run: bool
    status: str
    phase: str
    rows_done: int
    rows_total: int | None
    records: int
    inserted: int
    updated: int
    unchanged: int
    events: int
    problems: list[ImportProblem]


class SampleEntryOut(Schema):
    id: int
    position: int
    record: str
    stratum: str
    verdict: str


class SampleOut(Schema):
    id: int
    kind: str
    n: int
    seed: str
    method: str
    frame_hash: str
    frame_size: int
    date_from: str | None
    date_to: str | None
    assessment: int | None
    item_code: str
    entries: list[SampleEntryOut]


class VerdictOut(Schema):
    id: int
    record: str
    verdict: str
    note: str


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise Http404 from None


def _json(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value


def _import_json(ri: RecordImport) -> dict:
    return {
        "id": ri.pk,
        "kind": ri.kind,
        "file_name": ri.file_name,
        "file_sha256": ri.file_sha256,
        "mapping": ri.mapping_name,
        "mapping_sha256": ri.mapping_sha256,
        "dry_run": ri.dry_run,
        "status": ri.status,
        "phase": ri.phase,
        "rows_done": ri.rows_done,
        "rows_total": ri.rows_total,
        "records": ri.records,
        "inserted": ri.inserted,
        "updated": ri.updated,
        "unchanged": ri.unchanged,
        "events": ri.events,
        "problems": [
            {k: p.get(k) for k in ("code", "row", "column", "where", "params")}
            | {"message": problem_from_json(p).message() if p.get("code") else p.get("message")}
            for p in ri.problems
        ],
    }


def _sample_json(sample: AuditSample) -> dict:
    return {
        "id": sample.pk,
        "kind": sample.kind,
        "n": sample.n,
        "seed": sample.seed,
        "method": sample.method,
        "frame_hash": sample.frame_hash,
        "frame_size": sample.frame_size,
        "date_from": sample.date_from.isoformat() if sample.date_from else None,
        "date_to": sample.date_to.isoformat() if sample.date_to else None,
        "assessment": sample.assessment_id,
        "item_code": sample.item_code,
        "entries": [
            {"id": e.pk, "position": e.position, "record": e.record_key, "stratum": e.stratum, "verdict": e.verdict}
            for e in sample.entries.all()
        ],
    }


@router.get("/{enterprise_id}/records/{kind}", response=RecordPage, url_name="records_api_list")
def record_list(request, enterprise_id: int, kind: str, page: ApiPage = 1, page_size: int = 100):
    """One page of an enterprise's records of one kind, newest first."""
    access = records_access(request.user, enterprise_id)
    kind = _kind(kind)
    page_size = max(1, min(page_size, PAGE_SIZE_MAX))
    qs = selectors.record_list(access.enterprise, kind)
    names = [f.name for f in FIELDS[kind]]
    rows = qs.values(*names)[(page - 1) * page_size : page * page_size]
    return {
        "kind": kind,
        "count": qs.count(),
        "page": page,
        "page_size": page_size,
        "results": [{k: _json(v) for k, v in row.items()} for row in rows],
    }


@router.get("/{enterprise_id}/kpis", response={200: dict, **errors(422)}, url_name="records_api_kpis")
def kpi_report(
    request, enterprise_id: int, date_from: ApiRecordsDate | None = None, date_to: ApiRecordsDate | None = None
):
    """The KPI suite (definitions, cohorts, denominators, wall-clock and business time)."""
    access = records_access(request.user, enterprise_id)
    try:
        report = kpis.kpi_report(access.enterprise, date_from=date_from, date_to=date_to)
    except ProblemsError as exc:
        return invalid(*(p.message() for p in exc.problems))
    return report.as_json()


@router.post(
    "/{enterprise_id}/imports", url_name="records_api_import", response={202: ImportOut, **errors(400, 403, 413)}
)
def import_create(
    request,
    enterprise_id: int,
    kind: Form[str],
    file: File[UploadedFile],
    mapping: Form[str] = "",
    mapping_file: File[UploadedFile | None] = None,
    dry_run: Form[bool] = False,
):
    """Upload a file with a shipped mapping (by name) or a mapping file; the import is queued
    (answer 202 with its status) and runs in the background."""
    access = records_access(request.user, enterprise_id, need=ADMIN)
    kind = _kind(kind)
    if file.size > MAX_IMPORT_BYTES:
        raise HttpError(413, "the file is larger than 200 MB")
    if bool(mapping) == bool(mapping_file):
        raise HttpError(400, "give either mapping (a shipped mapping's name) or mapping_file")
    if mapping:
        path = shipped_mappings().get(mapping)
        if path is None:
            raise HttpError(400, f"unknown mapping {mapping!r}; shipped: {', '.join(shipped_mappings())}")
        mapping_name, mapping_bytes = mapping, path.read_bytes()
    else:
        if mapping_file.size > MAX_MAPPING_BYTES:
            raise HttpError(413, "the mapping file is larger than 256 KB")
        mapping_name, mapping_bytes = mapping_file.name.rsplit(".", 1)[0], mapping_file.read()
    ri = services.record_import_enqueue(
        enterprise=access.enterprise,
        kind=kind,
        data=file.read(),
        filename=file.name,
        mapping_text=mapping_bytes,
        mapping_name=mapping_name,
        by=request.user,
        dry_run=dry_run,
    )
    return Status(202, _import_json(ri))


@router.get("/{enterprise_id}/imports/{import_id}", response=ImportOut, url_name="records_api_import_status")
def import_status(request, enterprise_id: int, import_id: int):
    access = records_access(request.user, enterprise_id)
    ri = RecordImport.objects.filter(pk=import_id, enterprise=access.enterprise).first()
    if ri is None:
        raise Http404
    return _import_json(ri)


class SampleIn(Schema):
    kind: str
    n: ApiCount
    method: str = "simple"
    seed: str = ""
    date_from: ApiRecordsDate | None = None
    date_to: ApiRecordsDate | None = None


@router.post(
    "/{enterprise_id}/samples", url_name="records_api_sample_draw", response={201: SampleOut, **errors(400, 403)}
)
def sample_draw(request, enterprise_id: int, payload: Form[SampleIn]):
    """Draw a reproducible audit sample (seed default: a new random one, returned)."""
    access = records_access(request.user, enterprise_id, need=SAMPLE)
    kind = _kind(payload.kind)
    try:
        sample = services.sample_draw(
            enterprise=access.enterprise,
            kind=kind,
            n=payload.n,
            method=payload.method,
            seed=payload.seed,
            date_from=payload.date_from,
            date_to=payload.date_to,
            by=request.user,
        )
    except ProblemsError as exc:
        raise HttpError(400, "; ".join(p.message() for p in exc.problems)) from None
    return Status(201, _sample_json(sample))


@router.get("/{enterprise_id}/samples/{sample_id}", response=SampleOut, url_name="records_api_sample")
def sample_detail(request, enterprise_id: int, sample_id: int):
    access = records_access(request.user, enterprise_id)
    sample = AuditSample.objects.filter(pk=sample_id, enterprise=access.enterprise).first()
    if sample is None:
        raise Http404
    return _sample_json(sample)


class VerdictIn(Schema):
    verdict: str
    note: str = ""


@router.post(
    "/{enterprise_id}/samples/{sample_id}/entries/{entry_id}",
    response={200: VerdictOut, **errors(400, 403, 409)},
    url_name="records_api_verdict",
)
def verdict_save(request, enterprise_id: int, sample_id: int, entry_id: int, payload: Form[VerdictIn]):
    access = records_access(request.user, enterprise_id, need=SAMPLE)
    entry = SampleEntry.objects.filter(pk=entry_id, sample_id=sample_id, sample__enterprise=access.enterprise).first()
    if entry is None:
        raise Http404
    refusal = services.verdict_refusal(entry.sample, request.user)
    if refusal:
        raise HttpError(403, refusal)
    if payload.verdict not in SampleEntry.Verdict.values:
        raise HttpError(400, f"verdict must be one of {', '.join(SampleEntry.Verdict.values)}")
    entry = services.sample_verdict_save(entry=entry, verdict=payload.verdict, note=payload.note, by=request.user)
    return {"id": entry.pk, "record": entry.record_key, "verdict": entry.verdict, "note": entry.note}

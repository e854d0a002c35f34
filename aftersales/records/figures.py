"""The KPI figures of an enterprise, computed once per version of its records and kept.

A figure set is keyed by everything it depends on: the records (each kind's snapshot key: its last
import and its count, read in one query), the business calendar, the commitments in force at the
period's end and the period. It is stored as JSON through Django's storage (`kpi/<enterprise>/`),
so web processes and the task worker on other machines share it, and is only a copy: delete it and
it is computed again. When and where they are computed is the KPI page's rule (records/kpis.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from aftersales.accounts.models import Organisation
from aftersales.core.problems import ProblemsError, problem_from_json, problem_json
from aftersales.core.records.fields import Kind
from aftersales.core.records.kpi import KpiReport, RecordFrames, kpi_suite

from .models import RECORD_MODELS, Commitment, RecordImport
from .selectors import business_calendar, commitment_in_force, core_commitments, kpi_frame

log = logging.getLogger(__name__)

FOLDER = "kpi"
VERSION = "1"  # raise it when the suite's code changes a figure


@dataclass(frozen=True)
class KpiRequest:
    """One figure set asked for: its key, and the records it reads (counted once)."""

    enterprise_id: int
    date_from: date | None
    date_to: date | None
    snapshot_keys: dict[str, str] = field(compare=False)
    records: int
    key: str
    calendar_id: str = field(default="", compare=False)
    commitment: Commitment | None = field(default=None, compare=False)  # in force at the period's end

    @property
    def name(self) -> str:
        return f"{FOLDER}/{self.enterprise_id}/{self.key}"


def snapshot_keys(enterprise_id: int) -> tuple[dict[str, str], int]:
    """Every kind's snapshot key (`selectors.snapshot_key`) and the number of records, in two
    queries: the counts of the four kinds in one statement, the last finished imports in another."""
    q = connection.ops.quote_name
    counts_sql = ", ".join(
        f"(SELECT COUNT(*) FROM {q(model._meta.db_table)} WHERE enterprise_id = %s)" for model in RECORD_MODELS.values()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts_sql}", [enterprise_id] * len(RECORD_MODELS))
        counts = dict(zip(RECORD_MODELS, cursor.fetchone(), strict=True))
    last: dict[str, tuple[int, datetime | None]] = {}
    done = RecordImport.objects.filter(enterprise_id=enterprise_id, status=RecordImport.Status.DONE, dry_run=False)
    for kind, pk, finished in done.order_by("kind", "-pk").values_list("kind", "pk", "finished_at"):
        last.setdefault(kind, (pk, finished))
    keys = {}
    for kind in RECORD_MODELS:
        pk, finished = last.get(str(kind), (0, None))
        keys[str(kind)] = f"{pk}-{finished.timestamp() if finished else 0:.6f}-{counts[kind]}"
    return keys, sum(counts.values())


def kpi_request(enterprise: Organisation, *, date_from: date | None, date_to: date | None) -> KpiRequest:
    keys, records = snapshot_keys(enterprise.pk)
    commitment = commitment_in_force(enterprise, date_to)
    calendar = business_calendar()
    parts = {
        "version": VERSION,
        "records": keys,
        "calendar": [calendar.id, calendar.sha256],
        "commitments": [str(v) for v in vars(core_commitments(commitment)).values()],
        "period": [str(date_from), str(date_to)],
    }
    key = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return KpiRequest(enterprise.pk, date_from, date_to, keys, records, key, calendar.id, commitment)


def stored_report(req: KpiRequest) -> KpiReport | None:
    """The stored figures of `req`, or None. Raises ProblemsError when computing them found problems
    (a date outside the business calendar): they are stored too, so a job never runs in a loop."""
    name = f"{req.name}.json"
    try:
        if not default_storage.exists(name):
            return None
        with default_storage.open(name, "rb") as fh:
            data = json.loads(fh.read())
        if "problems" in data:
            problems = [problem_from_json(p) for p in data["problems"]]
        else:
            return KpiReport.from_json(data)
    except (OSError, ValueError, KeyError, TypeError) as exc:  # unreadable: computed again
        log.warning("stored KPI figures %s unreadable: %s", name, exc)
        return None
    raise ProblemsError(problems)


def compute_report(req: KpiRequest, enterprise: Organisation | None = None) -> KpiReport:
    """Compute the figures of `req` (from the records' snapshots) and store them. Raises
    ProblemsError when a date is outside the business calendar."""
    enterprise = enterprise or Organisation.objects.get(pk=req.enterprise_id)
    frames = RecordFrames(
        *(
            kpi_frame(req.enterprise_id, kind, key=req.snapshot_keys[str(kind)])
            for kind in (Kind.COMPLAINT, Kind.WORK_ORDER, Kind.RETURN_VISIT, Kind.SURVEY)
        )
    )
    try:
        report = kpi_suite(
            frames,
            calendar=business_calendar(),
            commitments=core_commitments(commitment_in_force(enterprise, req.date_to)),
            date_from=req.date_from,
            date_to=req.date_to,
        )
    except ProblemsError as exc:
        _store(req, {"problems": [problem_json(p) for p in exc.problems]})
        raise
    _store(req, report.as_json())
    return report


def _store(req: KpiRequest, result: dict) -> None:
    data = json.dumps(result, ensure_ascii=False).encode()
    try:
        for name in (f"{req.name}.json", f"{req.name}.pending"):
            default_storage.delete(name)
        default_storage.save(f"{req.name}.json", ContentFile(data))
    except OSError as exc:  # a storage that cannot be written costs speed, never the answer
        log.warning("KPI figures %s not stored: %s", req.name, exc)

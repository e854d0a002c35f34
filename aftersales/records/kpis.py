"""The KPI figures of an enterprise, computed once per version of its records and kept.

A figure set is keyed by everything it depends on: the records (each kind's snapshot key: its last
import and its count, read in one query), the business calendar, the commitments in force at the
period's end and the period. It is stored as JSON through Django's storage (`kpi/<enterprise>/`),
so web processes and the task worker on other machines share it, and is only a copy: delete it and
it is computed again.

The rule of the KPI page: figures stored for the key are shown at once; otherwise an enterprise
with at most KPI_INLINE_MAX_RECORDS records gets them computed inside the request (under about
0.3 s), a larger one gets a background job (`kpi_report_task`) and a "being computed" page that
polls until the figures are stored. A request never reads a large record set itself.

The page's figures as drawn (the cards with their 17 SVG charts, `records/_kpi_cards.html`) are
stored beside them, once per key and language (`stored_cards`): drawing them takes about as long
as the rest of the page. Their name holds CARDS_VERSION and the template's source, so a change of
either draws them again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.template.loader import get_template
from django.utils import timezone

from aftersales.accounts.models import Organisation
from aftersales.core.problems import ProblemsError
from aftersales.core.records.fields import Kind
from aftersales.core.records.kpi import KpiReport, RecordFrames, kpi_suite

from .models import RECORD_MODELS, Commitment, RecordImport
from .selectors import business_calendar, commitment_in_force, core_commitments, kpi_frame
from .services import problem_from_json, problem_json

log = logging.getLogger(__name__)

FOLDER = "kpi"
VERSION = "1"  # raise it when the suite's code changes a figure
PENDING_TIMEOUT = timedelta(minutes=15)  # a job not done by then (a lost worker) is queued again
CARDS_TEMPLATE = "records/_kpi_cards.html"
CARDS_VERSION = "1"  # raise it when the code drawing the cards (presenters, records/charts.py) changes


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


def pending_since(req: KpiRequest) -> datetime | None:
    """When the background job of `req` was queued, if it is still waiting or running."""
    name = f"{req.name}.pending"
    try:
        if not default_storage.exists(name):
            return None
        with default_storage.open(name, "rb") as fh:
            since = datetime.fromisoformat(fh.read().decode())
    except (OSError, ValueError):
        return None
    return since if timezone.now() - since < PENDING_TIMEOUT else None


def report_enqueue(req: KpiRequest) -> datetime:
    """Queue the job computing `req` unless it is already queued; when it was queued."""
    from .tasks import kpi_report_task

    since = pending_since(req)
    if since is not None:
        return since
    since = timezone.now()
    name = f"{req.name}.pending"
    default_storage.delete(name)
    default_storage.save(name, ContentFile(since.isoformat().encode()))
    kpi_report_task.enqueue(req.enterprise_id, str(req.date_from or ""), str(req.date_to or ""))
    return since


def _report_for_page(req: KpiRequest, enterprise: Organisation) -> tuple[KpiReport | None, datetime | None]:
    """(figures or None, when their job was queued or None): the KPI page's rule (module doc)."""
    report = stored_report(req)
    if report is not None:
        return report, None
    if req.records <= settings.KPI_INLINE_MAX_RECORDS:
        return compute_report(req, enterprise), None
    since = report_enqueue(req)
    report = stored_report(req)  # an immediate task backend has run the job already
    return report, None if report is not None else since


@dataclass(frozen=True)
class KpiFigures:
    """What the KPI page shows: the cards drawn (HTML, "" while pending) and what they rest on."""

    calendar_id: str
    commitment: Commitment | None
    cards: str
    pending: datetime | None


def kpi_figures_for_page(
    enterprise: Organisation,
    *,
    date_from: date | None,
    date_to: date | None,
    lang: str,
    draw: Callable[[KpiReport], str],
) -> KpiFigures:
    """The KPI page's figures (the page's rule, module doc), the cards drawn by `draw(report)` once
    per key and language and then read from storage without reading the figures again."""
    req = kpi_request(enterprise, date_from=date_from, date_to=date_to)
    name = f"{req.name}.cards-{lang.lower()}-{_cards_version()}.html"
    cards = _read_text(name)
    if cards is None:
        report, pending = _report_for_page(req, enterprise)
        if report is None:
            return KpiFigures(req.calendar_id, req.commitment, "", pending)
        cards = draw(report)
        try:
            if not default_storage.exists(name):  # another request may have stored them meanwhile
                default_storage.save(name, ContentFile(cards.encode()))
        except OSError as exc:  # a storage that cannot be written costs speed, never the answer
            log.warning("KPI cards %s not stored: %s", name, exc)
    return KpiFigures(req.calendar_id, req.commitment, cards, None)


def _read_text(name: str) -> str | None:
    try:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as fh:
                return fh.read().decode()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("stored KPI cards %s unreadable, drawn again: %s", name, exc)
    return None


def _cards_version() -> str:
    """CARDS_VERSION and the cards template's source, hashed (the template is read once per
    process, as Django's cached template loader does)."""
    source = get_template(CARDS_TEMPLATE).template.source
    return hashlib.sha256(f"{CARDS_VERSION}\n{source}".encode()).hexdigest()[:16]


def kpi_report(enterprise: Organisation, *, date_from: date | None, date_to: date | None) -> KpiReport:
    """The figures, stored or computed now (API and CLI callers wait for them)."""
    req = kpi_request(enterprise, date_from=date_from, date_to=date_to)
    return stored_report(req) or compute_report(req, enterprise)

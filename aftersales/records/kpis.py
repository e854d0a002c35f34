"""The KPI page's figures: stored ones (records/figures.py), computed now, or queued.

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
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import get_template
from django.utils import timezone

from aftersales.accounts.models import Organisation
from aftersales.core.records.kpi import KpiReport

from .figures import KpiRequest, compute_report, kpi_request, stored_report
from .models import Commitment
from .tasks import kpi_report_task

log = logging.getLogger(__name__)

PENDING_TIMEOUT = timedelta(minutes=15)  # a job not done by then (a lost worker) is queued again
CARDS_TEMPLATE = "records/_kpi_cards.html"
CARDS_VERSION = "2"  # raise it when the code drawing the cards (presenters, records/charts.py) changes


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

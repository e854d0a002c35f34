"""Reads of the cycle dashboard: what a certification body has due, overdue, expiring and up for
recertification, and the month calendar. The dashboard reads the first rows of each list and its
count, or one page of one list: a fixed number of queries and rows whatever the lists' lengths."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import OuterRef, Q, QuerySet, Subquery

from aftersales.audits.models import Audit
from aftersales.certification.models import Case
from aftersales.core import cycle as rules
from aftersales.core.concepts import LIVE_STATUSES
from aftersales.core.cycle import surveillance_state
from aftersales.policy import policy_on

from ..models import Certificate, CertificateCase, Surveillance

S = Certificate.Status
SV = Surveillance.State
LIVE = LIVE_STATUSES
EXPIRING_DAYS = 90
CASE_CLOSED = (Case.Status.REFUSED, Case.Status.DECIDED, Case.Status.WITHDRAWN)


@dataclass(frozen=True)
class Recertification:
    certificate: Certificate
    opens: date
    case_id: int | None
    case_reference: str | None
    case_draft: bool = False  # opened, the enterprise's application not yet submitted: no page for the CB yet


LISTS = ("due", "overdue", "expiring", "recertification")
FIRST_ROWS = 20  # rows of each list on the dashboard ("show all" leads to its pages)
PAGE_ROWS = 50  # rows per page of one list


@dataclass
class Overview:
    today: date
    due: list[Surveillance] = field(default_factory=list)  # window open, not done
    overdue: list[Surveillance] = field(default_factory=list)  # past due, or missed (proposal)
    expiring: list[Certificate] = field(default_factory=list)  # live, expiring within 90 days
    recertification: list[Recertification] = field(default_factory=list)  # window open
    counts: dict[str, int] = field(default_factory=dict)  # each list's whole length (a list may be cut)


def _surveillances(cb):
    return Surveillance.objects.filter(certificate__cb=cb, certificate__status__in=LIVE).select_related(
        "certificate", "case"
    )


def _open_recertification(field_name: str) -> Subquery:
    return Subquery(
        CertificateCase.objects.filter(certificate=OuterRef("pk"), kind=Case.Kind.RECERTIFICATION)
        .exclude(case__status__in=[Case.Status.REFUSED, Case.Status.WITHDRAWN])
        .order_by("-created_at", "-id")
        .values(field_name)[:1]
    )


def cycle_lists(cb, today: date) -> dict[str, QuerySet]:
    """The dashboard's four lists for certification body `cb` on `today`, ordered, not yet read.
    "due" and "overdue" select in SQL the rows `core.cycle.surveillance_state` finds due with the
    window open, and overdue or missed (tests/certificates/test_surveillance_state.py holds them
    to it)."""
    rows = _surveillances(cb)
    live = Certificate.objects.filter(cb=cb, status__in=LIVE)
    months = policy_on(today).recertification_open_months
    return {
        "due": rows.filter(state__in=(SV.PLANNED, SV.OPENED), window_opens__lte=today, due_by__gte=today).order_by(
            "due_by", "id"
        ),
        "overdue": rows.filter(Q(state__in=(SV.PLANNED, SV.OPENED), due_by__lt=today) | Q(state=SV.MISSED)).order_by(
            "due_by", "id"
        ),
        "expiring": live.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=EXPIRING_DAYS)).order_by(
            "expires_on", "number"
        ),
        "recertification": live.filter(
            expires_on__gte=today, expires_on__lte=rules.recertification_open_until(today, months)
        )
        .annotate(
            recert_case_id=_open_recertification("case_id"),
            recert_ref=_open_recertification("case__reference"),
            recert_status=_open_recertification("case__status"),
        )
        .select_related("enterprise")
        .order_by("expires_on", "number"),
    }


def _rows(name: str, rows, today: date) -> list:
    if name in ("due", "overdue"):  # each row's standing, by the one rule (core.cycle.surveillance_state)
        rows = list(rows)
        for s in rows:
            s.standing = surveillance_state([s], today)
        return rows
    if name != "recertification":
        return list(rows)
    months = policy_on(today).recertification_open_months
    return [
        Recertification(
            c,
            rules.recertification_opens(c.expires_on, months),
            c.recert_case_id,
            c.recert_ref,
            c.recert_status == Case.Status.DRAFT,
        )
        for c in rows
    ]


def cycle_overview(cb, today: date, *, limit: int | None = None) -> Overview:
    """The dashboard's four lists; with `limit`, the first `limit` rows of each and every list's
    count (two queries a list whatever its length), else every row."""
    lists = cycle_lists(cb, today)
    if limit is None:
        got = {name: _rows(name, qs, today) for name, qs in lists.items()}
        return Overview(today=today, **got, counts={name: len(rows) for name, rows in got.items()})
    got = {name: _rows(name, qs[:limit], today) for name, qs in lists.items()}
    return Overview(today=today, **got, counts={name: qs.count() for name, qs in lists.items()})


def cycle_list_page(cb, today: date, name: str, page) -> tuple[Overview, Page]:
    """One of the lists, a page of PAGE_ROWS rows (`page` as the query string gives it: a bad or
    too large number gives the first or last page)."""
    found = Paginator(cycle_lists(cb, today)[name], PAGE_ROWS).get_page(page)
    found.object_list = _rows(name, found.object_list, today)
    return Overview(today=today, **{name: found.object_list}, counts={name: found.paginator.count}), found


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str  # "surveillance" | "window" | "expiry" | "recertification" | "audit"
    certificate: Certificate | None = None
    surveillance: Surveillance | None = None
    audit: Audit | None = None  # an audit's every planned day (its case's enterprise and reference)


def calendar_entries(cb, first: date) -> dict[date, list[Entry]]:
    """What falls on each day of the month of `first`: surveillance windows opening, surveillances
    due, recertification windows opening, expiries (live certificates), and the days of the audits
    planned (from the plans' dates; cases not withdrawn); three queries."""
    start, end = rules.month_bounds(first)
    out: dict[date, list[Entry]] = {}

    def add(entry: Entry) -> None:
        if start <= entry.day <= end:
            out.setdefault(entry.day, []).append(entry)

    rows = _surveillances(cb).filter(
        Q(due_by__range=(start, end)) | Q(window_opens__range=(start, end)),
        state__in=(SV.PLANNED, SV.OPENED, SV.MISSED, SV.DONE),
    )
    for s in rows.order_by("due_by", "id"):
        add(Entry(s.due_by, "surveillance", s.certificate, s))
        add(Entry(s.window_opens, "window", s.certificate, s))
    months = policy_on(first).recertification_open_months
    certificates = Certificate.objects.filter(cb=cb, status__in=LIVE).filter(
        Q(expires_on__range=(start, end))
        | Q(expires_on__range=(rules.add_months(start, months), rules.add_months(end, months) + timedelta(days=3)))
    )
    for c in certificates.order_by("expires_on", "number"):
        add(Entry(c.expires_on, "expiry", c))
        add(Entry(rules.recertification_opens(c.expires_on, months), "recertification", c))
    audits = (
        Audit.objects.filter(case__cb=cb, start_date__lte=end, end_date__gte=start)
        .exclude(case__status=Case.Status.WITHDRAWN)
        .select_related("case__enterprise")
        .order_by("start_date", "case__reference")
    )
    for a in audits:
        day = max(a.start_date, start)
        while day <= min(a.end_date, end):
            add(Entry(day, "audit", audit=a))
            day += timedelta(days=1)
    return out

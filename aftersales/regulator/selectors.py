"""The rows of one certification body's monthly report, read from the database.

Each row is reported in the month it was *recorded* (submission event, plan sent, report issued,
decision taken, certificate version created, status event recorded), in Asia/Shanghai time, so a
row recorded late is reported in the next export instead of being lost. The query count is fixed
(it does not grow with the rows).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from django.db.models import CharField, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.audits.models import Audit, AuditReport, Decision, TeamMember
from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion
from aftersales.certification.models import Case
from aftersales.core.display import format_decimal
from aftersales.core.regulator import label, month_bounds

from .models import RegulatorExport


def month_range(month: date) -> tuple[datetime, datetime]:
    """The month as aware datetimes [start, end) in the project's time zone."""
    first, nxt = month_bounds(month)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime(first.year, first.month, 1), tz),
        timezone.make_aware(datetime(nxt.year, nxt.month, 1), tz),
    )


def _report_no(reference: str, number: int) -> str:
    return f"{reference}-R{number}"


def _score(exact: str) -> str:
    try:
        return format_decimal(Fraction(exact), 2, "down")
    except (ValueError, ZeroDivisionError):
        return exact


def cases_opened(cb: Organisation):
    """The CB's cases with `opened`: the first submission (event to "submitted"); a case that never
    passed through submission (a surveillance opened by the cycle) counts from its creation."""
    return Case.objects.filter(cb=cb).annotate(
        opened=Coalesce(Min("events__at", filter=Q(events__to_status=Case.Status.SUBMITTED)), "created_at")
    )


@dataclass(frozen=True)
class _Month:
    """The CB and the month [start, end) a report's rows are read for."""

    cb: Organisation
    start: datetime
    end: datetime

    def day(self, at: datetime) -> date:
        return at.astimezone(timezone.get_current_timezone()).date()

    def recorded(self, field: str) -> dict:
        """Filter keywords: `field` (a datetime) within the month."""
        return {f"{field}__gte": self.start, f"{field}__lt": self.end}


def report_rows(cb: Organisation, month: date) -> tuple[dict[str, list[dict]], dict[str, set[str]]]:
    """(rows per sheet, ids of earlier months per "sheet.column") for `cb` and `month`.

    Reads plain values (no model instances, no JSON columns such as a report's frozen record):
    a month with 10,000 certificates stays within seconds. One function per sheet below."""
    m = _Month(cb, *month_range(month))
    rows: dict[str, list[dict]] = {}
    earlier: dict[str, set[str]] = {}
    rows["applications"], earlier["applications.case_no"] = _applications(m)
    rows["plans"] = _plans(m)
    rows["results"], earlier["results.report_no"] = _results(m)
    rows["decisions"] = _decisions(m)
    rows["certificates"], earlier["certificates.certificate_no"] = _certificates(m)
    rows["status_changes"] = _status_changes(m)
    return rows, earlier


def _applications(m: _Month) -> tuple[list[dict], set[str]]:
    """Cases opened in the month; and the references of those opened before it."""
    opened = cases_opened(m.cb).filter(opened__lt=m.end).values_list("pk", "reference", "opened")
    month_ids, before = [], set()
    for pk, ref, at in opened:
        if at >= m.start:
            month_ids.append(pk)
        else:
            before.add(ref)
    cases = (
        cases_opened(m.cb)
        .filter(pk__in=month_ids)
        .order_by("opened", "reference")
        .values_list(
            "reference",
            "kind",
            "enterprise__name",
            "enterprise__credit_code",
            "scheme_version__scheme_id",
            "scheme_version__version",
            "status",
            "opened",
        )
    )
    rows = [
        {
            "case_no": ref,
            "kind": label("kind", kind),
            "enterprise": name,
            "credit_code": code or "",
            "scheme": f"{scheme} {version}",
            "status": label("case_status", status),
            "submitted_on": m.day(at),
        }
        for ref, kind, name, code, scheme, version, status, at in cases
    ]
    return rows, before


def _plans(m: _Month) -> list[dict]:
    """Audit plans sent in the month, with the active team (leader first)."""
    audits = list(
        Audit.objects.filter(case__cb=m.cb, **m.recorded("sent_at"))
        .order_by("sent_at", "id")
        .values_list(
            "pk", "case__reference", "case__enterprise__name", "mode", "start_date", "end_date", "man_days", "sent_at"
        )
    )
    leaders, members = _teams(m)
    return [
        {
            "case_no": ref,
            "enterprise": name,
            "mode": label("mode", mode),
            "start_date": first_day,
            "end_date": last_day,
            "man_days": man_days,
            "leader": "、".join(leaders[pk]),
            "members": "、".join(members[pk]),
            "sent_on": m.day(sent_at),
        }
        for pk, ref, name, mode, first_day, last_day, man_days, sent_at in audits
    ]


def _teams(m: _Month) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """({audit id: leaders}, {audit id: members}) of the plans sent in the month: "name（registration）"."""
    leaders, members = defaultdict(list), defaultdict(list)
    team = (
        TeamMember.objects.filter(audit__case__cb=m.cb, **m.recorded("audit__sent_at"), active=True)
        .order_by("audit_id", "role", "id")
        .values_list(
            "audit_id", "role", "auditor__user__display_name", "auditor__user__username", "auditor__registration"
        )
    )
    for audit_id, role, display, username, registration in team:
        (leaders if role == TeamMember.Role.LEADER else members)[audit_id].append(
            f"{display or username}（{registration}）"
        )
    return leaders, members


def _results(m: _Month) -> tuple[list[dict], set[str]]:
    """Audit reports issued in the month; and the numbers of those issued before it."""
    reports = (
        AuditReport.objects.filter(audit__case__cb=m.cb, **m.recorded("issued_at"))
        .order_by("issued_at", "id")
        .values_list(
            "audit__case__reference",
            "number",
            "audit__case__enterprise__name",
            "score_exact",
            "level",
            "recommended_level",
            "issued_at",
        )
    )
    rows = [
        {
            "report_no": _report_no(ref, number),
            "case_no": ref,
            "enterprise": name,
            "score": _score(score),
            "level": label("level", level),
            "recommended_level": label("level", recommended),
            "issued_on": m.day(at),
        }
        for ref, number, name, score, level, recommended, at in reports
    ]
    before = {
        _report_no(ref, n)
        for ref, n in AuditReport.objects.filter(audit__case__cb=m.cb, issued_at__lt=m.start).values_list(
            "audit__case__reference", "number"
        )
    }
    return rows, before


def _decisions(m: _Month) -> list[dict]:
    """Decisions taken in the month."""
    decisions = (
        Decision.objects.filter(case__cb=m.cb, **m.recorded("decided_at"))
        .order_by("decided_at", "id")
        .values_list("case__reference", "report__number", "case__enterprise__name", "outcome", "level", "decided_at")
    )
    return [
        {
            "case_no": ref,
            "report_no": _report_no(ref, number),
            "enterprise": name,
            "outcome": label("outcome", outcome),
            "level": label("level", level),
            "decided_on": m.day(at),
        }
        for ref, number, name, outcome, level, at in decisions
    ]


def _certificates(m: _Month) -> tuple[list[dict], set[str]]:
    """Certificate versions (issue, recertification, changes) recorded in the month, with the
    certificate's status at the end of the month; and the numbers of certificates with a version
    recorded before it."""
    status_then = (
        CertificateEvent.objects.filter(certificate=OuterRef("certificate"), at__lt=m.end)
        .exclude(to_status="")
        .order_by("-seq")
        .values("to_status")[:1]
    )
    versions = (
        CertificateVersion.objects.filter(certificate__cb=m.cb, **m.recorded("created_at"))
        # no status event yet: as issued, valid
        .annotate(
            status_then=Coalesce(Subquery(status_then), Value(Certificate.Status.VALID, output_field=CharField()))
        )
        .order_by("created_at", "id")
        .values_list(
            "certificate__number",
            "seq",
            "reason",
            "enterprise_name",
            "credit_code",
            "level",
            "scope",
            "first_issued_on",
            "issued_on",
            "expires_on",
            "status_then",
            "case__reference",
            "created_at",
        )
    )
    rows = [
        {
            "certificate_no": number,
            "version": seq,
            "change": label("change", reason),
            "enterprise": name,
            "credit_code": code,
            "level": label("level", level),
            "scope": scope,
            "first_issued_on": first,
            "issued_on": issued,
            "expires_on": expires,
            "status": label("certificate_status", status),
            "case_no": ref or "",
            "recorded_on": m.day(at),
        }
        for number, seq, reason, name, code, level, scope, first, issued, expires, status, ref, at in versions
    ]
    before = set(Certificate.objects.filter(cb=m.cb, versions__created_at__lt=m.start).values_list("number", flat=True))
    return rows, before


def _status_changes(m: _Month) -> list[dict]:
    """Certificate status changes recorded in the month."""
    events = (
        CertificateEvent.objects.filter(certificate__cb=m.cb, **m.recorded("at"))
        .exclude(to_status="")
        .order_by("at", "id")
        .values_list("certificate__number", "from_status", "to_status", "reason", "effective_on", "at")
    )
    return [
        {
            "certificate_no": number,
            "from_status": label("certificate_status", fr),
            "to_status": label("certificate_status", to),
            "reason": reason,
            "effective_on": effective,
            "recorded_on": m.day(at),
        }
        for number, fr, to, reason, effective, at in events
    ]


def exports_of(cb: Organisation):
    """The CB's export log, newest first."""
    return RegulatorExport.objects.filter(cb=cb).select_related("generated_by").order_by("-generated_at", "-id")


def cb_admins(cb: Organisation):
    return Membership.objects.filter(organisation=cb, role=Role.CB_ADMIN).select_related("user")


def last_month(today: date) -> date:
    first = today.replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)

"""The rows of a CB's report to the regulator, read from the workflow's records, and their
reporting state.

Four kinds of record are reported: a plan (an Audit once sent to the enterprise), a result (a
committee Decision other than a send-back), a certificate version and a certificate status change.
A scope says which: those recorded in a month ([start, end) in Asia/Shanghai time), or those still
due (never reported; a plan sent again after it was reported is due again). A plan is due the day
before its audit starts; every other record by the due day (policy: the 10th) of the next month.

On 证书信息表 a certificate is one row (its current state); the versions and status changes in
scope are the records that row carries. Every row keeps its records in `_records`
[(kind, object id, recorded day, due day)], which the writers ignore. The query count is fixed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.audits.models import Audit, Decision, TeamMember
from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion
from aftersales.certification.models import Case
from aftersales.core.display import format_decimal
from aftersales.core.regulator import Template, due_on, month_bounds
from aftersales.policy import policy_on

from .models import RegulatorExport, ReportedRecord

K = ReportedRecord.Kind


def month_range(month: date) -> tuple[datetime, datetime]:
    """The month as aware datetimes [start, end) in the project's time zone."""
    first, nxt = month_bounds(month)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime(first.year, first.month, 1), tz),
        timezone.make_aware(datetime(nxt.year, nxt.month, 1), tz),
    )


@dataclass(frozen=True)
class Scope:
    """Which records a report holds: recorded in [start, end) (start None: any time before end), and
    with `due_only` only those not yet reported."""

    cb: Organisation
    start: datetime | None
    end: datetime
    due_only: bool = False

    @classmethod
    def month(cls, cb: Organisation, month: date, *, due_only: bool = False) -> Scope:
        return cls(cb, *month_range(month), due_only=due_only)

    @classmethod
    def due(cls, cb: Organisation) -> Scope:
        return cls(cb, None, timezone.now(), due_only=True)

    def recorded(self, field: str) -> Q:
        if self.start is None:  # up to now, now included
            return Q(**{f"{field}__lte": self.end})
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})

    def unreported(self, qs, kind: str, *, since: str = ""):
        """`qs` without the records already reported (with `since`, reported at or after that field)."""
        if not self.due_only:
            return qs
        reported = ReportedRecord.objects.filter(cb=self.cb, kind=kind, object_id=OuterRef("pk"))
        if since:
            reported = reported.filter(reported_at__gte=OuterRef(since))
        return qs.exclude(Exists(reported))


def _day(at: datetime) -> date:
    return timezone.localtime(at).date()


def _due_day(recorded: date) -> date:
    return due_on(recorded, day=policy_on(recorded).regulator_report_day)


def _score(exact: str) -> str:
    try:
        return format_decimal(Fraction(exact), 2, "down")
    except (ValueError, ZeroDivisionError):
        return exact


def report_rows(scope: Scope, template: Template) -> tuple[dict[str, list[dict]], dict[str, set[str]]]:
    """(rows per sheet key, ids reported earlier per "sheet.column") for the scope."""
    rows = {
        "plans": _plans(scope, template),
        "certificates": _certificates(scope, template),
        "results": _results(scope, template),
    }
    return rows, _earlier(scope)


def _plans(scope: Scope, t: Template) -> list[dict]:
    audits = scope.unreported(
        Audit.objects.filter(scope.recorded("sent_at"), case__cb=scope.cb, sent_at__isnull=False),
        K.PLAN,
        since="sent_at",
    )
    audits = list(
        audits.order_by("start_date", "sent_at", "id").values_list(
            "pk",
            "case__reference",
            "case__kind",
            "case__enterprise__name",
            "case__enterprise__credit_code",
            "mode",
            "start_date",
            "end_date",
            "man_days",
            "sites",
            "sent_at",
            "case__certificate_link__certificate__number",
        )
    )
    leaders, members = _teams([a[0] for a in audits])
    rows = []
    for pk, ref, kind, name, code, mode, first, last, man_days, sites, sent_at, cert in audits:
        sent = _day(sent_at)
        due = first - timedelta(days=1) if first else _due_day(sent)
        rows.append(
            {
                "plan_no": ref,
                "org_name": name,
                "org_code": code or "",
                "category": t.code("category", "service"),
                "audit_kind": t.code("audit_kind", kind),
                "audit_mode": t.code("audit_mode", mode),
                "start_date": first,
                "end_date": last,
                "man_days": man_days,
                "audit_address": "；".join(s.strip() for s in (sites or "").splitlines() if s.strip()),
                "leader_name": "、".join(leaders[pk]),
                "member_names": "、".join(members[pk]),
                "certificate_no": (cert or "") if kind != Case.Kind.INITIAL else "",
                "_records": [(K.PLAN, pk, sent, due)],
            }
        )
    return rows


def _teams(audit_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """({audit id: leader names}, {audit id: other members' names}), active members only."""
    leaders, members = defaultdict(list), defaultdict(list)
    team = (
        TeamMember.objects.filter(audit_id__in=audit_ids, active=True)
        .order_by("audit_id", "role", "id")
        .values_list("audit_id", "role", "auditor__user__display_name", "auditor__user__username")
    )
    for audit_id, role, display, username in team:
        (leaders if role == TeamMember.Role.LEADER else members)[audit_id].append(display or username)
    return leaders, members


def _results(scope: Scope, t: Template) -> list[dict]:
    issued = CertificateVersion.objects.filter(decision=OuterRef("pk")).order_by("seq").values("certificate__number")
    decisions = scope.unreported(
        Decision.objects.filter(scope.recorded("decided_at"), case__cb=scope.cb).exclude(
            outcome=Decision.Outcome.SEND_BACK
        ),
        K.RESULT,
    )
    decisions = decisions.annotate(
        cert=Coalesce(Subquery(issued[:1]), F("case__certificate_link__certificate__number"))
    ).order_by("decided_at", "id")
    rows = []
    for pk, ref, kind, name, number, issued_at, score, outcome, level, at, cert in decisions.values_list(
        "pk",
        "case__reference",
        "case__kind",
        "case__enterprise__name",
        "report__number",
        "report__issued_at",
        "report__score_exact",
        "outcome",
        "level",
        "decided_at",
        "cert",
    ):
        day = _day(at)
        rows.append(
            {
                "plan_no": ref,
                "certificate_no": cert or "",
                "org_name": name,
                "audit_kind": t.code("audit_kind", kind),
                "report_no": f"{ref}-R{number}",
                "report_on": _day(issued_at),
                "score": _score(score),
                "outcome": t.code("outcome", outcome),
                "level": t.code("level", level),
                "decided_on": day,
                "_records": [(K.RESULT, pk, day, _due_day(day))],
            }
        )
    return rows


def _certificates(scope: Scope, t: Template) -> list[dict]:
    """One row per certificate with a version or a status change in scope: its latest version and
    current status; the row carries those versions and changes."""
    versions = scope.unreported(
        CertificateVersion.objects.filter(scope.recorded("created_at"), certificate__cb=scope.cb), K.CERTIFICATE
    ).values_list("certificate_id", "pk", "reason", "created_at")
    events = scope.unreported(
        CertificateEvent.objects.filter(scope.recorded("at"), certificate__cb=scope.cb).exclude(to_status=""),
        K.STATUS,
    ).values_list("certificate_id", "pk", "at")
    carried: dict[int, list] = defaultdict(list)
    change: dict[int, tuple] = {}
    for cert_id, pk, reason, at in versions:
        day = _day(at)
        carried[cert_id].append((K.CERTIFICATE, pk, day, _due_day(day)))
        change[cert_id] = max(change.get(cert_id, (at, "")), (at, reason))
    for cert_id, pk, at in events:
        day = _day(at)
        carried[cert_id].append((K.STATUS, pk, day, _due_day(day)))
        change.setdefault(cert_id, (at, "status"))
    latest = (
        CertificateVersion.objects.filter(certificate_id__in=list(carried))
        .order_by("certificate_id", "-seq")
        .values_list(
            "certificate_id",
            "certificate__number",
            "enterprise_name",
            "credit_code",
            "address",
            "scheme_id",
            "scheme_version",
            "scope",
            "level",
            "issued_on",
            "expires_on",
            "certificate__first_issued_on",
            "certificate__status",
            "case__reference",
        )
    )
    rows, done = [], set()
    for (
        cert_id,
        number,
        name,
        code,
        address,
        scheme,
        version,
        scope_text,
        level,
        issued,
        expires,
        first,
        status,
        ref,
    ) in latest:
        if cert_id in done:  # ordered newest version first
            continue
        done.add(cert_id)
        rows.append(
            {
                "certificate_no": number,
                "org_name": name,
                "org_code": code,
                "org_address": address,
                "category": t.code("category", "service"),
                "standard": t.codes.get("standard", {}).get(scheme) or f"{scheme} {version}".strip(),
                "scope": scope_text,
                "level": t.code("level", level),
                "issued_on": issued,
                "expires_on": expires,
                "first_issued_on": first,
                "status": t.code("certificate_status", status),
                "change": t.code("change", change[cert_id][1]),
                "plan_no": ref or "",
                "_records": sorted(carried[cert_id], key=lambda r: (r[2], r[1])),
            }
        )
    rows.sort(key=lambda r: r["certificate_no"])
    return rows


def _earlier(scope: Scope) -> dict[str, set[str]]:
    """Certificate numbers the platform already has: on a certificate row, on a result row.
    For a month, those recorded before it; for the records due, those reported."""
    versions = CertificateVersion.objects.filter(certificate__cb=scope.cb)
    decisions = Decision.objects.filter(case__cb=scope.cb).exclude(outcome=Decision.Outcome.SEND_BACK)
    if scope.due_only:
        reported = ReportedRecord.objects.filter(cb=scope.cb)
        versions = versions.filter(pk__in=reported.filter(kind=K.CERTIFICATE).values("object_id"))
        decisions = decisions.filter(pk__in=reported.filter(kind=K.RESULT).values("object_id"))
    else:
        versions = versions.filter(created_at__lt=scope.start)
        decisions = decisions.filter(decided_at__lt=scope.start)
    issued = CertificateVersion.objects.filter(decision=OuterRef("pk")).order_by("seq").values("certificate__number")
    result_certs = decisions.annotate(
        cert=Coalesce(Subquery(issued[:1]), F("case__certificate_link__certificate__number"))
    ).values_list("cert", flat=True)
    return {
        "certificates.certificate_no": set(versions.values_list("certificate__number", flat=True)),
        "results.certificate_no": {c for c in result_certs if c},
    }


# ------------------------------------------------------------------------ reporting state


def queue(cb: Organisation, template: Template, today: date) -> list[dict]:
    """What is due, one entry per sheet row: plans first (by the day before their audit), then the
    others by due day. Each: sheet, id, enterprise, records [(kind, id, recorded, due)], due, overdue."""
    rows, _ = report_rows(Scope.due(cb), template)
    key = {"plans": "plan_no", "certificates": "certificate_no", "results": "report_no"}
    entries = []
    for n, sheet in enumerate(template.sheets):
        for row in rows[sheet.key]:
            due = min(r[3] for r in row["_records"])
            entries.append(
                {
                    "sheet": sheet,
                    "id": row[key[sheet.key]],
                    "enterprise": row["org_name"],
                    "records": row["_records"],
                    "kinds": sorted({r[0] for r in row["_records"]}),
                    "recorded": min(r[2] for r in row["_records"]),
                    "due": due,
                    "overdue": due < today,
                    "plan": sheet.key == "plans",
                    "order": n,
                }
            )
    entries.sort(key=lambda e: (not e["plan"], e["due"], e["order"], e["id"]))
    return entries


def due_count(scope: Scope) -> int:
    """How many records of the scope are not yet reported (four counts, no rows read)."""
    s = Scope(scope.cb, scope.start, scope.end, due_only=True)
    plans = s.unreported(
        Audit.objects.filter(s.recorded("sent_at"), case__cb=s.cb, sent_at__isnull=False), K.PLAN, since="sent_at"
    )
    results = s.unreported(
        Decision.objects.filter(s.recorded("decided_at"), case__cb=s.cb).exclude(outcome=Decision.Outcome.SEND_BACK),
        K.RESULT,
    )
    versions = s.unreported(
        CertificateVersion.objects.filter(s.recorded("created_at"), certificate__cb=s.cb), K.CERTIFICATE
    )
    events = s.unreported(
        CertificateEvent.objects.filter(s.recorded("at"), certificate__cb=s.cb).exclude(to_status=""), K.STATUS
    )
    return plans.count() + results.count() + versions.count() + events.count()


def reporting_state(cb: Organisation, kind: str, object_ids) -> dict[int, dict]:
    """{object id: {"export": the first export that carried it, "reported_at", "row", "sheet",
    "exports": how many}} for the records reported; the others are absent (not yet reported)."""
    state: dict[int, dict] = {}
    records = (
        ReportedRecord.objects.filter(cb=cb, kind=kind, object_id__in=list(object_ids))
        .select_related("export")
        .order_by("reported_at", "id")
    )
    for r in records:
        if r.object_id in state:
            state[r.object_id]["exports"] += 1
            continue
        state[r.object_id] = {
            "export": r.export,
            "reported_at": r.reported_at,
            "row": r.row,
            "sheet": r.sheet,
            "exports": 1,
        }
    return state


def export_records(export: RegulatorExport) -> list[dict]:
    """The records an export carried, in sheet and row order, each with the number it is known by
    (plan and report numbers, certificate numbers); one query per kind."""
    records = list(export.records.order_by("sheet", "row", "kind", "object_id"))
    ids = defaultdict(list)
    for r in records:
        ids[r.kind].append(r.object_id)
    names = {
        K.PLAN: dict(Audit.objects.filter(pk__in=ids[K.PLAN]).values_list("pk", "case__reference")),
        K.RESULT: {
            pk: f"{ref}-R{n}"
            for pk, ref, n in Decision.objects.filter(pk__in=ids[K.RESULT]).values_list(
                "pk", "case__reference", "report__number"
            )
        },
        K.CERTIFICATE: {
            pk: f"{number} v{seq}"
            for pk, number, seq in CertificateVersion.objects.filter(pk__in=ids[K.CERTIFICATE]).values_list(
                "pk", "certificate__number", "seq"
            )
        },
        K.STATUS: {
            pk: f"{number} → {Certificate.Status(to).label}"
            for pk, number, to in CertificateEvent.objects.filter(pk__in=ids[K.STATUS]).values_list(
                "pk", "certificate__number", "to_status"
            )
        },
    }
    return [{"record": r, "name": names[r.kind].get(r.object_id, "")} for r in records]


def exports_of(cb: Organisation):
    """The CB's export log, newest first."""
    return RegulatorExport.objects.filter(cb=cb).select_related("generated_by").order_by("-generated_at", "-id")


def cb_admins(cb: Organisation):
    return Membership.objects.filter(organisation=cb, role=Role.CB_ADMIN).select_related("user")


def last_month(today: date) -> date:
    first = today.replace(day=1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)

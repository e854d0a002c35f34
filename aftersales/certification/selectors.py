"""Reads of certification cases: completeness, eligibility facts, lists, event history."""

from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.accounts.models import Organisation
from aftersales.core import eligibility
from aftersales.core.materials import BY_CODE, MATERIAL_TYPES, REQUIRED
from aftersales.core.scheme import Level
from aftersales.policy import policy_on

from .access import cases_visible_to
from .models import Application, Case, CaseEvent, Material


def system_months_required(on: date | None = None) -> int:
    """Months the after-sales system must have run (the CB policy in force on `on`)."""
    return policy_on(on).system_months


def material_latest(case: Case) -> dict[str, Material]:
    """Material type → its newest version."""
    out: dict[str, Material] = {}
    for m in Material.objects.filter(case=case).select_related("uploaded_by").order_by("material_type", "-version"):
        out.setdefault(m.material_type, m)
    return out


def material_rows(case: Case, lang: str) -> list[dict]:
    """Every material type with its versions (newest first), for the page."""
    versions: dict[str, list[Material]] = {}
    for m in Material.objects.filter(case=case).select_related("uploaded_by").order_by("material_type", "-version"):
        versions.setdefault(m.material_type, []).append(m)
    return [
        {"code": t.code, "title": t.title.get(lang), "required": t.required, "versions": versions.get(t.code, [])}
        for t in MATERIAL_TYPES
    ]


def application_missing(case: Case) -> list[str]:
    """What the application still lacks before it can be submitted, each named (empty = complete)."""
    a = Application.objects.get(case=case)
    missing = []
    if not a.product_list:
        missing.append(_("product categories in scope"))
    if not a.delivery_model:
        missing.append(_("after-sales delivery model"))
    if a.staff_total is None:
        missing.append(_("staff (total headcount)"))
    if a.staff_service_management is None:
        missing.append(_("service-management staff"))
    if a.registered_on is None and case.enterprise.registered_on is None:
        missing.append(_("registration date"))
    if a.system_effective_on is None:
        missing.append(_("date the after-sales system took effect"))
    if not a.declared_no_incident:
        missing.append(_("declaration: no major accident, mass complaint or administrative penalty"))
    if not a.declared_not_blacklisted:
        missing.append(_("declaration: not on a credit blacklist"))
    if not a.sites.exists():
        missing.append(_("at least one site or service outlet"))
    if not a.managers.exists():
        missing.append(_("at least one certified after-sales service manager"))
    have = set(Material.objects.filter(case=case).values_list("material_type", flat=True))
    for code in REQUIRED:
        if code not in have:
            missing.append(_("material: %(title)s") % {"title": BY_CODE[code].title.get(get_language())})
    return missing


def _coverage(enterprise: Organisation, as_of: date):
    """The records coverage for the eligibility rule (months: the CB policy in force on `as_of`)."""
    from aftersales.records.selectors import record_coverage

    return record_coverage(enterprise, as_of=as_of), None


def eligibility_of(case: Case, *, as_of: date | None = None) -> eligibility.Result:
    """The eligibility result: as frozen at submission once the application is submitted (and not
    open again for more information), else checked now (or on `as_of`)."""
    a = Application.objects.get(case=case)
    if as_of is None and a.eligibility and case.status not in {Case.Status.DRAFT, Case.Status.INFO_REQUESTED}:
        return eligibility.Result.from_data(a.eligibility["rules"])
    return eligibility_check(case, a, as_of=as_of or timezone.localdate())


def eligibility_frozen(case: Case, application: Application, *, as_of: date) -> dict:
    """What a submitted application keeps of its eligibility: the result, the day, the CB policy
    version (id and hash) and the scheme version the rules were checked with."""
    result = eligibility_check(case, application, as_of=as_of)
    sv = case.scheme_version
    return {
        "as_of": as_of.isoformat(),
        "policy": policy_on(as_of).pin,
        "scheme": {"id": sv.scheme_id, "version": sv.version, "sha256": sv.sha256},
        "ok": result.ok,
        "rules": result.as_data(),
    }


def eligibility_check(case: Case, a: Application, *, as_of: date) -> eligibility.Result:
    """Every eligibility rule checked on `as_of`; the last self-assessment is the enterprise's
    own (kind self), never the certification body's audit scoring."""
    from aftersales.assessments.models import Assessment

    last = (
        Assessment.objects.filter(
            enterprise_id=case.enterprise_id, kind=Assessment.Kind.SELF, status=Assessment.Status.FINISHED
        )
        .order_by("-finished_at", "-id")
        .values_list("level", "finished_at")
        .first()
    )
    coverage, not_checked = _coverage(case.enterprise, as_of)
    facts = eligibility.Facts(
        as_of=as_of,
        credit_code=case.enterprise.credit_code,
        registered_on=a.registered_on or case.enterprise.registered_on,
        system_effective_on=a.system_effective_on,
        system_months_required=system_months_required(as_of),
        service_management_staff=a.staff_service_management,
        managers=a.managers.count(),
        declared_no_incident=a.declared_no_incident,
        declared_not_blacklisted=a.declared_not_blacklisted,
        coverage=coverage,
        coverage_not_checked=not_checked,
        last_level=Level(last[0]) if last and last[0] else None,
        last_assessment_on=timezone.localdate(last[1]) if last else None,
    )
    return eligibility.check(facts)


def case_list(user, *, status: str = "") -> QuerySet[Case]:
    """The cases the user may see, newest first, with what the list shows (a fixed number of queries;
    the last step is read for the rows fetched only, from the event chain's (case, seq) index)."""
    cases = cases_visible_to(user).select_related("enterprise", "cb", "scheme_version")
    if status:
        cases = cases.filter(status=status)
    last = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-seq").values("at")[:1]
    return cases.annotate(last_event_at=Subquery(last)).order_by("-created_at", "-id")


def case_events(case: Case, *, internal: bool) -> QuerySet[CaseEvent]:
    """The case's history, oldest first; only public events unless `internal` (CB staff)."""
    events = CaseEvent.objects.filter(case=case).select_related("actor").order_by("seq")
    return events if internal else events.filter(public=True)


def cbs() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=Organisation.Kind.CERTIFICATION_BODY).order_by("name")

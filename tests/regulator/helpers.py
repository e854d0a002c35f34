"""Data for the regulator report tests: a case applied for in September 2026 and decided, certified
and suspended in October 2026 (times frozen, Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from aftersales.accounts.models import Organisation
from aftersales.accounts.services import organisation_create
from aftersales.audits import decisions
from aftersales.certificates import services, versions
from aftersales.certificates.models import CertificateVersion
from aftersales.certification.cases import case_reference_next, case_transition
from aftersales.certification.models import Application, Case
from tests.audits.factories import case_at
from tests.certificates.factories import issued

SH = ZoneInfo("Asia/Shanghai")
SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)


def at(y, m, d, h=10):
    return time_machine.travel(datetime(y, m, d, h, tzinfo=SH), tick=False)


def apply_for(case: Case, world) -> Application:
    """The application the case's certificate takes its scope from."""
    return Application.objects.create(
        case=case, products="家用空调\n热水器", services="安装、维修", updated_by=world["people"]["ent_admin"]
    )


def certified(world, *, enterprise=None, level: str = "five_star"):
    """A certificate with a scope, issued now."""
    return issued(world, level=level, enterprise=enterprise)


def unscoped(world):
    """A certificate issued now whose stated scope is empty (bad data the report must refuse; the
    row is blanked behind the services' back, as a broken import would)."""
    certificate = issued(world)
    CertificateVersion.objects.filter(certificate=certificate).update(scope="")
    return certificate


def september_october(world):
    """Applied, planned and reported in September; decided, certified and suspended in October."""
    p = world["people"]
    with at(2026, 9, 15):
        case = case_at(world, "reported")
        apply_for(case, world)
    with at(2026, 10, 12):
        decisions.decision_record(
            no_conflict=True, case=case, outcome="approve", reasons="材料齐全，结论可信", by=p["committee"]
        )
        decision = case.decisions.get()
        certificate = versions.certificate_issue(decision=decision, by=p["cb_admin"])
    with at(2026, 10, 20):
        services.certificate_suspend(certificate=certificate, reason="超范围使用认证标志", by=p["cb_admin"])
    case.refresh_from_db()
    certificate.refresh_from_db()
    return case, certificate


def other_cb_case(world, *, when=(2026, 10, 8)) -> tuple[Organisation, Case]:
    """Another certification body with an application of 乙企业 submitted on `when`."""
    cb = organisation_create(kind=Organisation.Kind.CERTIFICATION_BODY, name="另一认证机构", by_label="t")
    with at(*when):
        case = Case.objects.create(
            reference=case_reference_next(2026),
            enterprise=world["other"],
            cb=cb,
            scheme_version=world["gbt"],
            created_by=world["people"]["other_admin"],
        )
        case_transition(case=case, to=Case.Status.SUBMITTED, action="test", by_label="test")
    return cb, case

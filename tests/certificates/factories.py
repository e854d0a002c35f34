"""Certificates for tests, made through the services (a decided case, then certificate_issue)."""

from __future__ import annotations

from datetime import date

from aftersales.accounts.models import Organisation
from aftersales.accounts.services import organisation_create
from aftersales.audits import decisions
from aftersales.certificates import services, versions
from aftersales.certificates.models import Certificate
from aftersales.certification.models import Application, Site
from tests.audits.factories import case_at
from tests.conftest import make_code

_made = {"n": 100}


def new_enterprise(name: str = "", *, address: str = "浙江省杭州市西湖区文三路 100 号") -> Organisation:
    """Another enterprise (a certificate per enterprise and scheme can be live at a time)."""
    _made["n"] += 1
    org = organisation_create(
        kind=Organisation.Kind.ENTERPRISE,
        name=name or f"测试企业{_made['n']}",
        credit_code=make_code(_made["n"]),
        by_label="t",
    )
    org.address = address
    org.save(update_fields=["address"])
    return org


def _application(case, by) -> None:
    """The scope the certificate states (case_at makes its cases as rows, without an application)."""
    application = Application.objects.create(
        case=case, products="空调\n冰箱", services="送货、安装、维修、回访", updated_by=by
    )
    for name, address, kind in [
        ("杭州服务中心", "杭州市西湖区文三路 1 号", "own"),
        ("宁波服务网点", "宁波市海曙区中山路 2 号", "entrusted"),
    ]:
        Site.objects.create(application=application, name=name, address=address, kind=kind)


def decided(world, *, level: str = "five_star", enterprise=None):
    """A decided initial case approving `level` (five_star: as recommended; lower: approve_lower)."""
    if level == "five_star":
        case = case_at(world, "decided", enterprise=enterprise)
    else:
        case = case_at(world, "reported", enterprise=enterprise)
        decisions.decision_record(
            no_conflict=True,
            case=case,
            outcome="approve_lower",
            level=level,
            reasons="按较低等级批准",
            by=world["people"]["committee"],
        )
        case.refresh_from_db()
    _application(case, world["people"]["ent_admin"])
    return case.decisions.order_by("-decided_at", "-id").first()


def issued(world, *, level: str = "five_star", enterprise=None, today: date | None = None) -> Certificate:
    """A valid certificate of `enterprise` (default: the world's 甲企业) issued by the world's CB."""
    decision = decided(world, level=level, enterprise=enterprise)
    return versions.certificate_issue(decision=decision, by=world["people"]["cb_admin"], today=today)


def certificate_in(world, status: str, *, enterprise=None, today: date | None = None) -> Certificate:
    """A certificate brought to `status` through the services (expired: issued three years ago)."""
    S = Certificate.Status
    by = world["people"]["cb_admin"]
    if status == S.EXPIRED:
        certificate = issued(world, enterprise=enterprise, today=date(2020, 3, 1))
        services.certificate_expire(certificate=certificate, today=date(2023, 3, 1))
    else:
        certificate = issued(world, enterprise=enterprise, today=today)
        if status in {S.SUSPENDED, S.WITHDRAWN}:
            services.certificate_suspend(certificate=certificate, reason="监督审核未按期进行", by=by)
        if status == S.WITHDRAWN:
            services.certificate_withdraw(certificate=certificate, reason="暂停期间未整改", by=by)
        if status == S.CANCELLED:
            services.certificate_cancel(certificate=certificate, reason="企业申请注销", by=by)
    certificate.refresh_from_db()
    return certificate

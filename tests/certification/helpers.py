"""Build certification cases at a given status through the services (for tests and matrix rows)."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.certification import review, services
from aftersales.certification.cases import case_event_record, case_reference_next
from aftersales.certification.materials import material_upload
from aftersales.certification.models import Application, Case, Exclusion
from aftersales.certification.services import ApplicationData, ExclusionRow, ManagerRow, SiteRow
from aftersales.core.materials import REQUIRED


def complete_data(**kw) -> ApplicationData:
    data = ApplicationData(
        products="空调\n冰箱\n洗衣机",
        services="安装、维修、回访",
        delivery_model="mixed",
        staff_total=120,
        staff_service_management=15,
        registered_on=date(2020, 1, 1),
        system_effective_on=date(2025, 1, 1),
        declared_no_incident=True,
        declared_not_blacklisted=True,
        sites=[
            SiteRow("总部服务中心", "杭州市西湖区文三路 1 号", "own", True),
            SiteRow("宁波服务网点", "宁波市海曙区中山路 2 号", "entrusted", True),
            SiteRow("线上客服", "杭州市", "own", False),
        ],
        exclusions=[ExclusionRow("5.2.6.1", "不涉及废弃商品回收")],
        managers=[ManagerRow("王芳", "SM-2024-0001"), ManagerRow("李强", "SM-2024-0002")],
    )
    for k, v in kw.items():
        setattr(data, k, v)
    return data


def pdf(name="材料.pdf", body=b"%PDF-1.4 test"):
    return SimpleUploadedFile(name, body)


def open_direct(world, enterprise, by) -> Case:
    """A draft case created as a row (the services allow one open case per enterprise and CB; the
    persona matrix needs several of the same enterprise)."""
    case = Case.objects.create(
        reference=case_reference_next(timezone.localdate().year),
        enterprise=enterprise,
        cb=world["cb"],
        scheme_version=world["gbt"],
        created_by=by,
    )
    Application.objects.create(case=case, updated_by=by)
    case_event_record(case=case, action="case.opened", by=by)
    return case


def make_case(
    world, status: str = Case.Status.DRAFT, *, enterprise=None, complete: bool = True, direct: bool = False
) -> Case:
    """A case of the world's enterprise (or `enterprise`) moved to `status` through the services."""
    people = world["people"]
    ent_admin, reviewer = people["ent_admin"], people["reviewer"]
    enterprise = enterprise or world["enterprise"]
    if enterprise != world["enterprise"]:
        ent_admin = enterprise.memberships.filter(role="enterprise_admin").first().user
    if direct:
        case = open_direct(world, enterprise, ent_admin)
    else:
        case = services.case_open(enterprise=enterprise, cb=world["cb"], scheme_version=world["gbt"], by=ent_admin)
    if complete or status != Case.Status.DRAFT:
        services.application_save(case=case, data=complete_data(), by=ent_admin)
        for code in REQUIRED:
            material_upload(case=case, material_type=code, upload=pdf(f"{code}.pdf"), by=ent_admin)
    if status == Case.Status.DRAFT:
        return case
    if status == Case.Status.WITHDRAWN:
        services.case_withdraw(case=case, reason="暂不申请", by=ent_admin)
        return case
    services.application_submit(case=case, by=ent_admin)
    if status == Case.Status.SUBMITTED:
        return case
    if status == Case.Status.INFO_REQUESTED:
        review.application_request_info(case=case, questions=["请补充网点清单", "请说明委托协议"], by=reviewer)
        return case
    if status == Case.Status.REFUSED:
        review.application_refuse(case=case, reason="不满足条件", by=reviewer)
        return case
    review_complete(case, reviewer)
    review.application_accept(case=case, travel_estimate=Decimal("1500.00"), by=reviewer)
    if status == Case.Status.ACCEPTED:
        return case
    review.contract_record(case=case, signed_on=date(2026, 1, 5), signed_by="张伟", by=reviewer)
    assert status == Case.Status.CONTRACTED, status
    return case


def review_complete(case, reviewer, **kw):
    args = {
        "audit_mode": "on_site",
        "risk_class": "medium",
        "outlets_visited": 2,
        "scope_confirmed": True,
        "exclusions": {e.pk: True for e in Exclusion.objects.filter(application__case=case)},
    }
    return review.review_save(case=case, by=reviewer, **(args | kw))

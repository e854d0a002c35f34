"""Demo certification cases at every stage before the audit, made through the services.

Runs after the base demo (organisations, users, self-assessments of load_demo). Adds seven more
enterprises with an admin and a finished self-assessment each, then opens cases with 华信认证中心:

- contracted (6, in the order of `DEMO_CONTRACTED`; the audits demo takes them further),
- accepted, submitted, info_requested, refused, withdrawn, and a draft.

Idempotent: if the CB already has cases, nothing is done.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from aftersales.accounts.models import Organisation, Role, User
from aftersales.accounts.services import membership_grant, organisation_create
from aftersales.assessments import services as assessments
from aftersales.certification import review, services
from aftersales.certification.materials import material_upload
from aftersales.certification.models import Case, Exclusion
from aftersales.core import credit_code
from aftersales.core.materials import MATERIAL_TYPES, REQUIRED
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of

ACTOR = "command:load_demo"
DEMO_PASSWORD = "demo-pass-2026"
CB_NAME = "华信认证中心有限公司"

# key: (name, credit-code stem, region, industry, address, registered, admin username, admin name)
MORE_ENTERPRISES = {
    "ruifeng": (
        "宁波瑞丰厨电有限公司",
        "91330203",
        "浙江省宁波市",
        "厨房电器制造",
        "宁波市海曙区中山西路 88 号",
        date(2012, 6, 1),
        "sunli",
        "孙丽",
    ),
    "haiyue": (
        "青岛海岳电器服务有限公司",
        "91370202",
        "山东省青岛市",
        "家电维修服务",
        "青岛市市南区香港中路 20 号",
        date(2015, 3, 18),
        "zhoujie",
        "周杰",
    ),
    "xinda": (
        "苏州信达家居用品有限公司",
        "91320505",
        "江苏省苏州市",
        "家居用品制造",
        "苏州市高新区长江路 168 号",
        date(2011, 8, 9),
        "wujing",
        "吴静",
    ),
    "jianghan": (
        "武汉江汉电子科技有限公司",
        "91420103",
        "湖北省武汉市",
        "消费电子",
        "武汉市江汉区解放大道 690 号",
        date(2017, 5, 22),
        "zhengyu",
        "郑宇",
    ),
    "anhe": (
        "合肥安和家电维修服务有限公司",
        "91340104",
        "安徽省合肥市",
        "家电维修服务",
        "合肥市蜀山区长江西路 500 号",
        date(2018, 1, 10),
        "hexin",
        "何欣",
    ),
    "ludao": (
        "厦门鹭岛小家电有限公司",
        "91350203",
        "福建省厦门市",
        "小家电制造",
        "厦门市思明区湖滨南路 55 号",
        date(2026, 3, 1),
        "linbo",
        "林波",
    ),
    "xinghe": (
        "南京星河智能家电有限公司",
        "91320105",
        "江苏省南京市",
        "智能家电制造",
        "南京市建邺区江东中路 311 号",
        date(2012, 6, 18),
        "songjie",
        "宋杰",
    ),
    "qinchuan": (
        "西安秦川家电服务有限公司",
        "91610113",
        "陕西省西安市",
        "家电安装维修服务",
        "西安市雁塔区科技路 48 号",
        date(2015, 4, 7),
        "duanli",
        "段丽",
    ),
    "meilin": (
        "长沙美林电器有限公司",
        "91430105",
        "湖南省长沙市",
        "家用电器批发",
        "长沙市开福区芙蓉中路 1 号",
        date(2013, 11, 30),
        "tangmei",
        "唐梅",
    ),
}

# the contracted cases, in the order the audits demo advances them
DEMO_CONTRACTED: list[str] = [
    "杭州海川家电有限公司",
    "成都锦程电器销售有限公司",
    "宁波瑞丰厨电有限公司",
    "青岛海岳电器服务有限公司",
    "苏州信达家居用品有限公司",
    "南京星河智能家电有限公司",
]

# enterprise name -> (status, size: total staff, service-management staff, managers, products, outlets)
PLAN = {
    "杭州海川家电有限公司": (Case.Status.CONTRACTED, 860, 98, 10, ["空调", "冰箱", "洗衣机", "热水器"], 6),
    "成都锦程电器销售有限公司": (Case.Status.CONTRACTED, 140, 22, 3, ["家用电器（零售）"], 3),
    "宁波瑞丰厨电有限公司": (Case.Status.CONTRACTED, 320, 35, 4, ["吸油烟机", "燃气灶", "消毒柜"], 4),
    "青岛海岳电器服务有限公司": (Case.Status.CONTRACTED, 75, 12, 2, ["家电维修服务"], 5),
    "苏州信达家居用品有限公司": (Case.Status.CONTRACTED, 210, 18, 2, ["智能马桶盖", "净水器"], 2),
    "南京星河智能家电有限公司": (Case.Status.CONTRACTED, 260, 30, 3, ["扫地机器人", "空气净化器"], 3),
    "西安秦川家电服务有限公司": (Case.Status.CONTRACTED, 66, 10, 1, ["家电安装维修服务"], 4),
    "长沙美林电器有限公司": (Case.Status.ACCEPTED, 160, 16, 2, ["小家电"], 2),
    "武汉江汉电子科技有限公司": (Case.Status.SUBMITTED, 95, 9, 1, ["智能音箱", "蓝牙耳机"], 1),
    "合肥安和家电维修服务有限公司": (Case.Status.INFO_REQUESTED, 48, 11, 2, ["家电维修服务"], 3),
    "厦门鹭岛小家电有限公司": (Case.Status.REFUSED, 30, 6, 1, ["电饭煲", "电水壶"], 1),
    "佛山市顺德区恒泰厨具有限公司": (Case.Status.DRAFT, 120, 14, 0, ["厨具"], 2),
}
WITHDRAWN = "佛山市顺德区恒泰厨具有限公司"  # withdrew a first application, now drafting a new one


def _pdf(title: str) -> SimpleUploadedFile:
    body = f"%PDF-1.4\n% demo material: {title}\n%%EOF\n".encode()
    return SimpleUploadedFile(f"{title}.pdf", body)


def _enterprises(stdout) -> None:
    gbt = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
    for key, (name, stem, region, industry, address, registered, username, display) in MORE_ENTERPRISES.items():
        if Organisation.objects.filter(name=name).exists():
            continue
        body = f"{sum(map(ord, key)) * 7919 % 10**8:08d}"
        org = organisation_create(
            kind=Organisation.Kind.ENTERPRISE,
            name=name,
            credit_code=credit_code.complete(stem + body + credit_code.org_check_character(body)),
            region=region,
            industry=industry,
            address=address,
            registered_on=registered,
            by_label=ACTOR,
        )
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, display_name=display, email=f"{username}@example.cn"
        )
        membership_grant(user=user, organisation=org, role=Role.ENTERPRISE_ADMIN, by_label=ACTOR)
        a = assessments.assessment_start(enterprise=org, scheme_version=gbt, by=user, title="2026 年度自评")
        for n, item in enumerate(scheme_of(gbt).items):
            kind = "nonconform" if n % 9 == 4 else "conform"  # a few gaps: three- or four-star
            assessments.answer_save(
                assessment=a,
                item_code=item.code,
                kind=kind,
                reason="自查发现不足" if kind != "conform" else "",
                expected_version=0,
                by=user,
            )
        assessments.assessment_finish(assessment=a, by=user)
        stdout.write(f"  enterprise {name} (admin {username})")


def _admin(org: Organisation) -> User:
    return org.memberships.filter(role=Role.ENTERPRISE_ADMIN).select_related("user").first().user


def _data(org: Organisation, staff: int, sm_staff: int, managers: int, products: list[str], outlets: int):
    city = org.region[3:] if len(org.region) > 3 else org.region
    sites = [services.SiteRow(f"{org.name[:6]}售后服务中心", org.address, "own", True)]
    sites += [
        services.SiteRow(f"{city}第 {i} 服务网点", f"{city}服务网点 {i} 号", "entrusted" if i % 2 else "own", True)
        for i in range(1, outlets)
    ]
    sites.append(services.SiteRow("400 客服热线", org.address, "own", False))
    return services.ApplicationData(
        products="\n".join(products),
        services="送货、安装调试、维修、退换货、回访、投诉处理",
        delivery_model="mixed" if outlets > 1 else "own",
        staff_total=staff,
        staff_service_management=sm_staff,
        registered_on=org.registered_on,
        system_effective_on=date(2025, 6, 1) if org.name != "厦门鹭岛小家电有限公司" else date(2026, 9, 1),
        declared_no_incident=True,
        declared_not_blacklisted=True,
        sites=sites,
        exclusions=[services.ExclusionRow("5.2.6.1", "经营范围不含废弃商品回收，由当地有资质企业承担")]
        if "维修" in products[0]
        else [],
        managers=[services.ManagerRow(f"管理师{i + 1}", f"SM-{org.pk:03d}-{i + 1:04d}") for i in range(managers)],
    )


def _case(org, cb, gbt, status, plan, reviewer, cb_admin) -> Case:
    _, staff, sm_staff, managers, products, outlets = plan
    admin = _admin(org)
    case = services.case_open(enterprise=org, cb=cb, scheme_version=gbt, by=admin)
    services.application_save(case=case, data=_data(org, staff, sm_staff, managers, products, outlets), by=admin)
    required = REQUIRED if status != Case.Status.DRAFT else REQUIRED[:3]
    for t in MATERIAL_TYPES:
        if t.code in required:
            material_upload(case=case, material_type=t.code, upload=_pdf(t.title.zh), by=admin)
    if status == Case.Status.DRAFT:
        return case
    services.application_submit(case=case, by=admin)
    if status == Case.Status.SUBMITTED:
        return case
    if status == Case.Status.INFO_REQUESTED:
        review.application_request_info(
            case=case,
            questions=["请补充委托服务网点的委托协议及考核记录", "请说明 400 客服热线的服务时间与外包情况"],
            by=reviewer,
        )
        return case
    if status == Case.Status.REFUSED:
        review.application_refuse(
            case=case,
            reason="企业注册不满 1 年；售后服务体系运行不足 3 个月；未配备持证售后服务管理师。",
            by=reviewer,
        )
        return case
    exclusions = {e.pk: True for e in Exclusion.objects.filter(application__case=case)}
    review.review_save(
        case=case,
        by=reviewer,
        audit_mode="on_site" if outlets <= 4 else "mixed",
        risk_class="medium",
        outlets_visited=min(outlets, 3),
        scope_confirmed=True,
        exclusions=exclusions,
    )
    review.application_accept(case=case, travel_estimate=Decimal("2000.00"), by=reviewer)
    if status == Case.Status.ACCEPTED:
        return case
    review.contract_record(case=case, signed_on=date(2026, 10, 15), signed_by=admin.display_name, by=cb_admin)
    return case


@transaction.atomic
def load(*, stdout) -> None:
    cb = Organisation.objects.filter(name=CB_NAME, kind=Organisation.Kind.CERTIFICATION_BODY).first()
    if cb is None:
        stdout.write("Certification demo skipped: load the base demo first.")
        return
    if Case.objects.filter(cb=cb).exists():
        stdout.write("Demo certification cases already loaded.")
        return
    _enterprises(stdout)
    gbt = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
    staff = {m.role: m.user for m in cb.memberships.select_related("user")}
    reviewer, cb_admin = staff.get(Role.REVIEWER), staff.get(Role.CB_ADMIN)
    withdrawn = Organisation.objects.get(name=WITHDRAWN)
    first = services.case_open(enterprise=withdrawn, cb=cb, scheme_version=gbt, by=_admin(withdrawn))
    services.case_withdraw(case=first, reason="自评未达标，先完善售后服务体系后再申请", by=_admin(withdrawn))
    for name, plan in PLAN.items():
        case = _case(Organisation.objects.get(name=name), cb, gbt, plan[0], plan, reviewer, cb_admin)
        stdout.write(f"  case {case.reference} {name}: {case.status}")

"""Demo certificates in every status, made through the services the web uses.

- 杭州海川家电有限公司: its decided case (audits demo) gets its certificate today: valid, five-star;
- 北京京华家电有限公司: valid, four-star, issued 2025-12-01 (first surveillance due 2026-12-01);
- 深圳鹏达电器有限公司: suspended, three-star (surveillance not done in time);
- 广州穗安家电服务有限公司: withdrawn (not put right while suspended);
- 天津津门电器有限公司: cancelled at the enterprise's request (business moved);
- 重庆山城家电有限公司: expired (validity ended without recertification).

The five certified enterprises each go through a complete initial certification (application,
review, contract, plan, audit, report, decision) with past issue dates; case events carry the day
the demo was loaded. Idempotent: an enterprise that holds a certificate is left as it is.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from aftersales.accounts.models import Organisation, Role, User
from aftersales.accounts.services import membership_grant, organisation_create
from aftersales.assessments import services as assessments
from aftersales.assessments.selectors import assessment_score
from aftersales.audits import decisions, reporting
from aftersales.audits.models import Auditor
from aftersales.certificates import services, versions
from aftersales.certificates.models import Certificate
from aftersales.certification.models import Case
from aftersales.core import credit_code
from aftersales.core.concepts import CertificateStatus as CS
from aftersales.core.scheme import Level
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of

from .cases import ACTOR, CB_NAME, DEMO_PASSWORD, _case

RANK = {level.value: level.rank for level in Level}

# name: credit-code stem, region, industry, address, registered, admin, admin name, products, outlets,
#       level, issued on, story (status, on, reason)
CERTIFIED = {
    "北京京华家电有限公司": (
        "91110105",
        "北京市朝阳区",
        "家用电器制造",
        "北京市朝阳区酒仙桥路 12 号",
        date(2009, 4, 1),
        "jinghua",
        "金华",
        ["电视机", "空调"],
        5,
        "four_star",
        date(2025, 12, 1),
        [],
    ),
    "深圳鹏达电器有限公司": (
        "91440300",
        "广东省深圳市",
        "家用电器制造",
        "深圳市南山区科技园南路 8 号",
        date(2011, 7, 18),
        "pengda",
        "彭达",
        ["微波炉", "电烤箱"],
        3,
        "three_star",
        date(2024, 9, 2),
        [(CS.SUSPENDED, date(2025, 10, 15), "监督审核未在规定期限内进行（应于 2025-09-02 前完成）")],
    ),
    "广州穗安家电服务有限公司": (
        "91440101",
        "广东省广州市",
        "家电维修服务",
        "广州市天河区天河北路 233 号",
        date(2014, 2, 10),
        "suian",
        "苏安",
        ["家电维修服务"],
        4,
        "qualified",
        date(2023, 5, 22),
        [
            (CS.SUSPENDED, date(2024, 6, 3), "监督审核发现投诉处理记录缺失，严重不符合未按期整改"),
            (CS.WITHDRAWN, date(2024, 9, 3), "暂停期间未完成整改，撤销认证证书"),
        ],
    ),
    "天津津门电器有限公司": (
        "91120102",
        "天津市河东区",
        "家用电器销售",
        "天津市河东区十一经路 66 号",
        date(2012, 9, 9),
        "jinmen",
        "金门",
        ["家用电器（零售）"],
        2,
        "four_star",
        date(2024, 1, 15),
        [(CS.CANCELLED, date(2026, 4, 30), "企业申请注销：经营主体变更，业务已转入新公司")],
    ),
    "重庆山城家电有限公司": (
        "91500103",
        "重庆市渝中区",
        "家用电器销售",
        "重庆市渝中区解放碑民族路 101 号",
        date(2010, 5, 5),
        "shancheng",
        "山成",
        ["厨房电器", "小家电"],
        3,
        "three_star",
        date(2022, 8, 1),
        [(CS.EXPIRED, None, "")],
    ),
}


def _enterprise(name: str, row) -> Organisation:
    stem, region, industry, address, registered, username, display = row[:7]
    org = Organisation.objects.filter(name=name).first()
    if org is not None:
        return org
    body = f"{sum(map(ord, name)) * 7919 % 10**8:08d}"
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
    gbt = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
    a = assessments.assessment_start(enterprise=org, scheme_version=gbt, by=user, title="年度自评")
    step = {"five_star": 0, "four_star": 14, "three_star": 8, "qualified": 5}[row[9]]
    for n, item in enumerate(scheme_of(gbt).items):
        kind = "nonconform" if step and n % step == step - 1 else "conform"
        assessments.answer_save(
            assessment=a,
            item_code=item.code,
            kind=kind,
            reason="自查发现不足" if kind != "conform" else "",
            expected_version=0,
            by=user,
        )
    assessments.assessment_finish(assessment=a, by=user)
    return org


def _decided(org: Organisation, row, *, cb, staff, team) -> Case:
    """A complete initial certification of `org`, decided at the row's level (or the level reached)."""
    from .audits import _score_like_self, _to_audit

    reviewer, committee = staff[Role.REVIEWER], staff[Role.COMMITTEE]
    gbt = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
    plan = (Case.Status.CONTRACTED, 200, 20, 2, row[7], row[8])
    case = _case(org, cb, gbt, Case.Status.CONTRACTED, plan, reviewer, staff[Role.CB_ADMIN])
    issued_on = row[10]
    leader = team[1] if row[5] in {"pengda", "jinmen"} else team[0]
    start, sites = issued_on - timedelta(days=40), f"{org.name}总部（{org.address}）"
    _to_audit(case, (leader,), start, sites, reviewer, leader.user)
    _score_like_self(case, leader.user)
    case.refresh_from_db()
    reached = assessment_score(case.audit.assessment).result.level.value
    wanted = row[9]
    level = wanted if RANK[wanted] <= RANK.get(reached, 0) else reached
    reporting.report_issue(
        case=case,
        conclusion="售后服务体系基本完整并有效运行，建议按审核得分对应等级认证。",
        recommended_level=level,
        recommendation_reason="" if level == reached else "企业申请按该等级认证，未申请更高等级。",
        by=leader.user,
    )
    decisions.decision_record(
        no_conflict=True, case=case, outcome="approve", reasons="审核结论与证据一致；同意批准。", by=committee
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def load(*, stdout) -> None:
    cb = Organisation.objects.filter(name=CB_NAME, kind=Organisation.Kind.CERTIFICATION_BODY).first()
    if cb is None:
        stdout.write("Certificate demo skipped: load the base demo first.")
        return
    staff = {m.role: m.user for m in cb.memberships.select_related("user")}
    cb_admin = staff[Role.CB_ADMIN]
    team = list(Auditor.objects.filter(cb=cb).select_related("user").order_by("id"))
    # 海川: the audits demo decided its case; the CB issues the certificate today
    haichuan = Case.objects.filter(enterprise__name="杭州海川家电有限公司", cb=cb, status=Case.Status.DECIDED).first()
    if haichuan is not None and not Certificate.objects.filter(enterprise=haichuan.enterprise).exists():
        decision = haichuan.decisions.order_by("-decided_at", "-id").first()
        c = versions.certificate_issue(decision=decision, by=cb_admin)
        stdout.write(f"  certificate {c.number} 杭州海川家电有限公司: {c.status}, {c.level}")
    for name, row in CERTIFIED.items():
        org = _enterprise(name, row)
        if Certificate.objects.filter(enterprise=org).exists():
            stdout.write(f"Certificate of {name}: already loaded.")
            continue
        case = _decided(org, row, cb=cb, staff=staff, team=team)
        decision = case.decisions.order_by("-decided_at", "-id").first()
        certificate = versions.certificate_issue(decision=decision, by=cb_admin, today=row[10])
        for status, on, reason in row[11]:
            if status == CS.EXPIRED:
                services.certificate_expire(certificate=certificate, today=certificate.expires_on + timedelta(days=1))
            else:
                action = {
                    CS.SUSPENDED: services.certificate_suspend,
                    CS.WITHDRAWN: services.certificate_withdraw,
                    CS.CANCELLED: services.certificate_cancel,
                }[status]
                action(certificate=certificate, reason=reason, by=cb_admin, effective_on=on)
        certificate.refresh_from_db()
        stdout.write(f"  certificate {certificate.number} {name}: {certificate.status}, {certificate.level}")

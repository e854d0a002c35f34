"""Demo audits: takes the contracted demo cases (`demo.cases.DEMO_CONTRACTED`) further, through the
same services the web uses.

- 杭州海川家电有限公司: decided, approved at five-star (the audit confirms its self-assessment);
- 成都锦程电器销售有限公司: reported (three-star recommended, one minor nonconformity rectified);
- 宁波瑞丰厨电有限公司: in rectification, a major nonconformity overdue and escalated, a minor one answered;
- 青岛海岳电器服务有限公司: audit under way (part of the items scored, an observation);
- 苏州信达家居用品有限公司: planned; the enterprise objected to an auditor, the CB kept them with a reason.

Also registers the CB's auditors (黄敏, 钱浩, 冯燕) with qualifications, and a declared conflict of
interest (冯燕 consulted for 海川 in 2025), so the team picker shows a refusal with its reason.
Idempotent: a case that already has an audit is left as it is.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import Organisation, Role, User
from aftersales.accounts.services import membership_grant
from aftersales.assessments.models import Assessment
from aftersales.audits import decisions, findings, plan, reporting, scoring, steps
from aftersales.audits.auditors import auditor_register, conflict_declare
from aftersales.audits.models import Audit, Auditor
from aftersales.certification.models import Case

ACTOR = "command:load_demo"
DEMO_PASSWORD = "demo-pass-2026"
CB_NAME = "华信认证中心有限公司"

# username, display name, registration, valid until, industries
AUDITORS = [
    ("huangmin", "黄敏", "ASC-2019-0117", date(2028, 6, 30), "家用电器、厨房电器"),
    ("qianhao", "钱浩", "ASC-2021-0342", date(2027, 12, 31), "家用电器、维修服务"),
    ("fengyan", "冯燕", "ASC-2018-0056", date(2027, 3, 31), "家用电器、家居用品"),
]


def _user(cb, username: str, display: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, display_name=display, email=f"{username}@example.cn"
        )
    if user.memberships.exclude(organisation=cb).exists():
        raise ValueError(f"demo user {username} already belongs to another organisation")
    if not user.memberships.filter(organisation=cb, role=Role.AUDITOR).exists():
        membership_grant(user=user, organisation=cb, role=Role.AUDITOR, by_label=ACTOR)
    return user


def _auditors(cb, by) -> dict[str, Auditor]:
    out = {}
    for username, display, registration, until, industries in AUDITORS:
        user = _user(cb, username, display)
        out[username] = Auditor.objects.filter(cb=cb, user=user).first() or auditor_register(
            cb=cb, user=user, registration=registration, valid_until=until, industries=industries, by=by
        )
    return out


def _plan(case, start: date, sites: str, by) -> Audit:
    return plan.audit_plan_save(
        case=case,
        plan=plan.PlanInput(
            mode="on_site",
            start_date=start,
            end_date=start + timedelta(days=1),
            man_days="3",
            sites=sites,
            agenda=[
                {"when": "第 1 天 09:00", "activity": "首次会议，确认审核范围与计划", "who": "审核组、企业管理层"},
                {
                    "when": "第 1 天 10:00",
                    "activity": "文件与记录审核（售后服务手册、投诉与维修记录）",
                    "who": "审核组长",
                },
                {"when": "第 1 天 14:00", "activity": "服务网点现场观察，人员访谈", "who": "审核员"},
                {"when": "第 2 天 09:00", "activity": "顾客回访抽查，满意度核实", "who": "审核组"},
                {"when": "第 2 天 15:00", "activity": "末次会议，通报审核发现", "who": "全体"},
            ],
            sampling=[
                {"item": "5.3.2.1", "size": "20", "what": "近 12 个月投诉处理记录"},
                {"item": "5.2.4.1", "size": "30", "what": "维修工单"},
                {"item": "5.1.2.1", "size": "10", "what": "服务人员资格证书"},
            ],
        ),
        by=by,
    )


def _score_like_self(case, by, *, override: dict | None = None, limit: int | None = None) -> None:
    """The audit's answers start from the enterprise's last finished self-assessment (the team
    confirms or changes each item); `override`: item → (kind, reason)."""
    own = (
        Assessment.objects.filter(enterprise=case.enterprise, kind="self", status="finished")
        .order_by("-finished_at")
        .first()
    )
    audit = Audit.objects.get(case=case)
    answers = list(own.answers.order_by("id")) if own else []
    for n, a in enumerate(answers):
        if limit is not None and n >= limit:
            break
        kind, reason = (override or {}).get(a.item_code, (a.kind, a.reason))
        scoring.audit_answer_save(
            audit=audit,
            item_code=a.item_code,
            kind=kind,
            sampled=a.sampled if kind == "sampled" else None,
            nonconforming=a.nonconforming if kind == "sampled" else None,
            awarded=a.awarded if kind == "partial" else None,
            reason=reason,
            note="现场核实：查阅记录并访谈相关人员" if n % 7 == 0 else "",
            expected_version=0,
            by=by,
        )


def _to_audit(case, team, start, sites, reviewer, leader_user) -> Audit:
    _plan(case, start, sites, reviewer)
    plan.team_set(case=case, leader=team[0], members=list(team[1:]), by=reviewer)
    plan.plan_send(case=case, by=reviewer)
    steps.review_start(case=case, by=leader_user)
    steps.audit_start(case=case, by=leader_user)
    return Audit.objects.get(case=case)


@transaction.atomic
def load(*, stdout) -> None:
    from aftersales.demo.cases import DEMO_CONTRACTED

    cb = Organisation.objects.filter(name=CB_NAME, kind=Organisation.Kind.CERTIFICATION_BODY).first()
    if cb is None:
        stdout.write("Audit demo skipped: load the base demo first.")
        return
    staff = {m.role: m.user for m in cb.memberships.select_related("user")}
    reviewer, committee = staff[Role.REVIEWER], staff[Role.COMMITTEE]
    auditors = _auditors(cb, staff[Role.CB_ADMIN])
    team = (auditors["huangmin"], auditors["qianhao"], auditors["fengyan"])
    fengyan = team[2]
    haichuan = Organisation.objects.get(name=DEMO_CONTRACTED[0])
    if not fengyan.conflicts.filter(enterprise=haichuan).exists():
        conflict_declare(
            auditor=fengyan,
            enterprise=haichuan,
            kind="consulting",
            start=date(2025, 3, 1),
            end=date(2025, 8, 31),
            note="为其售后服务体系建设提供咨询",
            by=staff[Role.CB_ADMIN],
        )
    today = timezone.localdate()
    cases = []
    for name in DEMO_CONTRACTED:
        case = Case.objects.filter(enterprise__name=name, cb=cb).order_by("-created_at").first()
        if case is None or case.status != Case.Status.CONTRACTED or Audit.objects.filter(case=case).exists():
            stdout.write(f"Audit of {name}: already loaded or not contracted, left as it is.")
            cases.append(None)
            continue
        cases.append(case)
    steps = [_decided, _reported, _rectification, _audit, _planned, _document_review]
    for case, step in zip(cases, steps, strict=False):
        if case is not None:
            step(
                case,
                reviewer=reviewer,
                committee=committee,
                people=tuple(a.user for a in team),
                team=team,
                today=today,
            )
            case.refresh_from_db()
            stdout.write(f"  audit of {case.enterprise.name} ({case.reference}): {case.status}")


def _decided(case, *, reviewer, committee, people, team, today):
    hm, sl, _wj = people
    _to_audit(
        case,
        (team[0], team[1]),
        today - timedelta(days=42),
        "杭州总部（西湖区文三路 398 号）\n城西服务网点\n萧山服务网点",
        reviewer,
        hm,
    )
    _score_like_self(case, hm)
    audit = Audit.objects.get(case=case)
    findings.finding_raise(
        audit=audit, item_code="5.3.1.1", grade="observation", description="回访话术可进一步统一，建议纳入培训", by=sl
    )
    scoring.audit_special_add(audit=audit, type="bonus", reason="自建备件共享平台，偏远网点 24 小时到件", by=hm)
    reporting.report_issue(
        case=case,
        conclusion="售后服务体系完整并有效运行；文件、记录与现场一致；未发现不符合项，一项观察项。建议按五星级认证。",
        recommended_level="five_star",
        by=hm,
    )
    decisions.decision_record(
        no_conflict=True,
        case=case,
        outcome="approve",
        reasons="审核结论与证据充分一致，审核组独立于企业；同意按五星级批准认证。",
        by=committee,
    )


def _reported(case, *, reviewer, committee, people, team, today):
    hm, sl, _wj = people
    _to_audit(
        case,
        (team[0], team[1]),
        today - timedelta(days=30),
        "成都门店及售后服务中心（武侯区人民南路四段 12 号）",
        reviewer,
        hm,
    )
    _score_like_self(case, hm)
    audit = Audit.objects.get(case=case)
    nc = findings.finding_raise(
        audit=audit, item_code="5.1.4.2", grade="minor", description="适用法规清单未包含最新修订的三包规定", by=hm
    )
    findings.rectification_start(case=case, by=hm, today=today - timedelta(days=25))
    wangfang = User.objects.get(username="wangfang")
    findings.finding_answer(
        finding=nc,
        cause="法规清单未设定定期更新责任人",
        correction="已更新清单并组织全员学习",
        corrective_action="指定法务专员每季度核对法规更新",
        by=wangfang,
    )
    findings.finding_verify(finding=nc, accept=True, reason="已查阅更新后的清单及培训签到表", by=sl)
    reporting.report_issue(
        case=case,
        conclusion="售后服务体系基本完整并运行；一项一般不符合项已整改并验证关闭。建议按三星级认证。",
        recommended_level="three_star",
        by=hm,
    )


def _rectification(case, *, reviewer, committee, people, team, today):
    hm, sl, _wj = people
    _to_audit(case, (team[0], team[1]), today - timedelta(days=50), "宁波总部（鄞州区）\n江北服务网点", reviewer, hm)
    _score_like_self(case, hm, override={"5.2.4.1": ("nonconform", "维修工单缺少客户签字确认")})
    audit = Audit.objects.get(case=case)
    findings.finding_raise(
        audit=audit, item_code="5.2.4.1", grade="major", description="30 份维修工单中 9 份无客户签字确认", by=hm
    )
    minor = findings.finding_raise(
        audit=audit, item_code="5.3.2.1", grade="minor", description="2 起投诉超过承诺时限未升级处理", by=sl
    )
    findings.rectification_start(case=case, by=hm, today=today - timedelta(days=40))
    admin = case.enterprise.memberships.filter(role=Role.ENTERPRISE_ADMIN).first().user
    findings.finding_answer(
        finding=minor,
        cause="升级规则只在制度中，系统未提醒",
        correction="两起投诉已回访并补偿",
        corrective_action="投诉系统增加超时自动升级",
        by=admin,
    )
    findings.overdue_escalate(case=case, today=today, by_label=ACTOR)


def _audit(case, *, reviewer, committee, people, team, today):
    hm, sl, _wj = people
    _to_audit(
        case,
        (team[0], team[1]),
        today - timedelta(days=1),
        "青岛服务中心（市南区）\n黄岛服务网点\n城阳服务网点",
        reviewer,
        hm,
    )
    _score_like_self(case, hm, limit=20)
    audit = Audit.objects.get(case=case)
    findings.finding_raise(
        audit=audit, item_code="5.1.3.3", grade="observation", description="备件库温湿度记录偶有缺失", by=sl
    )


def _document_review(case, *, reviewer, committee, people, team, today):
    _plan(case, today + timedelta(days=3), "南京总部（建邺区江东中路 311 号）\n江宁服务网点\n浦口服务网点", reviewer)
    plan.team_set(case=case, leader=team[1], members=[team[0]], by=reviewer)
    plan.plan_send(case=case, by=reviewer)
    steps.review_start(case=case, by=people[1])


def _planned(case, *, reviewer, committee, people, team, today):
    _plan(case, today + timedelta(days=14), "苏州总部（工业园区）\n吴中服务网点", reviewer)
    plan.team_set(case=case, leader=team[2], members=[team[1]], by=reviewer)
    plan.plan_send(case=case, by=reviewer)
    admin = case.enterprise.memberships.filter(role=Role.ENTERPRISE_ADMIN).first().user
    member = Audit.objects.get(case=case).team.get(auditor=team[2])
    objection = plan.objection_raise(case=case, member=member, reason="该审核员曾参加我司竞争对手的审核", by=admin)
    plan.objection_answer(
        objection=objection,
        keep=True,
        reason="审核员与贵司及竞争对手均无咨询或雇佣关系，利益冲突申报已核查",
        by=reviewer,
    )

"""Demo data: one certification body, three enterprises at different levels, a user for every role;
then (demo/*.py) more enterprises, cases, audits, certificates and every enterprise's service records.

Idempotent: run it again and nothing changes. Everything goes through the same services the web
uses, so the demo also exercises them (events included).
"""

from datetime import date

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from aftersales.accounts.models import Organisation, Role, User
from aftersales.accounts.services import membership_grant, organisation_create
from aftersales.assessments import services as assessments
from aftersales.assessments.models import Assessment
from aftersales.core import credit_code
from aftersales.schemes.models import SchemeVersion

DEMO_PASSWORD = "demo-pass-2026"
ACTOR = "command:load_demo"

CB = {"name": "华信认证中心有限公司", "region": "北京市", "address": "北京市海淀区知春路 56 号"}

# (name, credit-code stem of 8 digits, region, industry, address, registered)
ENTERPRISES = {
    "haichuan": (
        "杭州海川家电有限公司",
        "91330106",
        "浙江省杭州市",
        "家用电器制造",
        "杭州市西湖区文三路 398 号",
        date(2009, 4, 16),
    ),
    "jincheng": (
        "成都锦程电器销售有限公司",
        "91510107",
        "四川省成都市",
        "家用电器零售",
        "成都市武侯区人民南路四段 12 号",
        date(2014, 9, 3),
    ),
    "hengtai": (
        "佛山市顺德区恒泰厨具有限公司",
        "91440606",
        "广东省佛山市",
        "厨房电器制造",
        "佛山市顺德区容桂街道华口大道 8 号",
        date(2019, 11, 20),
    ),
}

# username, display name, organisation key, role
USERS = [
    ("zhangwei", "张伟", "haichuan", Role.ENTERPRISE_ADMIN),
    ("lina", "李娜", "haichuan", Role.ENTERPRISE_MEMBER),
    ("wangfang", "王芳", "jincheng", Role.ENTERPRISE_ADMIN),
    ("zhaolei", "赵磊", "hengtai", Role.ENTERPRISE_ADMIN),
    ("chenjing", "陈静", "cb", Role.CB_ADMIN),
    ("liuyang", "刘洋", "cb", Role.REVIEWER),
    ("huangmin", "黄敏", "cb", Role.AUDITOR),
    ("zhouqiang", "周强", "cb", Role.COMMITTEE),
]

C = ("conform", None, None, None, "")


def nc(reason: str):
    return ("nonconform", None, None, None, reason)


def sampled(n: int, k: int, reason: str = ""):
    return ("sampled", n, k, None, reason)


def na(reason: str):
    return ("na", None, None, None, reason)


# Answers that differ from "conform", per enterprise; the comments give the resulting level.
PLANS = {
    # 五星 candidate: two small sampling findings and a special bonus.
    "haichuan": {
        "answers": {
            "5.1.2.2": sampled(10, 1, "管理师 9 人，服务管理人员 98 人，应配 10 人"),
            "5.3.2.2": sampled(20, 2, "抽查 20 件投诉，2 件超过承诺时限"),
        },
        "specials": [("bonus", "", "全国 7×24 小时上门服务，2 小时响应承诺公开并兑现")],
    },
    # 三星: gaps in improvement, repair records and return visits; one special deduction.
    "jincheng": {
        "answers": {
            "5.1.6.1": nc("未建立服务数据定期分析机制"),
            "5.3.1.3": nc("回访记录不完整，回访率不足 30%"),
            "5.2.4.1": sampled(10, 4, "10 张维修工单中 4 张无客户签字确认"),
            "5.1.5.1": nc("监督岗位由客服主管兼任"),
            "5.3.2.4": nc("投诉分析未用于改进"),
            "5.2.2.2": na("销售商品无需用户培训"),
        },
        "specials": [("deduction", "own_rules", "未执行本企业退换货制度中的 7 日无理由退货规定（1 起）")],
    },
    # Not yet qualified: the after-sales system is only partly built.
    "hengtai": {
        "answers": {
            "5.1.2.2": nc("无持证售后服务管理师"),
            "5.1.5.1": nc("未设监督职能"),
            "5.1.5.2": nc("无考核奖惩"),
            "5.3.2.1": nc("投诉渠道未公开"),
            "5.3.2.2": sampled(10, 10, "抽查 10 件投诉均无处理记录"),
            "5.3.2.3": nc("无投诉处理结果反馈"),
            "5.3.1.3": nc("未开展回访"),
            "5.1.4.1": nc("无售后服务手册"),
            "5.2.4.1": sampled(8, 5, "8 张维修工单中 5 张信息缺失"),
            "5.1.3.1": nc("无售后服务专项资金"),
        },
        "specials": [],
    },
}


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        call_command("sync_schemes", stdout=self.stdout)
        if Organisation.objects.filter(name=CB["name"]).exists():
            self.stdout.write("Demo organisations already loaded.")
        else:
            self._load()
        # each part is idempotent and goes through the services the web uses
        from aftersales.demo import audits, cases, certificates, records

        cases.load(stdout=self.stdout)
        audits.load(stdout=self.stdout)
        certificates.load(stdout=self.stdout)
        records.load(stdout=self.stdout)  # every enterprise exists by now, each gets its records
        self._cycle()
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, display, org, role in USERS:
            org_name = CB["name"] if org == "cb" else ENTERPRISES[org][0]
            self.stdout.write(f"  {username:<10} {display}  {Role(role).label}  {org_name}")
        from aftersales.accounts.models import Membership

        listed = {u[0] for u in USERS}
        more = (
            Membership.objects.exclude(user__username__in=listed)
            .select_related("user", "organisation")
            .order_by("organisation__kind", "organisation__name", "user__username")
        )
        for m in more:
            self.stdout.write(
                f"  {m.user.username:<10} {m.user.display_name}  {Role(m.role).label}  {m.organisation.name}"
            )

    def _cycle(self):
        """The daily cycle job once, as `aftersales cycle run` does today: 鹏达's overdue
        surveillances are marked missed (suspension proposed on /cycle/) and the reminders due are
        sent. The job is idempotent, so loading the demo again changes nothing."""
        from aftersales.ops.daily import daily_run

        report, _ = daily_run(by_label=ACTOR)
        self.stdout.write(
            f"Cycle job for {report.today.isoformat()}: expired {len(report.expired)}, "
            f"missed {len(report.missed)} (suspension proposed), reminders {len(report.reminders)}."
        )

    @transaction.atomic
    def _load(self):
        gbt = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
        orgs = {"cb": organisation_create(kind=Organisation.Kind.CERTIFICATION_BODY, by_label=ACTOR, **CB)}
        for key, (name, stem, region, industry, address, registered) in ENTERPRISES.items():
            body = f"{sum(map(ord, key)) * 7919 % 10**8:08d}"  # a fixed, made-up organisation code
            first17 = stem + body + credit_code.org_check_character(body)
            orgs[key] = organisation_create(
                kind=Organisation.Kind.ENTERPRISE,
                name=name,
                credit_code=credit_code.complete(first17),
                region=region,
                industry=industry,
                address=address,
                registered_on=registered,
                by_label=ACTOR,
            )
        users = {}
        for username, display, org, role in USERS:
            user = User.objects.create_user(
                username=username, password=DEMO_PASSWORD, display_name=display, email=f"{username}@example.cn"
            )
            membership_grant(user=user, organisation=orgs[org], role=role, by_label=ACTOR)
            users[org] = users.get(org, user)
        for key, plan in PLANS.items():
            finished = self._assessment(orgs[key], users[key], gbt, plan, title="2026 年度自评")
            if key == "haichuan":
                assessments.assessment_start(
                    enterprise=orgs[key],
                    scheme_version=gbt,
                    by=users[key],
                    title="2027 年度自评（草稿）",
                    baseline=finished,
                )

    def _assessment(self, enterprise, user, scheme_version, plan, *, title) -> Assessment:
        from aftersales.schemes.selectors import scheme_of

        a = assessments.assessment_start(enterprise=enterprise, scheme_version=scheme_version, by=user, title=title)
        for item in scheme_of(scheme_version).items:
            kind, n, k, awarded, reason = plan["answers"].get(item.code, C)
            assessments.answer_save(
                assessment=a,
                item_code=item.code,
                kind=kind,
                sampled=n,
                nonconforming=k,
                awarded=awarded,
                reason=reason,
                expected_version=0,
                by=user,
            )
        for type_, kind, reason in plan["specials"]:
            assessments.special_add(assessment=a, type=type_, kind=kind, reason=reason, by=user)
        return assessments.assessment_finish(assessment=a, by=user)

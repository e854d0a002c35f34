"""One home per concept: the codes a record stores, each with its zh-Hans and en label.

A concept is a `Concept` (a `StrEnum`): its members are the stored codes and carry `text`, the label
users read. The Django models build their choices from these (`aftersales.choices`), documents,
marks, the regulator's workbook and the CLI read the same labels, so a new status is one line here
(and a migration for the model's check constraint). Pure Python: no Django.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType

from .text import Text


class Concept(StrEnum):
    """A stored code with its label: `Member = "code", "中文", "English"` and, where the regulator's
    monthly workbook words it differently, its word there: `…, "English", "监管报表用语"`."""

    text: Text
    short: str  # the regulator workbook's word (the Chinese label unless given)

    def __new__(cls, value: str, zh: str = "", en: str = "", short: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.text = Text(zh or value, en or value)
        member.short = short or member.text.zh
        return member

    def label(self, lang: str | None = None) -> str:
        return self.text.get(lang)

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


# ------------------------------------------------------------------------------ certificates


class CertificateStatus(Concept):
    """A certificate's status. `text` is how the pages, the certificate PDF and the mark say it
    ("已暂停"); `short` is the regulator's word for it in the monthly workbook ("暂停")."""

    VALID = "valid", "有效", "valid", "有效"
    SUSPENDED = "suspended", "已暂停", "suspended", "暂停"
    WITHDRAWN = "withdrawn", "已撤销", "withdrawn", "撤销"
    CANCELLED = "cancelled", "已注销", "cancelled", "注销"
    EXPIRED = "expired", "已过期", "expired", "过期"

    @property
    def is_live(self) -> bool:
        """Valid or suspended: the certificate can still change (and holds its enterprise's slot)."""
        return self in LIVE_STATUSES

    @property
    def stamp(self) -> Text:
        """What a document or mark that is no longer valid is stamped with ("已暂停" / "SUSPENDED")."""
        return Text(self.text.zh, self.text.en.upper())


class VersionReason(Concept):
    """Why a certificate has a new version (the certificate's history and the regulator's
    "change" column)."""

    ISSUE = "issue", "首次发证", "first issue", "初次发证"
    RECERTIFICATION = "recertification", "再认证", "recertification", "再认证换证"
    SURVEILLANCE = "surveillance", "监督审核后等级变更", "level changed after a surveillance audit"
    LEVEL = "level", "等级变更", "change of level"
    SCOPE = "scope", "认证范围变更", "change of scope", "范围变更"
    ADDRESS = "address", "地址变更", "change of address"
    NAME = "name", "名称变更", "change of name"


LIVE_STATUSES = frozenset({CertificateStatus.VALID, CertificateStatus.SUSPENDED})


class SurveillanceStanding(Concept):
    """Where a certificate stands with its surveillance audits on a day (core.cycle.surveillance_state):
    the next one due, one past its date (overdue; missed once the daily job has noted it and proposed
    suspension), or all of the cycle done."""

    DUE = "due", "待监督审核", "surveillance due"
    OVERDUE = "overdue", "监督审核逾期", "surveillance overdue"
    MISSED = "missed", "监督审核逾期未完成", "surveillance missed"
    DONE = "done", "本周期监督审核已完成", "surveillances of the cycle done"


class ProposalState(Concept):
    """The suspension a missed surveillance proposes, and the certification body's answer."""

    PENDING = "pending", "建议暂停，待认证机构决定", "suspension proposed, awaiting the CB's answer"
    SUSPENDED = "suspended", "已按建议暂停", "suspended as proposed"
    WAIVED = "waived", "认证机构决定不暂停", "proposal waived by the CB"
    WITHDRAWN = "withdrawn", "已撤销证书", "certificate withdrawn"


# Which status may follow which; anything else is refused with a message naming both.
_S = CertificateStatus
CERTIFICATE_TRANSITIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        _S.VALID: frozenset({_S.SUSPENDED, _S.WITHDRAWN, _S.CANCELLED, _S.EXPIRED}),
        _S.SUSPENDED: frozenset({_S.VALID, _S.WITHDRAWN, _S.CANCELLED, _S.EXPIRED}),
        _S.WITHDRAWN: frozenset(),
        _S.CANCELLED: frozenset(),
        _S.EXPIRED: frozenset(),
    }
)


class Level(Concept):
    """A level a score reaches (GB/T 27922 "达标" and the star levels), lowest first."""

    FAIL = "fail", "未达标", "not qualified"
    QUALIFIED = "qualified", "达标", "qualified"
    THREE_STAR = "three_star", "三星", "three-star"
    FOUR_STAR = "four_star", "四星", "four-star"
    FIVE_STAR = "five_star", "五星", "five-star"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    @property
    def stars(self) -> int:
        """The stars of the certification mark (0 for 达标)."""
        return {"three_star": 3, "four_star": 4, "five_star": 5}.get(self.value, 0)


_LEVEL_RANK = {level: i for i, level in enumerate(Level)}
LEVEL_TEXT = MappingProxyType({level: level.text for level in Level})
PASSING_LEVELS = tuple(level for level in Level if level is not Level.FAIL)  # what a certificate states


# ------------------------------------------------------------------------------------- cases


class CaseKind(Concept):
    """What a certification case is for."""

    INITIAL = "initial", "初次认证", "initial certification"
    SURVEILLANCE = "surveillance", "监督审核", "surveillance audit"
    RECERTIFICATION = "recertification", "再认证", "recertification"


class CaseStatus(Concept):
    """Where a certification case stands (its transitions: certification/models.py)."""

    DRAFT = "draft", "申请草稿", "draft application", "草稿"
    SUBMITTED = "submitted", "已提交，待评审", "submitted, awaiting review", "已申请，待评审"
    INFO_REQUESTED = "info_requested", "待补充材料", "more information requested", "需补充材料"
    REFUSED = "refused", "不予受理", "application refused", "申请不予受理"
    ACCEPTED = "accepted", "已受理，已发送报价单", "accepted, quotation sent", "已受理"
    CONTRACTED = "contracted", "已签合同", "contract signed"
    PLANNED = "planned", "已策划审核", "audit planned"
    DOCUMENT_REVIEW = "document_review", "文件审核", "document review"
    AUDIT = "audit", "审核", "audit", "审核中"
    RECTIFICATION = "rectification", "整改", "rectification", "整改中"
    REPORTED = "reported", "已提交审核报告，待决定", "audit reported, awaiting decision", "已提交审核报告"
    DECIDED = "decided", "已作出决定", "decided", "已作出认证决定"
    WITHDRAWN = "withdrawn", "已撤回", "withdrawn"


# ---------------------------------------------------------------------------------- scoring


class DeductionKind(Concept):
    """The four kinds of special deduction (特别扣分项, GB/T 27922 clause 6)."""

    LAW = "law", "违反法律法规", "breach of law"
    OWN_RULES = "own_rules", "违反企业服务制度", "breach of own service rules"
    INDUSTRY = "industry", "违反行业要求", "breach of industry requirements"
    DISRUPTION = "disruption", "影响服务体系运行", "disturbs the service system"


# ------------------------------------------------------------------------------ review and audit


class AuditMode(Concept):
    """How an audit is carried out (the CB's review chooses it; the plan states it)."""

    ON_SITE = "on_site", "现场审核", "on-site audit"
    REMOTE = "remote", "远程审核", "remote audit"
    MIXED = "mixed", "现场与远程结合", "mixed (on-site and remote)"


class RiskClass(Concept):
    """The industry risk class the man-day rule reads (core/rules/mandays-default.yaml)."""

    LOW = "low", "低", "low"
    MEDIUM = "medium", "中", "medium"
    HIGH = "high", "高", "high"


# ------------------------------------------------------------------------------------ actors


class SystemActor(Concept):
    """Who acted when no person did: the label an event, an import or a sample stores as its actor
    (stored as it is, hash-chained; a page shows this label instead)."""

    DEMO = "command:load_demo", "演示数据", "demo data"
    CYCLE = "cycle", "证书周期任务", "certificate cycle job"
    CYCLE_JOB = "cycle job", "证书周期任务", "certificate cycle job"
    CYCLE_RUN = "command:cycle run", "证书周期任务（命令行）", "certificate cycle job (command line)"
    ESCALATE = "command:escalate-overdue", "逾期整改升级任务", "overdue rectification escalation"
    REGISTER_SCHEME = "command:register_scheme", "评价方案登记（命令行）", "scheme registration (command line)"
    SYNC_SCHEMES = "command:sync_schemes", "评价方案同步（命令行）", "scheme sync (command line)"
    REGULATOR_REPORT = "command:regulator-report", "监管报表任务", "regulator report job"
    LOGIN_THROTTLE = "login-throttle", "登录限流", "login throttle"
    PASSWORD_RESET_LIMIT = "password-reset-limit", "密码重置限制", "password reset limit"


def actor_text(label: str) -> Text:
    """How a stored actor label reads: a system actor's label, another command as "命令行：name",
    anything else (a user name) as it is."""
    if label in SystemActor._value2member_map_:
        return SystemActor(label).text
    if label.startswith("command:"):
        name = label.removeprefix("command:")
        return Text(f"命令行：{name}", f"command line: {name}")
    return Text(label, label)

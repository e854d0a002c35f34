"""May this enterprise apply for certification? Every rule of domain.md §3, each explained.

Pure Python: the application page, the reviewer's page and the API all call `check`.
Each rule answers pass, fail or not checked (with the reason why it could not be checked),
in zh-Hans and en.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from . import credit_code as cc
from .dates import add_months
from .records.coverage import Coverage
from .scheme import Level
from .text import Text

MANAGER_RATIO_PERCENT = 10


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_CHECKED = "not_checked"


OUTCOME_TEXT = {
    Outcome.PASS: Text("符合", "pass"),
    Outcome.FAIL: Text("不符合", "fail"),
    Outcome.NOT_CHECKED: Text("未核查", "not checked"),
}

KIND_TEXT = {
    "complaint": Text("投诉", "complaints"),
    "work_order": Text("维修工单", "repair work orders"),
    "return_visit": Text("回访", "return visits"),
}


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    title: Text
    outcome: Outcome
    explanation: Text

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS


@dataclass(frozen=True, slots=True)
class Facts:
    """What the check looks at. None = not known (the rule is then failed or not checked, as it says)."""

    as_of: date
    credit_code: str | None
    registered_on: date | None
    system_effective_on: date | None
    system_months_required: int
    service_management_staff: int | None
    managers: int
    declared_no_incident: bool
    declared_not_blacklisted: bool
    # None with a reason = the records capability could not be asked
    coverage: Coverage | None
    coverage_not_checked: Text | None = None
    last_level: Level | None = None
    last_assessment_on: date | None = None


@dataclass(frozen=True, slots=True)
class Result:
    rules: tuple[Rule, ...]

    @property
    def ok(self) -> bool:
        """True when no rule failed (rules not checked do not block; the reviewer sees them)."""
        return all(r.outcome is not Outcome.FAIL for r in self.rules)

    @property
    def failed(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.outcome is Outcome.FAIL)

    def as_data(self) -> list[dict]:
        """The rules as JSON-native data (what a submitted application keeps)."""
        return [
            {
                "code": r.code,
                "title": r.title.as_dict(),
                "outcome": r.outcome.value,
                "explanation": r.explanation.as_dict(),
            }
            for r in self.rules
        ]

    @classmethod
    def from_data(cls, rules: list[dict]) -> Result:
        def text(d: dict) -> Text:
            return Text(d["zh-Hans"], d["en"])

        return cls(
            tuple(Rule(r["code"], text(r["title"]), Outcome(r["outcome"]), text(r["explanation"])) for r in rules)
        )


def managers_required(staff: int) -> int:
    """售后服务管理师 required: max(1, ceil(10 % × service-management staff)), exactly (integers)."""
    if staff < 0:
        raise ValueError("a headcount cannot be negative")
    return max(1, -(-staff * MANAGER_RATIO_PERCENT // 100))  # integer ceiling: no float on the way


def _rule(code: str, title: Text, outcome: Outcome, zh: str, en: str) -> Rule:
    return Rule(code, title, outcome, Text(zh, en))


def check(f: Facts) -> Result:
    """Every rule, in a fixed order."""
    return Result(
        (
            _credit_code(f),
            _registered(f),
            _system_running(f),
            _managers(f),
            _declarations(f),
            _records(f),
            _self_assessment(f),
        )
    )


def _credit_code(f: Facts) -> Rule:
    title = Text("统一社会信用代码有效", "valid unified social credit code")
    if not f.credit_code:
        return _rule(
            "credit_code", title, Outcome.FAIL, "未填写统一社会信用代码", "no unified social credit code given"
        )
    found = cc.problems(f.credit_code)
    if found:
        return Rule(
            "credit_code",
            title,
            Outcome.FAIL,
            Text("；".join(p.message("zh-Hans") for p in found), "; ".join(p.message("en") for p in found)),
        )
    code = cc.normalise(f.credit_code)
    return _rule(
        "credit_code", title, Outcome.PASS, f"{code} 格式与校验码正确", f"{code} is well-formed and both checks pass"
    )


def _registered(f: Facts) -> Rule:
    title = Text("依法注册满 1 年", "registered for at least 1 year")
    if f.registered_on is None:
        return _rule("registered", title, Outcome.FAIL, "未填写注册日期", "the registration date is not given")
    since = add_months(f.registered_on, 12)
    if f.as_of >= since:
        return _rule(
            "registered",
            title,
            Outcome.PASS,
            f"{f.registered_on} 注册，至 {f.as_of} 已满 1 年",
            f"registered on {f.registered_on}: a year or more by {f.as_of}",
        )
    return _rule(
        "registered",
        title,
        Outcome.FAIL,
        f"{f.registered_on} 注册，{since} 起方满 1 年",
        f"registered on {f.registered_on}: one year is reached on {since}",
    )


def _system_running(f: Facts) -> Rule:
    n = f.system_months_required
    title = Text(f"售后服务体系运行满 {n} 个月", f"after-sales system running for at least {n} months")
    if f.system_effective_on is None:
        return _rule(
            "system_running", title, Outcome.FAIL, "未填写体系实施日期", "the date the system took effect is not given"
        )
    since = add_months(f.system_effective_on, n)
    if f.as_of >= since:
        return _rule(
            "system_running",
            title,
            Outcome.PASS,
            f"{f.system_effective_on} 起实施，至 {f.as_of} 已满 {n} 个月",
            f"in effect since {f.system_effective_on}: {n} months or more by {f.as_of}",
        )
    return _rule(
        "system_running",
        title,
        Outcome.FAIL,
        f"{f.system_effective_on} 起实施，{since} 方满 {n} 个月",
        f"in effect since {f.system_effective_on}: {n} months are reached on {since}",
    )


def _managers(f: Facts) -> Rule:
    title = Text(
        "售后服务管理师配备（不少于服务管理人员的 10%，至少 1 名）",
        "after-sales service managers (certified): at least 10 % of service-management staff, at least 1",
    )
    if f.service_management_staff is None:
        return _rule(
            "managers", title, Outcome.FAIL, "未填写服务管理人员人数", "the service-management headcount is not given"
        )
    need = managers_required(f.service_management_staff)
    staff, have = f.service_management_staff, f.managers
    zh = f"服务管理人员 {staff} 人，需管理师 {need} 名，现有 {have} 名"
    en = f"{staff} service-management staff need {need} certified managers; {have} listed"
    return _rule("managers", title, Outcome.PASS if have >= need else Outcome.FAIL, zh, en)


def _declarations(f: Facts) -> Rule:
    title = Text(
        "声明：近 12 个月无重大质量安全事故、群体投诉、行政处罚；未列入失信名单",
        "declarations: no major accident, mass complaint or administrative penalty in 12 months; not blacklisted",
    )
    missing_zh, missing_en = [], []
    if not f.declared_no_incident:
        missing_zh.append("近 12 个月无重大事故、群体投诉、行政处罚")
        missing_en.append("no major accident, mass complaint or penalty in the past 12 months")
    if not f.declared_not_blacklisted:
        missing_zh.append("未列入失信名单")
        missing_en.append("not on a credit blacklist")
    if missing_zh:
        return _rule(
            "declarations",
            title,
            Outcome.FAIL,
            "尚未声明：" + "；".join(missing_zh),
            "not declared yet: " + "; ".join(missing_en),
        )
    return _rule("declarations", title, Outcome.PASS, "均已声明", "both declared")


def _records(f: Facts) -> Rule:
    title = Text(
        "服务记录完整可追溯（投诉、维修工单、回访）",
        "complete, traceable service records (complaints, work orders, return visits)",
    )
    if f.coverage is None:
        why = f.coverage_not_checked or Text("无服务记录数据", "no service records available")
        return Rule("records", title, Outcome.NOT_CHECKED, why)
    cov = f.coverage
    months = f"{cov.months[0]}…{cov.months[-1]}" if cov.months else "-"
    visits = _visit_share(cov)
    if cov.ok:
        return _rule(
            "records",
            title,
            Outcome.PASS,
            f"{months} 每月均有各类记录；{visits.zh}",
            f"every month {months} has records of every kind; {visits.en}",
        )
    zh = [f"{KIND_TEXT.get(k, Text(k, k)).zh}缺 {', '.join(m)}" for k, m in cov.missing.items()]
    en = [f"{KIND_TEXT.get(k, Text(k, k)).en} missing for {', '.join(m)}" for k, m in cov.missing.items()]
    if not cov.visits_enough:
        zh.append(visits.zh)
        en.append(visits.en)
    return _rule("records", title, Outcome.FAIL, "；".join(zh), "; ".join(en))


def _visit_share(cov: Coverage) -> Text:
    """The return visits against the work orders and complaints of the months checked, and the
    share the CB's policy asks for (docs/policy.md: eligibility.return_visit_percent)."""
    share = cov.visit_percent
    required = cov.visit_percent_required
    if share is None:
        return Text("同期无维修工单和投诉，回访比例不适用", "no work orders or complaints in those months to visit")
    shown = cov.visit_percent_text
    return Text(
        f"回访 {cov.visits} 次，为同期维修工单和投诉 {cov.followed} 件的 {shown}%（要求不低于 {required}%）",
        f"{cov.visits} return visits for {cov.followed} work orders and complaints: {shown} % "
        f"(at least {required} % required)",
    )


def _self_assessment(f: Facts) -> Rule:
    title = Text("最近一次自评达到达标", "the last self-assessment reaches qualified")
    if f.last_level is None:
        return _rule("self_assessment", title, Outcome.FAIL, "尚无已完成的自评", "no finished self-assessment yet")
    when_zh = f"（{f.last_assessment_on}）" if f.last_assessment_on else ""
    when_en = f" ({f.last_assessment_on})" if f.last_assessment_on else ""
    level = f.last_level.text
    if f.last_level.rank >= Level.QUALIFIED.rank:
        return _rule(
            "self_assessment",
            title,
            Outcome.PASS,
            f"最近一次自评{when_zh}：{level.zh}",
            f"last self-assessment{when_en}: {level.en}",
        )
    return _rule(
        "self_assessment",
        title,
        Outcome.FAIL,
        f"最近一次自评{when_zh}：{level.zh}",
        f"last self-assessment{when_en}: {level.en}",
    )

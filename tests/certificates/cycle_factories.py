"""Surveillance and recertification cases pushed through the real steps (contract, plan, team,
document review, audit, scoring, report, decision), for the cycle tests."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from aftersales.audits import decisions, plan, reporting, steps
from aftersales.certification.cases import case_transition
from aftersales.certification.models import Case
from aftersales.certification.review import contract_record
from tests.audits.factories import auditor_of, plan_input, score_all
from tests.policy import policy_installed

S = Case.Status


def decide(world, case: Case, *, outcome: str = "approve", level: str = "", reasons: str = "监督审核结论可信"):
    """Bring an accepted (or draft) case to decided with `outcome`; the audit on today's date."""
    p = world["people"]
    if case.status == S.DRAFT:  # a recertification application: the pre-audit steps as transitions
        for to in (S.SUBMITTED, S.ACCEPTED):
            case_transition(case=case, to=to, action="test", by_label="test")
        case.refresh_from_db()
    today = timezone.localdate()
    contract_record(case=case, signed_on=today, signed_by="张伟", by=p["reviewer"])
    plan.audit_plan_save(
        case=case, plan=plan_input(start_date=today - timedelta(days=1), end_date=today), by=p["reviewer"]
    )
    with policy_installed({"impartiality.max_consecutive_leads": 10**6}):
        plan.team_set(case=case, leader=auditor_of(world), members=[], by=p["reviewer"])
    plan.plan_send(case=case, by=p["reviewer"])
    steps.review_start(case=case, by=p["auditor"])
    steps.audit_start(case=case, by=p["auditor"])
    score_all(case, p["auditor"])
    reporting.report_issue(case=case, conclusion="体系运行有效", recommended_level="five_star", by=p["auditor"])
    decision = decisions.decision_record(
        no_conflict=True, case=case, outcome=outcome, level=level, reasons=reasons, by=p["committee"]
    )
    case.refresh_from_db()
    return decision


def on(day: date):
    """time_machine travel to noon (local) of `day`, not ticking."""
    import time_machine

    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)

"""Cases at any audit stage, built with the services (the certification steps before
"contracted" are plain transitions, as the contract allows)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from aftersales.audits import auditors, decisions, findings, plan, reporting, steps
from aftersales.audits.models import Audit, Auditor
from aftersales.certification.cases import case_reference_next, case_transition
from aftersales.certification.models import Case
from aftersales.schemes.selectors import scheme_of
from tests.policy import policy_installed

S = Case.Status
ORDER = [S.CONTRACTED, S.PLANNED, S.DOCUMENT_REVIEW, S.AUDIT, S.RECTIFICATION, S.REPORTED, S.DECIDED]
START = date(2026, 12, 7)


def auditor_of(world, name: str = "auditor") -> Auditor:
    user = world["people"][name]
    found = Auditor.objects.filter(user=user).first()
    if found:
        return found
    return auditors.auditor_register(
        cb=world["cb"], user=user, registration=f"ASC-{user.pk:04d}", valid_until=date(2029, 12, 31), by=user
    )


def contracted_case(world, enterprise=None) -> Case:
    with transaction.atomic():
        case = Case.objects.create(
            reference=case_reference_next(2026),
            enterprise=enterprise or world["enterprise"],
            cb=world["cb"],
            scheme_version=world["gbt"],
            created_by=world["people"]["ent_admin"],
        )
    for to in (S.SUBMITTED, S.ACCEPTED, S.CONTRACTED):
        case_transition(case=case, to=to, action="test", by_label="test")
    return case


def plan_input(**over) -> plan.PlanInput:
    values = {
        "mode": "on_site",
        "start_date": START,
        "end_date": date(2026, 12, 8),
        "man_days": "2",
        "sites": "总部（杭州市西湖区）\n城西服务网点",
        "agenda": [{"when": "12-07 09:00", "activity": "首次会议", "who": "全体"}],
        "sampling": [{"item": "5.3.2.1", "size": "20", "what": "投诉记录"}],
    }
    values.update(over)
    return plan.PlanInput(**values)


def score_all(case: Case, by, *, kind: str = "conform") -> None:
    """Every item of the audit answered at version 1 (rows written directly, for speed: the
    per-item service is tested on its own)."""
    from aftersales.assessments.models import Answer

    audit = case.audit
    audit.refresh_from_db()
    rows = []
    for item in scheme_of(case.scheme_version).items:
        k = "partial" if item.partial and kind == "conform" else kind
        rows.append(
            Answer(
                assessment=audit.assessment,
                item_code=item.code,
                kind=k,
                awarded=Decimal(item.points.numerator) / item.points.denominator if k == "partial" else None,
                updated_by=by,
            )
        )
    Answer.objects.bulk_create(rows)


def case_at(world, status: str, *, with_nc: bool = True, enterprise=None) -> Case:
    """A case of 甲企业 brought to `status` with the persona "auditor" as team leader; with_nc: one
    minor nonconformity on 5.1.1.1 (rectified when the case passes rectification)."""
    p = world["people"]
    leader = auditor_of(world)
    auditor_of(world, "auditor_other")  # registered, never assigned
    case = contracted_case(world, enterprise)
    stop = ORDER.index(status)
    if stop >= 0:
        plan.audit_plan_save(case=case, plan=plan_input(), by=p["reviewer"])
        # many audits of one client led by one auditor: the rotation rule is tested on its own
        with policy_installed({"impartiality.max_consecutive_leads": 10**6}):
            plan.team_set(case=case, leader=leader, members=[], by=p["reviewer"])
    if stop >= 1:
        plan.plan_send(case=case, by=p["reviewer"])
    if stop >= 2:
        steps.review_start(case=case, by=p["auditor"])
    if stop >= 3:
        today = timezone.localdate()
        if today < START + timedelta(days=1):  # a test at an earlier date: the audit ends today
            Audit.objects.filter(case=case).update(start_date=today - timedelta(days=1), end_date=today)
        steps.audit_start(case=case, by=p["auditor"])
        score_all(case, p["auditor"])
        if with_nc:
            findings.finding_raise(
                audit=case.audit, item_code="5.1.1.1", grade="minor", description="岗位职责未发布", by=p["auditor"]
            )
    if stop >= 4 and with_nc:
        findings.rectification_start(case=case, by=p["auditor"])
    if stop >= 5:
        if with_nc:
            nc = case.audit.findings.get()
            findings.finding_answer(
                finding=nc, cause="疏漏", correction="已发布", corrective_action="建立审批", by=p["ent_member"]
            )
            findings.finding_verify(finding=nc, accept=True, reason="", by=p["auditor"])
        reporting.report_issue(case=case, conclusion="体系运行有效", recommended_level="five_star", by=p["auditor"])
    if stop >= 6:
        decisions.decision_record(
            no_conflict=True, case=case, outcome="approve", reasons="材料齐全，结论可信", by=p["committee"]
        )
    case.refresh_from_db()
    return case

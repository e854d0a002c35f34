"""The audit services: each step, each refusal (with nothing changed), the picker, the decision."""

import hashlib
from datetime import date, timedelta

import pytest

from aftersales.accounts.models import Role
from aftersales.accounts.services import membership_grant
from aftersales.assessments.models import Assessment
from aftersales.audits import auditors, decisions, findings, plan, reporting, scoring, steps
from aftersales.audits.models import Audit, AuditReport, Decision, Objection, TeamMember
from aftersales.audits.services import AuditRefused
from aftersales.certification.cases import TransitionRefused, case_chain_breaks
from aftersales.certification.models import Case, CaseEvent
from aftersales.core.chain import canonical

from .factories import ORDER, auditor_of, case_at, contracted_case, plan_input

pytestmark = pytest.mark.django_db
S = Case.Status


def snapshot(case):
    case.refresh_from_db()
    return (case.status, case.event_count, case.head_hash)


def refused(fn, case, exc=(AuditRefused, TransitionRefused), match=None):
    before = snapshot(case)
    with pytest.raises(exc) as info:
        fn()
    assert snapshot(case) == before
    if match:
        assert match in str(info.value)
    return str(info.value)


# ------------------------------------------------------------------------------------- plan


def test_it_saves_the_plan_with_agenda_and_sampling(world):
    case = contracted_case(world)
    audit = plan.audit_plan_save(case=case, plan=plan_input(), by=world["people"]["reviewer"])
    assert audit.site_list() == ["总部（杭州市西湖区）", "城西服务网点"]
    assert audit.sampling == [{"item": "5.3.2.1", "size": 20, "what": "投诉记录"}]
    assert audit.man_days == 2
    assert case.events.last().action == "audit.plan_saved" and not case.events.last().public


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"end_date": date(2026, 12, 6)}, "last day"),
        ({"start_date": None}, "first and last day"),
        ({"agenda": [{"when": "9:00", "activity": ""}]}, "Agenda row 1"),
        ({"sampling": [{}, {"item": "9.9.9", "size": "3"}]}, "Sampling row 2"),
        ({"sampling": [{"item": "5.3.2.1", "size": "0"}]}, "Sampling row 1"),
        ({"man_days": "1.3"}, "0.5"),
        ({"sites": "  \n"}, "site"),
        ({"mode": "carrier-pigeon"}, "mode"),
    ],
)
def test_it_refuses_a_bad_plan_naming_the_row_and_field(world, over, message):
    case = contracted_case(world)
    refused(
        lambda: plan.audit_plan_save(case=case, plan=plan_input(**over), by=world["people"]["reviewer"]),
        case,
        match=message,
    )
    assert not Audit.objects.filter(case=case).exists()


def test_it_refuses_to_plan_a_case_that_is_not_contracted(world):
    case = case_at(world, S.PLANNED)
    refused(
        lambda: plan.audit_plan_save(case=case, plan=plan_input(man_days="9"), by=world["people"]["reviewer"]), case
    )
    assert str(Audit.objects.get(case=case).man_days) == "2.0"


# ----------------------------------------------------------------------------------- picker


def test_it_refuses_an_auditor_with_a_declared_conflict_and_changes_nothing(world):
    case = contracted_case(world)
    p = world["people"]
    plan.audit_plan_save(case=case, plan=plan_input(), by=p["reviewer"])
    a = auditor_of(world)
    auditors.conflict_declare(
        auditor=a,
        enterprise=world["enterprise"],
        kind="consulting",
        start=date(2023, 1, 1),
        end=date(2025, 6, 30),
        by=p["cb_admin"],
    )
    message = refused(lambda: plan.team_set(case=case, leader=a, members=[], by=p["reviewer"]), case)
    assert "consulting" in message or "咨询" in message
    assert not TeamMember.objects.filter(audit__case=case).exists()
    verdicts = dict((x.pk, v) for x, v in auditors.picker(case, [a, auditor_of(world, "auditor_other")]))
    assert not verdicts[a.pk].allowed and verdicts[auditor_of(world, "auditor_other").pk].allowed


def test_it_refuses_who_led_the_clients_last_two_audits(world):
    for _ in range(2):
        case_at(world, S.PLANNED)
    case = contracted_case(world)
    p = world["people"]
    plan.audit_plan_save(case=case, plan=plan_input(), by=p["reviewer"])
    message = refused(lambda: plan.team_set(case=case, leader=auditor_of(world), members=[], by=p["reviewer"]), case)
    assert "2" in message
    plan.team_set(
        case=case, leader=auditor_of(world, "auditor_other"), members=[auditor_of(world)], by=p["reviewer"]
    ) if False else None


def test_it_refuses_an_auditor_of_another_certification_body_or_an_expired_one(world):
    case = contracted_case(world)
    p = world["people"]
    plan.audit_plan_save(case=case, plan=plan_input(), by=p["reviewer"])
    a = auditor_of(world)
    a.valid_until = date(2026, 1, 1)
    a.save()
    refused(lambda: plan.team_set(case=case, leader=a, members=[], by=p["reviewer"]), case, match="2026-01-01")


def test_it_registers_only_users_with_the_auditor_role(world):
    with pytest.raises(AuditRefused):
        auditors.auditor_register(
            cb=world["cb"],
            user=world["people"]["reviewer"],
            registration="X",
            valid_until=date(2030, 1, 1),
            by=world["people"]["cb_admin"],
        )


def test_it_refuses_a_conflict_that_ends_before_it_starts(world):
    with pytest.raises(AuditRefused):
        auditors.conflict_declare(
            auditor=auditor_of(world),
            enterprise=world["enterprise"],
            kind="other",
            start=date(2025, 1, 1),
            end=date(2024, 1, 1),
            by=world["people"]["cb_admin"],
        )


# ------------------------------------------------------------------------------ transitions


def test_it_sends_the_plan_to_the_enterprise(world):
    case = case_at(world, S.PLANNED)
    event = case.events.get(action="audit.plan_sent")
    assert event.public and event.to_status == S.PLANNED
    assert event.data["team"][0]["role"] == "leader"


def test_it_refuses_to_send_a_plan_without_a_leader(world):
    case = contracted_case(world)
    plan.audit_plan_save(case=case, plan=plan_input(), by=world["people"]["reviewer"])
    refused(lambda: plan.plan_send(case=case, by=world["people"]["reviewer"]), case, match="leader")


STEPS = {
    "plan_send": lambda case, p: plan.plan_send(case=case, by=p["reviewer"]),
    "review_start": lambda case, p: steps.review_start(case=case, by=p["auditor"]),
    "audit_start": lambda case, p: steps.audit_start(case=case, by=p["auditor"]),
    "rectification_start": lambda case, p: findings.rectification_start(case=case, by=p["auditor"]),
    "report_issue": lambda case, p: reporting.report_issue(
        case=case, conclusion="x", recommended_level="qualified", by=p["auditor"]
    ),
    "decision_record": lambda case, p: decisions.decision_record(
        no_conflict=True, case=case, outcome="refuse", reasons="x", by=p["committee"]
    ),
}
ALLOWED_FROM = {
    "plan_send": {S.CONTRACTED},
    "review_start": {S.PLANNED},
    "audit_start": {S.DOCUMENT_REVIEW},
    "rectification_start": {S.AUDIT},
    "report_issue": {S.AUDIT, S.RECTIFICATION},
    "decision_record": {S.REPORTED},
}


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("status", ORDER)
def test_it_refuses_every_step_from_a_status_that_does_not_allow_it(world, step, status):
    if status in ALLOWED_FROM[step]:
        pytest.skip("allowed")
    case = case_at(world, status)
    refused(lambda: STEPS[step](case, world["people"]), case)


def test_it_refuses_to_start_document_review_with_an_open_objection(world):
    case = case_at(world, S.PLANNED)
    member = case.audit.team.get()
    plan.objection_raise(case=case, member=member, reason="曾为我司提供咨询", by=world["people"]["ent_admin"])
    refused(lambda: steps.review_start(case=case, by=world["people"]["auditor"]), case, match="objection")


# ------------------------------------------------------------------------------- objections


def test_it_replaces_an_auditor_objected_to(world):
    case = case_at(world, S.PLANNED)
    p = world["people"]
    member = case.audit.team.get()
    objection = plan.objection_raise(case=case, member=member, reason="曾为我司提供咨询", by=p["ent_admin"])
    plan.objection_answer(
        objection=objection,
        keep=False,
        reason="已更换",
        replacement=auditor_of(world, "auditor_other"),
        by=p["reviewer"],
    )
    team = list(case.audit.team.filter(active=True))
    assert [(m.auditor.user.username, m.role) for m in team] == [("auditor_other", "leader")]
    assert Objection.objects.get().answer == "replaced"
    assert [e.action for e in case.events.order_by("-seq")[:2]] == [
        "audit.objection_replaced",
        "audit.objection_raised",
    ]


def test_it_keeps_an_auditor_with_a_reason_and_refuses_a_second_answer(world):
    case = case_at(world, S.PLANNED)
    p = world["people"]
    objection = plan.objection_raise(case=case, member=case.audit.team.get(), reason="x", by=p["ent_admin"])
    refused(
        lambda: plan.objection_answer(objection=objection, keep=True, reason=" ", by=p["reviewer"]),
        case,
        match="required",
    )
    plan.objection_answer(objection=objection, keep=True, reason="未发现利益冲突", by=p["reviewer"])
    refused(
        lambda: plan.objection_answer(objection=objection, keep=True, reason="again", by=p["reviewer"]),
        case,
        match="already",
    )


def test_it_refuses_an_objection_without_a_reason_or_after_document_review(world):
    case = case_at(world, S.PLANNED)
    refused(
        lambda: plan.objection_raise(
            case=case, member=case.audit.team.get(), reason="", by=world["people"]["ent_admin"]
        ),
        case,
    )
    case = case_at(world, S.DOCUMENT_REVIEW)
    refused(
        lambda: plan.objection_raise(
            case=case, member=case.audit.team.get(), reason="x", by=world["people"]["ent_admin"]
        ),
        case,
    )


# ---------------------------------------------------------------------------------- scoring


def test_it_scores_the_audit_as_an_assessment_of_kind_audit(world):
    case = case_at(world, S.AUDIT)
    a = case.audit.assessment
    assert (a.kind, a.case_id, a.enterprise_id) == (Assessment.Kind.AUDIT, case.pk, world["enterprise"].pk)
    assert a.answers.count() == 42


@pytest.mark.parametrize("status", [S.PLANNED, S.RECTIFICATION, S.REPORTED])
def test_it_refuses_scoring_outside_document_review_and_audit(world, status):
    case = case_at(world, status)
    audit = case.audit
    with pytest.raises(AuditRefused):
        scoring.audit_answer_save(
            audit=audit, item_code="5.1.1.1", kind="nonconform", expected_version=1, by=world["people"]["auditor"]
        )
    if audit.assessment_id:
        assert audit.assessment.answers.get(item_code="5.1.1.1").kind == "conform"


# ------------------------------------------------------------------------- rectification


def test_it_runs_rectification_with_deadlines_answers_and_verification(world):
    case = case_at(world, S.AUDIT, with_nc=False)
    p = world["people"]
    major = findings.finding_raise(
        audit=case.audit, item_code="5.2.4.1", grade="major", description="维修记录缺失", by=p["auditor"]
    )
    obs = findings.finding_raise(
        audit=case.audit, item_code="5.3.1.1", grade="observation", description="回访话术可改进", by=p["auditor"]
    )
    findings.rectification_start(case=case, by=p["auditor"], today=date(2026, 12, 10))
    major.refresh_from_db()
    obs.refresh_from_db()
    assert major.deadline == date(2027, 1, 9) and obs.deadline is None and obs.state == "noted"
    refused(
        lambda: findings.finding_answer(
            finding=major, cause="x", correction="", corrective_action="y", by=p["ent_member"]
        ),
        case,
        match="correction",
    )
    findings.finding_answer(
        finding=major, cause="未建台账", correction="补录", corrective_action="系统强制记录", by=p["ent_member"]
    )
    refused(
        lambda: findings.finding_verify(finding=major, accept=False, reason="", by=p["auditor"]), case, match="reason"
    )
    findings.finding_verify(finding=major, accept=False, reason="证据不足", by=p["auditor"])
    major.refresh_from_db()
    assert major.state == "rejected"
    findings.finding_answer(
        finding=major, cause="未建台账", correction="补录并附照片", corrective_action="系统强制记录", by=p["ent_member"]
    )
    findings.finding_verify(finding=major, accept=True, reason="", by=p["auditor"])
    major.refresh_from_db()
    assert major.state == "accepted"


def test_it_refuses_rectification_without_a_nonconformity(world):
    case = case_at(world, S.AUDIT, with_nc=False)
    findings.finding_raise(
        audit=case.audit, item_code="5.3.1.1", grade="observation", description="x", by=world["people"]["auditor"]
    )
    refused(
        lambda: findings.rectification_start(case=case, by=world["people"]["auditor"]), case, match="no nonconformity"
    )


def test_it_escalates_overdue_nonconformities_once(world):
    case = case_at(world, S.RECTIFICATION)
    nc = case.audit.findings.get()
    later = nc.deadline + timedelta(days=1)
    assert findings.overdue_escalate(case=case, today=nc.deadline, by_label="t") == []
    assert [f.pk for f in findings.overdue_escalate(case=case, today=later, by_label="t")] == [nc.pk]
    assert findings.overdue_escalate(case=case, today=later, by_label="t") == []
    assert case.events.filter(action="audit.rectification_overdue").count() == 1


def test_it_shows_the_score_if_accepted_items_are_rescored(world):
    case = case_at(world, S.AUDIT, with_nc=False)
    p = world["people"]
    a = case.audit.assessment
    scoring.audit_answer_save(
        audit=case.audit, item_code="5.1.1.1", kind="nonconform", expected_version=1, by=p["auditor"]
    )
    findings.finding_raise(audit=case.audit, item_code="5.1.1.1", grade="minor", description="x", by=p["auditor"])
    effect = reporting.score_effect(case.audit)
    assert effect.items == ()  # not accepted yet: no what-if gain
    assert effect.now == effect.if_accepted
    findings.rectification_start(case=case, by=p["auditor"])
    nc = case.audit.findings.get()
    findings.finding_answer(finding=nc, cause="a", correction="b", corrective_action="c", by=p["ent_member"])
    findings.finding_verify(finding=nc, accept=True, reason="", by=p["auditor"])
    effect = reporting.score_effect(case.audit)
    assert effect.items == ("5.1.1.1",) and effect.if_accepted > effect.now
    assert a.answers.get(item_code="5.1.1.1").kind == "nonconform"  # the what-if changes nothing


# ----------------------------------------------------------------------------------- report


def test_it_issues_the_final_report_freezing_the_audit_with_its_hash(world):
    case = case_at(world, S.REPORTED)
    report = AuditReport.objects.get(audit__case=case)
    assert report.sha256 == hashlib.sha256(canonical(report.record)).hexdigest()
    assert report.assessment.status == "finished" and report.level == "five_star"
    assert report.record["findings"][0]["state"] == "accepted"
    assert report.record["result"]["level"] == "five_star" and report.record["result"]["score"] == "100.00"
    assert len(report.record["answers"]) == 42 and report.record["team"][0]["role"] == "leader"
    assert case.events.last().data["sha256"] == report.sha256
    with pytest.raises(ValueError, match="immutable"):
        report.save()


def test_it_lets_only_the_team_leader_issue_the_report(world):
    case = case_at(world, S.AUDIT, with_nc=False)
    refused(
        lambda: reporting.report_issue(
            case=case, conclusion="x", recommended_level="qualified", by=world["people"]["auditor_other"]
        ),
        case,
        match="team leader",
    )


def test_it_refuses_a_report_with_unscored_items_or_a_recommendation_above_the_score(world):
    case = case_at(world, S.AUDIT, with_nc=False)
    p = world["people"]
    case.audit.assessment.answers.filter(item_code="5.1.1.1").delete()
    refused(
        lambda: reporting.report_issue(case=case, conclusion="x", recommended_level="qualified", by=p["auditor"]),
        case,
        match="5.1.1.1",
    )
    assert case.audit.assessment.status == "draft"
    scoring.audit_answer_save(
        audit=case.audit, item_code="5.1.1.1", kind="nonconform", expected_version=0, by=p["auditor"]
    )
    for code in ("5.1.2.2", "5.2.4.1"):
        scoring.audit_answer_save(
            audit=case.audit, item_code=code, kind="nonconform", expected_version=1, by=p["auditor"]
        )
    refused(
        lambda: reporting.report_issue(case=case, conclusion="x", recommended_level="five_star", by=p["auditor"]),
        case,
        match="above",
    )
    refused(
        lambda: reporting.report_issue(case=case, conclusion="", recommended_level="qualified", by=p["auditor"]), case
    )


def test_it_refuses_the_report_while_nonconformities_wait_for_rectification(world):
    case = case_at(world, S.AUDIT)
    refused(
        lambda: reporting.report_issue(
            case=case, conclusion="x", recommended_level="qualified", by=world["people"]["auditor"]
        ),
        case,
        match="rectification",
    )
    case = case_at(world, S.RECTIFICATION)
    refused(
        lambda: reporting.report_issue(
            case=case, conclusion="x", recommended_level="qualified", by=world["people"]["auditor"]
        ),
        case,
        match="5.1.1.1",
    )


# --------------------------------------------------------------------------------- decision


def test_it_records_an_immutable_decision_in_the_hash_chain(world):
    case = case_at(world, S.DECIDED)
    d = Decision.objects.get(case=case)
    assert (d.outcome, d.level, d.scheme_id) == ("approve", "five_star", "gbt27922-2011")
    assert d.scheme_sha256 == world["gbt"].sha256 and d.inputs["report_sha256"]
    assert d.event.to_status == S.DECIDED and d.event.data["result"] == {"outcome": "approve", "level": "five_star"}
    assert case_chain_breaks(case) == []
    d.reasons = "changed"
    with pytest.raises(ValueError, match="immutable"):
        d.save()
    with pytest.raises(ValueError, match="immutable"):
        d.delete()


def test_it_refuses_a_committee_member_who_was_on_the_audit_team(world):
    case = case_at(world, S.REPORTED)
    p = world["people"]
    membership_grant(user=p["committee"], organisation=world["cb"], role=Role.AUDITOR, by_label="t")
    auditor = auditors.auditor_register(
        cb=world["cb"], user=p["committee"], registration="C-1", valid_until=date(2030, 1, 1), by=p["cb_admin"]
    )
    TeamMember.objects.create(audit=case.audit, auditor=auditor, role="member", active=False, added_by=p["cb_admin"])
    message = refused(
        lambda: decisions.decision_record(
            no_conflict=True, case=case, outcome="approve", reasons="x", by=p["committee"]
        ),
        case,
    )
    assert "audit team" in message
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "level", "message"),
    [
        ("approve", "", None),
        ("approve_lower", "five_star", "not lower"),
        ("approve_lower", "", "lower level"),
        ("nonsense", "", "Unknown"),
    ],
)
def test_it_refuses_a_decision_without_reasons_or_with_a_bad_level(world, outcome, level, message):
    case = case_at(world, S.REPORTED)
    reasons = "" if message is None else "理由"
    refused(
        lambda: decisions.decision_record(
            no_conflict=True, case=case, outcome=outcome, level=level, reasons=reasons, by=world["people"]["committee"]
        ),
        case,
        match=message,
    )


def test_it_approves_at_a_lower_level(world):
    case = case_at(world, S.REPORTED)
    d = decisions.decision_record(
        no_conflict=True,
        case=case,
        outcome="approve_lower",
        level="four_star",
        reasons="投诉处理样本偏少",
        by=world["people"]["committee"],
    )
    assert (d.level, case.status) == ("four_star", S.DECIDED)


def test_it_sends_back_to_the_audit_team_with_a_new_round_of_scoring(world):
    case = case_at(world, S.REPORTED)
    first = case.audit.assessment
    d = decisions.decision_record(
        no_conflict=True, case=case, outcome="send_back", reasons="抽样不足", by=world["people"]["committee"]
    )
    case.refresh_from_db()
    audit = Audit.objects.get(case=case)
    assert (d.level, case.status) == ("", S.AUDIT)
    assert audit.assessment != first and audit.assessment.baseline == first and audit.assessment.answers.count() == 42
    reporting.report_issue(
        case=case,
        conclusion="补充抽样后有效",
        recommended_level="four_star",
        recommendation_reason="企业申请四星",
        by=world["people"]["auditor"],
    )
    assert AuditReport.objects.filter(audit=audit).count() == 2


def test_it_detects_a_tampered_event(world):
    from django.db import connection

    case = case_at(world, S.DECIDED)
    event = case.events.get(action="decision.approve")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CaseEvent._meta.db_table} SET reason = %s WHERE id = %s", ["篡改", event.pk])
    assert [(b.seq, b.reason) for b in case_chain_breaks(case)] == [(event.seq, "hash")]


def test_it_keeps_audits_out_of_the_enterprises_self_assessment_list(world):
    """Audits never show up among the enterprise's self-assessments."""
    from aftersales.assessments.selectors import assessment_list

    case_at(world, S.AUDIT)
    assert list(assessment_list(enterprise_ids=[world["enterprise"].pk])) == [world["assessment"]]

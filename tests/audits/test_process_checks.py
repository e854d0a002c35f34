"""Checks at the right step (issue 23 §2): the audit not before the plan's first day without a
reason, the report not before its last day, a recommendation below the score's level with its
reason, the committee's quorum of votes, confirmations, findings' default grade, "all remaining
items conform"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import Role, User
from aftersales.accounts.services import membership_grant
from aftersales.assessments import services as assessment_services
from aftersales.assessments.models import Answer
from aftersales.audits import decisions, reporting, scoring, steps
from aftersales.audits.models import AuditReport, Decision, DecisionVote
from aftersales.audits.services import AuditRefused
from aftersales.certification.models import Case, CaseEvent
from aftersales.schemes.selectors import scheme_of
from tests.policy import install_policy

from .factories import case_at

pytestmark = pytest.mark.django_db
S = Case.Status


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def later_plan(case, by, start=date(2027, 3, 15), end=date(2027, 3, 17)) -> None:
    """The plan moved to later dates (the case keeps its status)."""
    audit = case.audit
    audit.start_date, audit.end_date = start, end
    audit.save(update_fields=["start_date", "end_date"])


# ------------------------------------------------------------------- audit and report dates


def test_it_refuses_to_start_the_audit_before_the_plans_first_day_without_a_reason(world):
    case = case_at(world, S.DOCUMENT_REVIEW)
    later_plan(case, world["people"]["reviewer"])
    with at(date(2027, 3, 8)), pytest.raises(AuditRefused, match="2027-03-15; to start it earlier, give the reason"):
        steps.audit_start(case=case, by=world["people"]["auditor"])
    case.refresh_from_db()
    assert case.status == S.DOCUMENT_REVIEW


def test_it_starts_the_audit_early_with_the_reason_recorded_in_the_event(world):
    case = case_at(world, S.DOCUMENT_REVIEW)
    later_plan(case, world["people"]["reviewer"])
    with at(date(2027, 3, 8)):
        steps.audit_start(case=case, by=world["people"]["auditor"], early_reason="企业要求提前，双方书面确认")
    event = CaseEvent.objects.filter(case=case, action="audit.audit_started").get()
    assert event.reason == "企业要求提前，双方书面确认"
    assert event.data == {"planned_start": "2027-03-15", "started_on": "2027-03-08"}


def test_it_starts_the_audit_on_the_plans_first_day_without_a_reason(world):
    case = case_at(world, S.DOCUMENT_REVIEW)
    later_plan(case, world["people"]["reviewer"])
    with at(date(2027, 3, 15)):
        steps.audit_start(case=case, by=world["people"]["auditor"])
    case.refresh_from_db()
    assert case.status == S.AUDIT


def test_it_refuses_a_final_report_dated_before_the_audits_last_day(world):
    case = case_at(world, S.AUDIT, with_nc=False)
    later_plan(case, world["people"]["reviewer"], start=date(2026, 12, 1), end=date(2027, 3, 17))
    with at(date(2027, 3, 16)), pytest.raises(AuditRefused, match="cannot be dated before the audit's last day"):
        reporting.report_issue(
            case=case, conclusion="有效", recommended_level="five_star", by=world["people"]["auditor"]
        )
    assert not AuditReport.objects.exists()
    with at(date(2027, 3, 17)):
        report = reporting.report_issue(
            case=case, conclusion="有效", recommended_level="five_star", by=world["people"]["auditor"]
        )
    assert report.issued_at.astimezone(ZoneInfo("Asia/Shanghai")).date() == date(2027, 3, 17)


# --------------------------------------------------------------- recommendation and reason


def test_a_recommendation_below_the_level_reached_needs_a_reason(world):
    case = case_at(world, S.AUDIT, with_nc=False)
    with pytest.raises(AuditRefused, match="the score reached five-star; say why qualified is recommended"):
        reporting.report_issue(
            case=case, conclusion="有效", recommended_level="qualified", by=world["people"]["auditor"]
        )
    assert not AuditReport.objects.exists()
    report = reporting.report_issue(
        case=case,
        conclusion="有效",
        recommended_level="qualified",
        recommendation_reason="企业只申请达标级",
        by=world["people"]["auditor"],
    )
    assert (report.level, report.recommended_level, report.recommendation_reason) == (
        "five_star",
        "qualified",
        "企业只申请达标级",
    )
    assert report.record["recommendation_reason"] == "企业只申请达标级"


def test_the_committee_sees_the_reason_beside_the_score(client, world):
    case = case_at(world, S.AUDIT, with_nc=False)
    reporting.report_issue(
        case=case,
        conclusion="有效",
        recommended_level="three_star",
        recommendation_reason="两个网点的记录抽样不足",
        by=world["people"]["auditor"],
    )
    client.force_login(world["people"]["committee"])
    page = client.get(reverse("audit_decision", args=[case.pk])).content.decode()
    assert 'id="recommendation-reason"' in page and "两个网点的记录抽样不足" in page


def test_a_recommendation_at_the_level_reached_keeps_no_reason(world):
    case = case_at(world, S.AUDIT, with_nc=False)
    report = reporting.report_issue(
        case=case,
        conclusion="有效",
        recommended_level="five_star",
        recommendation_reason="（不需要）",
        by=world["people"]["auditor"],
    )
    assert report.recommendation_reason == "" and "recommendation_reason" not in report.record


# ------------------------------------------------------------------------------ the quorum


def committee_member(world, name: str):
    user = User.objects.create_user(username=name, password="x-pass-12345")
    membership_grant(user=user, organisation=world["cb"], role=Role.COMMITTEE, by_label="t")
    return user


def test_a_decision_waits_for_the_quorum_and_a_majority_of_the_votes(world, settings):
    install_policy(settings, {"committee.quorum": 2})
    case = case_at(world, S.REPORTED)
    first, second, third = world["people"]["committee"], committee_member(world, "c2"), committee_member(world, "c3")
    assert decisions.decision_record(case=case, outcome="approve", reasons="同意", by=first, no_conflict=True) is None
    assert (
        decisions.decision_record(case=case, outcome="send_back", reasons="抽样不足", by=second, no_conflict=True)
        is None
    )
    case.refresh_from_db()
    assert case.status == S.REPORTED and not Decision.objects.exists()
    decision = decisions.decision_record(case=case, outcome="approve", reasons="证据充分", by=third, no_conflict=True)
    assert (decision.outcome, decision.level, decision.decided_by) == ("approve", "five_star", third)
    assert decision.inputs["votes"]["cast"] == 3 and decision.inputs["votes"]["agreeing"] == 2
    assert decision.inputs["votes"]["quorum"] == 2
    assert "同意" in decision.reasons and "证据充分" in decision.reasons
    votes = CaseEvent.objects.filter(case=case, action="decision.vote_cast")
    assert votes.count() == 3 and all(e.data["no_conflict_declared"] for e in votes)
    case.refresh_from_db()
    assert case.status == S.DECIDED


def test_with_a_quorum_of_one_the_first_vote_decides(world):
    case = case_at(world, S.REPORTED)
    decision = decisions.decision_record(
        case=case, outcome="approve", reasons="同意", by=world["people"]["committee"], no_conflict=True
    )
    assert decision.outcome == "approve" and DecisionVote.objects.filter(report=decision.report).count() == 1


def test_a_member_votes_once(world, settings):
    install_policy(settings, {"committee.quorum": 2})
    case = case_at(world, S.REPORTED)
    member = world["people"]["committee"]
    decisions.decision_record(case=case, outcome="approve", reasons="同意", by=member, no_conflict=True)
    with pytest.raises(AuditRefused, match="each member votes once"):
        decisions.decision_record(case=case, outcome="approve", reasons="再次同意", by=member, no_conflict=True)
    assert DecisionVote.objects.count() == 1


def test_a_vote_without_the_declaration_of_no_conflict_is_refused(world):
    case = case_at(world, S.REPORTED)
    with pytest.raises(AuditRefused, match="no conflict of interest"):
        decisions.decision_record(
            case=case, outcome="approve", reasons="同意", by=world["people"]["committee"], no_conflict=False
        )
    assert not DecisionVote.objects.exists() and not Decision.objects.exists()


def test_a_member_of_the_audit_team_may_not_vote(world):
    case = case_at(world, S.REPORTED)
    auditor = world["people"]["auditor"]
    membership_grant(user=auditor, organisation=world["cb"], role=Role.COMMITTEE, by_label="t")
    with pytest.raises(AuditRefused, match="audit team"):
        decisions.decision_record(case=case, outcome="approve", reasons="同意", by=auditor, no_conflict=True)
    assert not DecisionVote.objects.exists()


def test_the_decision_page_asks_for_the_declaration_and_shows_the_votes(client, world, settings):
    install_policy(settings, {"committee.quorum": 2})
    case = case_at(world, S.REPORTED)
    client.force_login(world["people"]["committee"])
    url = reverse("audit_decision", args=[case.pk])
    client.post(url, {"outcome": "approve", "reasons": "同意", "next": url})
    assert not DecisionVote.objects.exists()  # no declaration: refused
    client.post(url, {"outcome": "approve", "reasons": "同意", "no_conflict": "on", "next": url})
    assert DecisionVote.objects.count() == 1 and not Decision.objects.exists()
    page = client.get(url).content.decode()
    assert "法定票数：2 票" in page and "每位委员只能投票一次" in page  # the page in zh-Hans


# -------------------------------------------------------------------------- confirmations


def test_issuing_the_final_report_asks_for_confirmation_first(client, world):
    case = case_at(world, S.AUDIT, with_nc=False)
    client.force_login(world["people"]["auditor"])
    data = {"action": "issue", "conclusion": "有效", "recommended_level": "five_star"}
    response = client.post(reverse("audit_report_save", args=[case.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200 and 'name="confirm" value="yes"' in page and "此操作不可撤销" in page
    assert not AuditReport.objects.exists()
    response = client.post(reverse("audit_report_save", args=[case.pk]), {**data, "confirm": "yes"})
    assert response.status_code == 302 and AuditReport.objects.count() == 1


def test_a_new_finding_defaults_to_a_minor_nonconformity(client, world):
    case = case_at(world, S.AUDIT, with_nc=False)
    client.force_login(world["people"]["auditor"])
    page = client.get(reverse("audit_scoring", args=[case.pk])).content.decode()
    assert '<option value="minor" selected>' in page
    assert '<option value="major" selected>' not in page


# ------------------------------------------------------------------- all remaining conform


def test_all_remaining_audit_items_conform_keeps_the_items_already_scored(world):
    case = case_at(world, S.DOCUMENT_REVIEW)
    p = world["people"]
    audit = case.audit
    scoring.audit_answer_save(
        audit=audit, item_code="5.1.1.1", kind="nonconform", reason="未发布", expected_version=0, by=p["auditor"]
    )
    codes = scoring.audit_remaining_conform(audit=audit, by=p["auditor"])
    items = [i.code for i in scheme_of(case.scheme_version).items]
    assert set(codes) == set(items) - {"5.1.1.1"}
    answers = dict(Answer.objects.filter(assessment=audit.assessment).values_list("item_code", "kind"))
    assert answers["5.1.1.1"] == "nonconform" and len(answers) == len(items)
    # an item is still changed on its own afterwards
    scoring.audit_answer_save(
        audit=audit, item_code="5.1.2.1", kind="nonconform", reason="缺记录", expected_version=1, by=p["auditor"]
    )
    assert Answer.objects.get(assessment=audit.assessment, item_code="5.1.2.1").kind == "nonconform"


def test_all_remaining_conform_is_refused_once_the_audit_is_reported(world):
    case = case_at(world, S.REPORTED)
    with pytest.raises(AuditRefused):
        scoring.audit_remaining_conform(audit=case.audit, by=world["people"]["auditor"])


def test_all_remaining_self_assessment_items_conform_in_one_event(world):
    from aftersales.events.models import Event

    a = world["assessment"]
    codes = assessment_services.answers_remaining_conform(assessment=a, by=world["people"]["ent_member"])
    assert len(codes) == a.answers.count() == len(scheme_of(world["gbt"]).items)
    assert Event.objects.filter(action="assessment.remaining_conform").count() == 1


def test_the_scoring_page_offers_all_remaining_items_conform(client, world):
    case = case_at(world, S.DOCUMENT_REVIEW)
    client.force_login(world["people"]["auditor"])
    response = client.post(reverse("audit_remaining_conform", args=[case.pk]))
    assert response.status_code == 302
    assert Answer.objects.filter(assessment=case.audit.assessment).count() == len(scheme_of(case.scheme_version).items)

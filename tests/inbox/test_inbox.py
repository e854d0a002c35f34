"""Each role's inbox holds exactly the steps that wait for that person, on the cases, audits,
certificates and appeals they may see, and nobody else's (tests/inbox/test_queries.py: the cost)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.accounts.models import Membership, Role, User
from aftersales.accounts.services import membership_grant
from aftersales.audits import decisions, findings, plan
from aftersales.audits.models import Nonconformity, TeamMember
from aftersales.certificates import services, versions
from aftersales.certificates.models import Surveillance
from aftersales.certification.models import Case
from aftersales.inbox.selectors import inbox_for
from tests.appeals.factories import appeal_in, lodged
from tests.audits.factories import auditor_of, case_at
from tests.certificates.factories import decided, issued, new_enterprise
from tests.certification.helpers import make_case
from tests.policy import policy_installed

pytestmark = pytest.mark.django_db
S = Case.Status
EVERYONE = ("ent_admin", "ent_member", "other_admin", "cb_admin", "reviewer", "auditor", "auditor_other", "committee")


def kinds(world, who: str, **kw) -> list[str]:
    return [item.kind for item in inbox_for(world["people"][who], **kw)]


def inboxes(world, **kw) -> dict[str, list[str]]:
    """Every persona's inbox, by the items' kinds."""
    return {who: kinds(world, who, **kw) for who in EVERYONE}


def only(**expected) -> dict[str, list[str]]:
    return {who: expected.get(who, []) for who in EVERYONE}


def test_it_asks_the_enterprise_admin_to_submit_a_draft_and_its_member_to_complete_it(world):
    case = make_case(world, S.DRAFT)
    assert inboxes(world) == only(ent_admin=["application.submit"], ent_member=["application.complete"])
    item = inbox_for(world["people"]["ent_admin"])[0]
    assert item.url == f"/cases/{case.pk}/#application"
    assert case.reference in item.subject and "甲企业" in item.subject
    assert item.due is None and item.since == timezone.localdate()


def test_it_gives_a_submitted_application_to_the_reviewer_not_to_the_cb_admin_or_the_auditors(world):
    make_case(world, S.SUBMITTED)
    assert inboxes(world) == only(reviewer=["application.review"])


def test_it_gives_the_review_to_the_cb_admin_of_a_cb_without_a_reviewer(world):
    make_case(world, S.SUBMITTED)
    Membership.objects.filter(role=Role.REVIEWER).delete()
    assert kinds(world, "cb_admin") == ["application.review"]


def test_it_asks_the_enterprise_admin_alone_to_answer_an_information_request(world):
    make_case(world, S.INFO_REQUESTED)
    assert inboxes(world) == only(ent_admin=["application.answer"])


def test_it_shows_the_quotation_to_sign_and_the_contract_to_record(world):
    make_case(world, S.ACCEPTED)
    assert inboxes(world) == only(ent_admin=["contract.sign"], reviewer=["contract.record"])


def test_it_asks_the_cb_admin_to_plan_a_contracted_audit(world):
    make_case(world, S.CONTRACTED)
    assert inboxes(world) == only(cb_admin=["audit.plan"])


def test_a_sent_plan_waits_for_the_enterprise_and_the_team_leader_until_an_objection_is_raised(world):
    case = case_at(world, "planned")
    assert inboxes(world) == only(ent_admin=["plan.check"], auditor=["audit.review_start"])
    assert inbox_for(world["people"]["auditor"])[0].due == case.audit.start_date
    member = case.audit.team.get()
    plan.objection_raise(case=case, member=member, reason="曾为该企业提供咨询", by=world["people"]["ent_admin"])
    assert inboxes(world) == only(ent_admin=["plan.check"], cb_admin=["objection.answer"])


def test_the_team_leader_starts_the_audit_and_the_team_scores_it_by_the_last_day(world):
    case = case_at(world, "document_review")
    assert inboxes(world) == only(auditor=["audit.start"])
    case = case_at(world, "audit", enterprise=new_enterprise())
    items = inbox_for(world["people"]["auditor"])
    assert [i.kind for i in items] == ["audit.start", "audit.report"]
    assert items[1].due == case.audit.end_date
    assert "整改" in items[1].what  # a nonconformity is open: rectification before the report


def test_nonconformities_wait_for_every_member_of_the_enterprise_until_their_deadline(world):
    case = case_at(world, "rectification")
    nc = case.audit.findings.get()
    assert inboxes(world) == only(ent_admin=["finding.answer"], ent_member=["finding.answer"])
    item = inbox_for(world["people"]["ent_member"])[0]
    assert item.due == nc.deadline and "5.1.1.1" in item.what
    assert inbox_for(world["people"]["ent_member"], today=nc.deadline + timedelta(days=1))[0].overdue


def test_an_answer_waits_for_the_team_to_verify_and_a_rejected_one_for_the_enterprise_again(world):
    case = case_at(world, "rectification")
    nc = case.audit.findings.get()
    findings.finding_answer(
        finding=nc, cause="疏漏", correction="已发布", corrective_action="建立审批", by=world["people"]["ent_member"]
    )
    assert inboxes(world) == only(auditor=["finding.verify"])
    findings.finding_verify(finding=nc, accept=False, reason="证据不足", by=world["people"]["auditor"])
    # a rejected answer no longer holds the report back (audits.reporting.report_issue)
    again = ["finding.answer_again"]
    assert inboxes(world) == only(ent_admin=again, ent_member=again, auditor=["audit.final_report"])


def test_the_leader_issues_the_final_report_once_every_nonconformity_is_verified(world):
    case = case_at(world, "rectification")
    Nonconformity.objects.filter(audit=case.audit).update(state=Nonconformity.State.ACCEPTED)
    assert inboxes(world) == only(auditor=["audit.final_report"])


def test_a_reported_case_waits_for_the_committee_but_never_for_a_member_who_was_on_its_team(world):
    case = case_at(world, "reported")
    assert inboxes(world) == only(committee=["case.decide"])
    committee = world["people"]["committee"]
    membership_grant(user=committee, organisation=world["cb"], role=Role.AUDITOR, by_label="t")
    TeamMember.objects.create(  # on the team once, replaced since: still never the judge of this case
        audit=case.audit, auditor=auditor_of(world, "committee"), role="member", active=False, added_by=committee
    )
    assert kinds(world, "committee") == []


def test_a_member_who_voted_waits_no_more_while_the_others_still_do(world):
    case = case_at(world, "reported")
    second = User.objects.create_user(username="committee_2", password="x-pass-12345")
    membership_grant(user=second, organisation=world["cb"], role=Role.COMMITTEE, by_label="t")
    with policy_installed({"committee.quorum": 2}):
        decisions.decision_record(
            case=case, outcome="approve", reasons="结论可信", no_conflict=True, by=world["people"]["committee"]
        )
    assert kinds(world, "committee") == []
    assert [i.kind for i in inbox_for(second)] == ["case.decide"]


def test_an_approving_decision_waits_for_the_cb_admin_to_issue_the_certificate(world):
    decision = decided(world)
    assert inboxes(world) == only(cb_admin=["certificate.issue"])
    versions.certificate_issue(decision=decision, by=world["people"]["cb_admin"])
    assert inboxes(world) == only()


def test_the_cb_admin_opens_a_due_surveillance_and_answers_a_missed_one(world):
    certificate = issued(world, enterprise=new_enterprise("周期企业"))
    first, _second = Surveillance.objects.filter(certificate=certificate).order_by("n")
    assert inboxes(world) == only()
    assert inboxes(world, today=first.window_opens) == only(cb_admin=["surveillance.open"])
    first.state, first.missed_on = Surveillance.State.MISSED, first.due_by + timedelta(days=1)
    first.save(update_fields=["state", "missed_on"])
    item = inbox_for(world["people"]["cb_admin"], today=first.due_by + timedelta(days=2))[0]
    assert (item.kind, item.due, item.overdue) == ("surveillance.missed", first.due_by, True)
    assert certificate.number in item.subject and "周期企业" in item.subject
    assert "暂停证书" in item.what
    services.certificate_suspend(certificate=certificate, reason="企业申请暂停", by=world["people"]["cb_admin"])
    item = inbox_for(world["people"]["cb_admin"], today=first.due_by + timedelta(days=2))[0]
    assert item.kind == "surveillance.missed" and "撤销证书或维持暂停" in item.what  # suspended already


def test_an_unassigned_appeal_waits_for_the_cb_admin(world):
    appeal = lodged(world)  # on a decided case whose certificate is not issued yet
    assert inboxes(world) == only(cb_admin=["appeal.assign", "certificate.issue"])
    assert inbox_for(world["people"]["cb_admin"])[0].due == appeal.acknowledge_by


def test_the_handler_acknowledges_reviews_and_decides_by_the_appeal_deadlines(world):
    appeal = appeal_in(world, "lodged")
    assert inboxes(world) == only(auditor_other=["appeal.acknowledge"], cb_admin=["certificate.issue"])
    appeal = appeal_in(world, "under_review", case=case_at(world, "decided", enterprise=new_enterprise()))
    item = next(i for i in inbox_for(world["people"]["auditor_other"]) if i.kind == "appeal.decide")
    assert item.due == appeal.decide_by and item.url == f"/appeals/{appeal.pk}/"


def test_it_lists_overdue_items_first_then_by_due_date(world):
    late = case_at(world, "rectification")
    soon = case_at(world, "audit", enterprise=new_enterprise())
    nc = late.audit.findings.get()
    today = nc.deadline + timedelta(days=1)
    plan_end = soon.audit.end_date
    assert plan_end < today  # the other audit's last day has passed too
    items = inbox_for(world["people"]["auditor"], today=today)
    # overdue (scoring past the audit's last day) first; an overdue nonconformity no longer holds
    # the final report back (audits.reporting.report_issue), which has no due date of its own
    assert [(i.kind, i.overdue) for i in items] == [("audit.report", True), ("audit.final_report", False)]
    items = inbox_for(world["people"]["ent_admin"], today=today)
    assert [(i.kind, i.overdue, i.days_late) for i in items] == [("finding.answer", True, 1)]

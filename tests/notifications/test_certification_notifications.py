"""Done when: one certification, application to certificate, tells exactly the right people."""

from collections import Counter

import pytest
from django.core import mail

from aftersales.accounts.models import Role, User
from aftersales.accounts.services import membership_grant
from aftersales.audits import decisions, findings, plan, reporting, steps
from aftersales.certificates import versions
from aftersales.certification.models import Case, Quotation
from aftersales.certification.services import StepRefused
from aftersales.core.fees import money
from aftersales.notifications.kinds import Kind
from aftersales.notifications.models import Notification
from tests.audits.factories import auditor_of, plan_input, score_all
from tests.certification.helpers import make_case
from tests.policy import policy_installed

pytestmark = pytest.mark.django_db

K = Kind
ENTERPRISE_SEES = [
    K.APPLICATION_ACCEPTED,
    K.CONTRACT,
    K.PLAN,
    K.AUDIT_STARTED,
    K.NONCONFORMITY,
    K.RECTIFICATION_ANSWER,
    K.REPORT,
    K.DECISION,
    K.CERTIFICATE,
]


@pytest.fixture
def people(world):
    p = dict(world["people"])
    p["committee2"] = User.objects.create_user(username="committee2", password="x-pass-12345")
    membership_grant(user=p["committee2"], organisation=world["cb"], role=Role.COMMITTEE, by_label="t")
    for name, user in p.items():
        user.email = f"{name}@example.cn"
        user.save(update_fields=["email"])
    world["people"] = p
    return p


def certify(world, p) -> None:
    """application → review → quotation → contract → plan → audit → nonconformity → answer →
    report → decision → certificate, each step by the person who takes it."""
    case = make_case(world, Case.Status.CONTRACTED)  # submitted by ent_admin; reviewed, quoted, contract by reviewer
    plan.audit_plan_save(case=case, plan=plan_input(), by=p["reviewer"])
    with policy_installed({"impartiality.max_consecutive_leads": 10**6}):
        plan.team_set(case=case, leader=auditor_of(world), members=[], by=p["reviewer"])
    auditor_of(world, "auditor_other")  # registered, never on this team
    plan.plan_send(case=case, by=p["reviewer"])
    steps.review_start(case=case, by=p["auditor"])
    steps.audit_start(case=case, by=p["auditor"])
    score_all(case, p["auditor"])
    findings.finding_raise(
        audit=case.audit, item_code="5.1.1.1", grade="minor", description="岗位职责未发布", by=p["auditor"]
    )
    findings.rectification_start(case=case, by=p["auditor"])
    nc = case.audit.findings.get()
    findings.finding_answer(
        finding=nc, cause="疏漏", correction="已发布", corrective_action="建立审批", by=p["ent_member"]
    )
    findings.finding_verify(finding=nc, accept=True, reason="", by=p["auditor"])
    reporting.report_issue(case=case, conclusion="体系运行有效", recommended_level="five_star", by=p["auditor"])
    decision = decisions.decision_record(
        case=case, outcome="approve", reasons="材料齐全，结论可信", by=p["committee"], no_conflict=True
    )
    versions.certificate_issue(decision=decision, by=p["cb_admin"])


def test_one_certification_tells_exactly_the_right_people(world, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        certify(world, people)
    told = {
        name: sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))
        for name, user in people.items()
    }
    assert told == {
        "ent_admin": sorted(ENTERPRISE_SEES),
        "ent_member": sorted(ENTERPRISE_SEES),
        "other_admin": [],
        "cb_admin": sorted([K.APPLICATION_SUBMITTED, K.CONTRACT, K.REPORT, K.DECISION]),
        "reviewer": sorted([K.APPLICATION_SUBMITTED, K.DECISION]),
        "auditor": sorted([K.PLAN, K.RECTIFICATION_ANSWER, K.DECISION]),
        "auditor_other": [],
        "committee": [K.REPORT],  # the decision is their own
        "committee2": [K.REPORT],
    }
    accepted = Notification.objects.get(user=people["ent_admin"], kind=K.APPLICATION_ACCEPTED)
    assert f"¥{money(Quotation.objects.get().total)}" in accepted.subject  # ¥19,000.00, as the quotation
    # one mail per notification, to its own person only
    mails = Counter(m.to[0] for m in mail.outbox)
    assert mails == {f"{name}@example.cn": len(kinds) for name, kinds in told.items() if kinds}


def test_a_repeated_delivery_tells_nobody_twice(world, people, django_capture_on_commit_callbacks):
    from aftersales.certification.models import CaseEvent
    from aftersales.events.chain import event_appended

    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(world, Case.Status.SUBMITTED)
    before = Notification.objects.count()
    event = CaseEvent.objects.get(case=case, action="application.submitted")
    event_appended.send(sender=CaseEvent, event=event)
    assert before == 2 and Notification.objects.count() == before and len(mail.outbox) == 2


def test_a_rolled_back_step_tells_nobody(world, people, django_capture_on_commit_callbacks):
    from aftersales.certification import review

    case = make_case(world, Case.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(StepRefused):
        review.application_request_info(case=case, questions=["  "], by=people["reviewer"])
    assert not Notification.objects.filter(kind=K.INFO_REQUESTED).exists()

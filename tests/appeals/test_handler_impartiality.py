"""Nobody who acted on the contested case handles its appeal (issue 21, "also tighten"): the case's
event history and its certificate's say who acted."""

import pytest
from django.utils import translation

from aftersales.accounts.models import Membership, Role
from aftersales.appeals import services
from aftersales.appeals.selectors import handler_candidates
from aftersales.appeals.services import AppealRefused
from aftersales.certification.cases import case_event_record
from tests.certificates.factories import issued

from .factories import lodged

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_cb_admin_who_recorded_the_contract_and_issued_the_certificate_cannot_handle_it(world):
    p = world["people"]
    certificate = issued(world)
    case = certificate.cases.get().case
    case_event_record(case=case, action="contract.signed", by=p["cb_admin"])
    appeal = lodged(world, case=case)
    with pytest.raises(AppealRefused) as exc:
        services.appeal_assign(appeal=appeal, handler=p["cb_admin"], by=p["cb_admin"])
    assert exc.value.rules == ("acted",)
    assert f"cb_admin acted on case {case.reference}" in str(exc.value)
    assert appeal.handler is None


def test_the_certificate_issuer_alone_is_excluded_too(world):
    p = world["people"]
    certificate = issued(world)
    appeal = lodged(world, case=certificate.cases.get().case)
    with pytest.raises(AppealRefused) as exc:
        services.appeal_assign(appeal=appeal, handler=p["cb_admin"], by=p["cb_admin"])
    assert exc.value.rules == ("acted",)


def test_the_reviewer_who_planned_the_audit_cannot_handle_it(world):
    appeal = lodged(world)  # the reviewer saved the plan and chose the team (tests/audits/factories.py)
    may = {u.username: [rule for rule, _m in why] for u, why in handler_candidates(appeal)}
    assert may["reviewer"] == ["acted"] and may["auditor_other"] == []
    with pytest.raises(AppealRefused, match="reviewer acted on case"):
        services.appeal_assign(appeal=appeal, handler=world["people"]["reviewer"], by=world["people"]["cb_admin"])


def test_a_member_of_the_applicant_cannot_handle_it(world):
    p = world["people"]
    appeal = lodged(world)
    Membership.objects.create(
        user=p["ent_member"], organisation=world["cb"], role=Role.REVIEWER
    )  # made before the rule
    with pytest.raises(AppealRefused) as exc:
        services.appeal_assign(appeal=appeal, handler=p["ent_member"], by=p["cb_admin"])
    assert exc.value.rules == ("applicant",)


def test_a_handler_who_acts_on_the_case_after_assignment_cannot_decide(world):
    p = world["people"]
    appeal = lodged(world)
    services.appeal_assign(appeal=appeal, handler=p["auditor_other"], by=p["cb_admin"])
    services.appeal_acknowledge(appeal=appeal, by=p["cb_admin"])
    case_event_record(case=appeal.case, action="audit.note", by=p["auditor_other"])
    with pytest.raises(AppealRefused, match="acted on case"):
        services.appeal_review_start(appeal=appeal, by=p["auditor_other"])

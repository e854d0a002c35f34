"""The eligibility line "last self-assessment" reads the enterprise's own self-assessments only, and
a submitted application's eligibility result is frozen (issue 23 §2)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.assessments import services as assessments
from aftersales.assessments.models import Answer
from aftersales.certification.models import Application, Case, CaseEvent
from aftersales.certification.selectors import eligibility_check, eligibility_of
from aftersales.policy import policy_on
from aftersales.schemes.selectors import scheme_of
from tests.audits.factories import case_at

from .helpers import make_case

pytestmark = pytest.mark.django_db


def finished_self_assessment(world, kind: str):
    """The world's self-assessment answered `kind` on every item and finished."""
    a = world["assessment"]
    Answer.objects.bulk_create(
        Answer(assessment=a, item_code=i.code, kind=kind, reason="自评", updated_by=world["people"]["ent_admin"])
        for i in scheme_of(a.scheme_version).items
    )
    return assessments.assessment_finish(assessment=a, by=world["people"]["ent_admin"])


def rule(result, code: str):
    return next(r for r in result.rules if r.code == code)


def test_the_last_self_assessment_line_ignores_the_cbs_audit_scoring(world):
    own = finished_self_assessment(world, "nonconform")
    reported = case_at(world, Case.Status.REPORTED)  # its audit scoring finished later, at five stars
    assert reported.audit.assessment.level == "five_star"
    assert reported.audit.assessment.finished_at > own.finished_at
    case = make_case(world, direct=True)
    line = rule(
        eligibility_check(case, Application.objects.get(case=case), as_of=timezone.localdate()), "self_assessment"
    )
    assert line.outcome.value == "fail"
    assert line.explanation.en.endswith(": not qualified")


def test_a_submitted_applications_eligibility_is_frozen_with_the_rules_version(world):
    case = make_case(world, Case.Status.SUBMITTED)
    frozen = Application.objects.get(case=case).eligibility
    assert frozen["as_of"] == timezone.localdate().isoformat()
    assert frozen["policy"] == policy_on(timezone.localdate()).pin
    assert frozen["scheme"]["sha256"] == world["gbt"].sha256
    assert rule(eligibility_of(case), "self_assessment").outcome.value == "fail"  # none finished yet
    event = CaseEvent.objects.filter(case=case, action="application.submitted").get()
    assert event.data["eligibility"]["policy"] == frozen["policy"]

    finished_self_assessment(world, "conform")  # after submission: the live check would now pass
    application = Application.objects.get(case=case)
    assert rule(eligibility_check(case, application, as_of=timezone.localdate()), "self_assessment").passed
    case.refresh_from_db()
    assert rule(eligibility_of(case), "self_assessment").outcome.value == "fail"
    assert [r.code for r in eligibility_of(case).rules] == [r["code"] for r in frozen["rules"]]


def test_the_case_page_says_the_eligibility_is_as_submitted(client, world):
    case = make_case(world, Case.Status.SUBMITTED)
    client.force_login(world["people"]["ent_admin"])
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'id="eligibility-frozen"' in page


def test_submitting_asks_for_confirmation_and_changes_nothing_without_it(client, world):
    case = make_case(world)
    client.force_login(world["people"]["ent_admin"])
    response = client.post(reverse("case_submit", args=[case.pk]))
    assert response.status_code == 200 and 'name="confirm" value="yes"' in response.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.DRAFT and not Application.objects.get(case=case).eligibility
    client.post(reverse("case_submit", args=[case.pk]), {"confirm": "yes"})
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED


def test_finishing_a_self_assessment_asks_for_confirmation(client, world):
    a = world["assessment"]
    assessments.answers_remaining_conform(assessment=a, by=world["people"]["ent_admin"])
    client.force_login(world["people"]["ent_admin"])
    response = client.post(reverse("assessment_finish", args=[a.pk]))
    assert response.status_code == 200 and "此操作不可撤销" in response.content.decode()
    a.refresh_from_db()
    assert not a.is_frozen
    client.post(reverse("assessment_finish", args=[a.pk]), {"confirm": "yes"})
    a.refresh_from_db()
    assert a.is_frozen

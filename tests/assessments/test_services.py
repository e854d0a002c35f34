"""Self-assessment services: validation, versions, freezing, events."""

import pytest

from aftersales.assessments import services
from aftersales.assessments.models import Answer
from aftersales.assessments.selectors import assessment_score
from aftersales.core.problems import ProblemsError
from aftersales.core.scheme import Level
from aftersales.events.models import Event
from aftersales.schemes.selectors import scheme_of

pytestmark = pytest.mark.django_db


def answer_all(world, kind="conform"):
    a, user = world["assessment"], world["people"]["ent_admin"]
    for item in scheme_of(world["gbt"]).items:
        services.answer_save(assessment=a, item_code=item.code, kind=kind, expected_version=0, by=user)


def test_it_counts_unanswered_items_as_earning_nothing(world):
    live = assessment_score(world["assessment"])
    assert live.result.score == 0 and len(live.unanswered) == 42
    services.answer_save(
        assessment=world["assessment"],
        item_code="5.1.2.2",
        kind="conform",
        expected_version=0,
        by=world["people"]["ent_admin"],
    )
    live = assessment_score(world["assessment"])
    assert live.result.score == 5 and live.answered_count == 1


def test_it_raises_the_level_as_answers_come_in(world):
    answer_all(world)
    live = assessment_score(world["assessment"])
    assert live.result.level is Level.FIVE_STAR and not live.unanswered


def test_it_refuses_a_stale_version_and_keeps_the_first_answer(world):
    a, admin, member = world["assessment"], world["people"]["ent_admin"], world["people"]["ent_member"]
    services.answer_save(assessment=a, item_code="5.1.1.1", kind="conform", expected_version=0, by=admin)
    with pytest.raises(services.EditConflict) as exc:
        services.answer_save(assessment=a, item_code="5.1.1.1", kind="nonconform", expected_version=0, by=member)
    assert exc.value.current.updated_by == admin
    assert Answer.objects.get(assessment=a, item_code="5.1.1.1").kind == "conform"
    services.answer_save(assessment=a, item_code="5.1.1.1", kind="nonconform", expected_version=1, by=member)
    assert Answer.objects.get(assessment=a, item_code="5.1.1.1").version == 2


def test_it_refuses_an_answer_the_item_does_not_allow(world):
    with pytest.raises(ProblemsError) as exc:
        services.answer_save(
            assessment=world["assessment"],
            item_code="5.1.1.1",
            kind="na",
            reason="x",
            expected_version=0,
            by=world["people"]["ent_admin"],
        )
    assert exc.value.problems[0].code == "na_not_excludable"
    with pytest.raises(ProblemsError) as exc:
        services.answer_save(
            assessment=world["assessment"],
            item_code="5.1.2.2",
            kind="sampled",
            sampled=5,
            nonconforming=6,
            expected_version=0,
            by=world["people"]["ent_admin"],
        )
    assert exc.value.problems[0].code == "nonconforming_invalid"
    assert not Answer.objects.exists()


def test_it_refuses_to_finish_with_unanswered_items(world):
    with pytest.raises(ProblemsError) as exc:
        services.assessment_finish(assessment=world["assessment"], by=world["people"]["ent_admin"])
    assert len(exc.value.problems) == 42


def test_it_freezes_a_finished_assessment_with_its_scheme_hash(world):
    answer_all(world)
    a = services.assessment_finish(assessment=world["assessment"], by=world["people"]["ent_admin"])
    assert a.is_frozen and a.level == "five_star" and a.result["scheme"]["sha256"] == world["gbt"].sha256
    with pytest.raises(services.AssessmentFrozen):
        services.answer_save(
            assessment=a, item_code="5.1.1.1", kind="nonconform", expected_version=1, by=world["people"]["ent_admin"]
        )
    with pytest.raises(services.AssessmentFrozen):
        services.special_add(assessment=a, type="bonus", reason="x", by=world["people"]["ent_admin"])


def test_it_starts_from_a_baseline_with_its_answers(world):
    answer_all(world)
    services.special_add(
        assessment=world["assessment"], type="deduction", kind="law", reason="未公示", by=world["people"]["ent_admin"]
    )
    base = services.assessment_finish(assessment=world["assessment"], by=world["people"]["ent_admin"])
    new = services.assessment_start(
        enterprise=world["enterprise"], scheme_version=world["gbt"], by=world["people"]["ent_admin"], baseline=base
    )
    assert new.answers.count() == 42 and new.specials.count() == 1 and new.status == "draft"


def test_it_refuses_a_second_bonus_and_a_deduction_without_kind(world):
    a, user = world["assessment"], world["people"]["ent_admin"]
    services.special_add(assessment=a, type="bonus", reason="7×24 小时上门", by=user)
    with pytest.raises(ProblemsError) as exc:
        services.special_add(assessment=a, type="bonus", reason="另一项", by=user)
    assert exc.value.problems[0].code == "bonus_too_many"
    with pytest.raises(ProblemsError) as exc:
        services.special_add(assessment=a, type="deduction", kind="", reason="x", by=user)
    assert exc.value.problems[0].code == "deduction_kind_unknown"
    assert a.specials.count() == 1


def test_it_records_an_event_for_every_change(world):
    a, user = world["assessment"], world["people"]["ent_admin"]
    services.answer_save(assessment=a, item_code="5.1.1.1", kind="conform", expected_version=0, by=user)
    actions = list(
        Event.objects.filter(subject_type="assessments.assessment", subject_id=str(a.pk)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["assessment.answer_saved", "assessment.started"]
    assert Event.objects.filter(action="assessment.answer_saved").get().actor == user


def test_it_refuses_an_enterprise_with_a_bad_credit_code(db):
    from django.core.exceptions import ValidationError

    from aftersales.accounts.models import Organisation
    from aftersales.accounts.services import organisation_create

    with pytest.raises(ValidationError) as exc:
        organisation_create(kind=Organisation.Kind.ENTERPRISE, name="x", credit_code="91330106MA2AXXXX1A", by_label="t")
    assert "credit_code" in exc.value.message_dict
    assert not Organisation.objects.exists()

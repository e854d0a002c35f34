"""The CB's review: information requests answered item by item, refusal, man-days, acceptance with a
quotation, contract; every illegal step refused with nothing changed."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.certification import review, services
from aftersales.certification.cases import TransitionRefused, case_chain_breaks
from aftersales.certification.models import Case, CaseEvent, Contract, Exclusion, InfoItem, Quotation, Review
from aftersales.certification.services import StepRefused

from .helpers import make_case, pdf, review_complete

pytestmark = pytest.mark.django_db


def state(case):
    case.refresh_from_db()
    return (
        case.status,
        case.event_count,
        Review.objects.filter(case=case).values_list("man_days_calculated", "audit_mode").first(),
        InfoItem.objects.filter(case=case).count(),
        Quotation.objects.filter(case=case).count(),
        Contract.objects.filter(case=case).count(),
        list(Exclusion.objects.filter(application__case=case).values_list("confirmed", flat=True)),
    )


def test_it_asks_for_more_and_the_applicant_answers_item_by_item_then_resubmits(world):
    case = make_case(world, Case.Status.INFO_REQUESTED)
    items = list(InfoItem.objects.filter(case=case))
    assert [i.question for i in items] == ["请补充网点清单", "请说明委托协议"]
    admin = world["people"]["ent_admin"]
    services.info_answer(item=items[0], answer="已上传新版网点清单", by=admin)
    with pytest.raises(StepRefused) as exc:
        services.application_submit(case=case, by=admin)
    assert exc.value.problems == ["Missing: Answer to “请说明委托协议”"]
    services.info_answer(item=items[1], answer="见附件委托协议", by=admin)
    services.application_submit(case=case, by=admin)
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    assert list(case.events.values_list("action", flat=True))[-4:] == [
        "application.info_requested",
        "application.info_answered",
        "application.info_answered",
        "application.resubmitted",
    ]


def test_it_refuses_an_empty_answer_or_an_answer_after_resubmission(world):
    case = make_case(world, Case.Status.INFO_REQUESTED)
    item = InfoItem.objects.filter(case=case).first()
    with pytest.raises(StepRefused, match="write an answer"):
        services.info_answer(item=item, answer="  ", by=world["people"]["ent_admin"])
    for i in InfoItem.objects.filter(case=case):
        services.info_answer(item=i, answer="好", by=world["people"]["ent_admin"])
    services.application_submit(case=case, by=world["people"]["ent_admin"])
    before = state(case)
    with pytest.raises(StepRefused, match="no open request"):
        services.info_answer(item=item, answer="再改", by=world["people"]["ent_admin"])
    assert state(case) == before


def test_it_closes_the_questions_of_an_earlier_round(world):
    case = make_case(world, Case.Status.INFO_REQUESTED)
    for i in InfoItem.objects.filter(case=case):
        services.info_answer(item=i, answer="好", by=world["people"]["ent_admin"])
    services.application_submit(case=case, by=world["people"]["ent_admin"])
    review.application_request_info(case=case, questions=["第二轮问题"], by=world["people"]["reviewer"])
    old = InfoItem.objects.filter(case=case, round=1).first()
    with pytest.raises(StepRefused, match="earlier request"):
        services.info_answer(item=old, answer="x", by=world["people"]["ent_admin"])
    assert list(InfoItem.objects.filter(case=case).values_list("round", flat=True)) == [1, 1, 2]


def test_it_needs_at_least_one_question(world):
    case = make_case(world, Case.Status.SUBMITTED)
    before = state(case)
    with pytest.raises(StepRefused, match="at least one item"):
        review.application_request_info(case=case, questions=["", " "], by=world["people"]["reviewer"])
    assert state(case) == before


def test_it_refuses_with_reasons(world):
    case = make_case(world, Case.Status.SUBMITTED)
    with pytest.raises(StepRefused, match="Reasons"):
        review.application_refuse(case=case, reason="", by=world["people"]["reviewer"])
    review.application_refuse(case=case, reason="管理师人数不足", by=world["people"]["reviewer"])
    case.refresh_from_db()
    assert case.status == Case.Status.REFUSED
    assert case.events.last().reason == "管理师人数不足"


def test_it_calculates_man_days_from_the_rule_and_keeps_the_lines(world):
    case = make_case(world, Case.Status.SUBMITTED)
    r = review_complete(case, world["people"]["reviewer"])
    # staff 120 → band ≤ 200, medium: 2.5; 3 categories → 2 × 0.25 = 0.5; 2 outlets × 0.5 = 1 → 4
    assert r.man_days_calculated == Decimal("4.00")
    assert r.man_days == Decimal("4.00")
    assert [line["amount"] for line in r.calculation["lines"]] == ["2.5", "0.5", "1", "4", "4", "4"]
    event = case.events.last()
    assert (event.action, event.public) == ("review.saved", False)


def test_it_overrides_man_days_only_with_a_reason(world):
    case = make_case(world, Case.Status.SUBMITTED)
    with pytest.raises(StepRefused) as exc:
        review_complete(case, world["people"]["reviewer"], man_days_override=Decimal("5.25"))
    assert exc.value.problems == [
        "Man-days (override): a positive multiple of 0.5.",
        "Reason for the override: required when the man-days are overridden.",
    ]
    assert not Review.objects.filter(case=case).exists()
    r = review_complete(case, world["people"]["reviewer"], man_days_override=Decimal("5.5"), override_reason="多地点")
    assert (r.man_days_calculated, r.man_days) == (Decimal("4.00"), Decimal("5.5"))


def test_it_refuses_more_outlets_than_the_application_lists(world):
    case = make_case(world, Case.Status.SUBMITTED)
    with pytest.raises(StepRefused, match="lists 2 fixed outlets"):
        review_complete(case, world["people"]["reviewer"], outlets_visited=3, audit_mode="drone")
    assert not Review.objects.filter(case=case).exists()


def test_it_accepts_only_a_complete_review(world):
    case = make_case(world, Case.Status.SUBMITTED)
    reviewer = world["people"]["reviewer"]
    with pytest.raises(StepRefused, match="set the audit mode"):
        review.application_accept(case=case, travel_estimate="0", by=reviewer)
    review_complete(case, reviewer, scope_confirmed=False, exclusions={})
    before = state(case)
    with pytest.raises(StepRefused) as exc:
        review.application_accept(case=case, travel_estimate="0", by=reviewer)
    assert exc.value.problems == ["Review: confirm the scope first.", "Exclusion 5.2.6.1: confirm or reject it first."]
    assert state(case) == before


def test_it_accepts_with_an_exact_quotation(world):
    case = make_case(world, Case.Status.SUBMITTED)
    review_complete(case, world["people"]["reviewer"])
    q = review.application_accept(case=case, travel_estimate="1234.50", by=world["people"]["reviewer"])
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    # 1000 application + 4 × 3000 audit + 1000 registration + 2000 annual + 1234.50 travel
    assert q.total == Decimal("17234.50")
    assert [(ln["code"], ln["amount"]) for ln in q.lines["lines"]][1] == ("audit", "12000.00")
    assert case.events.last().data["quotation_total"] == "17234.50"


def test_it_refuses_a_bad_travel_estimate(world):
    case = make_case(world, Case.Status.SUBMITTED)
    review_complete(case, world["people"]["reviewer"])
    before = state(case)
    for bad in ("abc", "-1", "1.234"):
        with pytest.raises(StepRefused, match="Travel estimate"):
            review.application_accept(case=case, travel_estimate=bad, by=world["people"]["reviewer"])
    assert state(case) == before


def test_it_records_the_signed_contract_with_its_file(world):
    case = make_case(world, Case.Status.ACCEPTED)
    c = review.contract_record(
        case=case, signed_on=date(2026, 1, 5), signed_by="张伟", upload=pdf("合同.pdf"), by=world["people"]["cb_admin"]
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CONTRACTED
    assert c.sha256 and c.original_name == "合同.pdf"
    assert case_chain_breaks(case) == []


def test_it_refuses_a_contract_signed_in_the_future_or_without_a_signer(world):
    case = make_case(world, Case.Status.ACCEPTED)
    before = state(case)
    with pytest.raises(StepRefused) as exc:
        review.contract_record(
            case=case, signed_on=timezone.localdate() + timedelta(days=1), signed_by="", by=world["people"]["cb_admin"]
        )
    assert len(exc.value.problems) == 2
    assert state(case) == before


ILLEGAL = {
    # step → statuses in which it must be refused
    "request_info": [
        Case.Status.DRAFT,
        Case.Status.INFO_REQUESTED,
        Case.Status.REFUSED,
        Case.Status.ACCEPTED,
        Case.Status.CONTRACTED,
        Case.Status.WITHDRAWN,
    ],
    "refuse": [
        Case.Status.DRAFT,
        Case.Status.INFO_REQUESTED,
        Case.Status.REFUSED,
        Case.Status.ACCEPTED,
        Case.Status.CONTRACTED,
        Case.Status.WITHDRAWN,
    ],
    "review": [
        Case.Status.DRAFT,
        Case.Status.INFO_REQUESTED,
        Case.Status.REFUSED,
        Case.Status.ACCEPTED,
        Case.Status.WITHDRAWN,
    ],
    "accept": [
        Case.Status.DRAFT,
        Case.Status.INFO_REQUESTED,
        Case.Status.REFUSED,
        Case.Status.ACCEPTED,
        Case.Status.CONTRACTED,
        Case.Status.WITHDRAWN,
    ],
    "contract": [
        Case.Status.DRAFT,
        Case.Status.SUBMITTED,
        Case.Status.INFO_REQUESTED,
        Case.Status.REFUSED,
        Case.Status.CONTRACTED,
        Case.Status.WITHDRAWN,
    ],
}


def _do(step, case, world):
    reviewer = world["people"]["reviewer"]
    if step == "request_info":
        review.application_request_info(case=case, questions=["q"], by=reviewer)
    elif step == "refuse":
        review.application_refuse(case=case, reason="r", by=reviewer)
    elif step == "review":
        review_complete(case, reviewer)
    elif step == "accept":
        review.application_accept(case=case, travel_estimate="0", by=reviewer)
    elif step == "contract":
        review.contract_record(case=case, signed_on=date(2026, 1, 1), signed_by="x", by=reviewer)


@pytest.mark.parametrize(("step", "status"), [(s, st) for s, sts in ILLEGAL.items() for st in sts])
def test_it_refuses_each_illegal_step_and_changes_nothing(world, step, status):
    case = make_case(world, status)
    before = state(case)
    events = CaseEvent.objects.filter(case=case).count()
    with pytest.raises((TransitionRefused, StepRefused)) as exc:
        _do(step, case, world)
    assert case.reference in str(exc.value)
    assert state(case) == before
    assert CaseEvent.objects.filter(case=case).count() == events

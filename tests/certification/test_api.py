"""The JSON API calls the same services: a whole application, refusals as 409 with the problems."""

import json

import pytest
from django.urls import reverse

from aftersales.certification import services
from aftersales.certification.models import Case

from .helpers import make_case

pytestmark = pytest.mark.django_db


def call(client, method, name, *args, body=None):
    kwargs = {"content_type": "application/json"} if body is not None else {}
    data = json.dumps(body, ensure_ascii=False) if body is not None else None
    response = getattr(client, method)(reverse(f"api:{name}", args=args), data, **kwargs)
    return response.status_code, response.json()


def test_it_reviews_accepts_and_contracts_through_the_api(client, world):
    case = make_case(world, Case.Status.SUBMITTED)
    client.force_login(world["people"]["reviewer"])
    status, body = call(
        client,
        "post",
        "case_api_review",
        case.pk,
        body={
            "audit_mode": "remote",
            "risk_class": "low",
            "outlets_visited": 2,
            "scope_confirmed": True,
            "exclusions": {"5.2.6.1": True},
        },
    )
    assert status == 200
    assert body["man_days"] == "3.50"  # 2 + 0.5 + 1 = 3.5
    status, body = call(client, "post", "case_api_accept", case.pk, body={"travel_estimate": "0"})
    assert (status, body["total"]) == (200, "14500.00")
    status, body = call(
        client, "post", "case_api_contract", case.pk, body={"signed_on": "2026-01-05", "signed_by": "张伟"}
    )
    assert (status, body["status"]) == (200, "contracted")
    status, events = call(client, "get", "case_api_events", case.pk)
    assert [e["action"] for e in events][-3:] == ["review.saved", "application.accepted", "contract.signed"]


def test_it_answers_409_with_the_problems_and_changes_nothing(client, world):
    case = make_case(world, Case.Status.DRAFT)
    client.force_login(world["people"]["ent_admin"])
    status, body = call(
        client,
        "put",
        "case_api_application",
        case.pk,
        body={"products": ["空调"], "exclusions": [{"item_code": "5.1.2.2", "reason": "无"}]},
    )
    assert status == 409
    assert body["problems"] == [  # in the default language, Chinese
        "删减第 1 行：条款 5.1.2.2 不可删减，本方案要求所有企业均须满足。"
    ]
    case.refresh_from_db()
    assert case.application.products == "空调\n冰箱\n洗衣机"
    services.case_withdraw(case=case, reason="改日再申请", by=world["people"]["ent_admin"])
    asked = make_case(world, Case.Status.INFO_REQUESTED)  # a draft is not the CB's to see (404)
    client.force_login(world["people"]["reviewer"])
    status, body = call(client, "post", "case_api_accept", asked.pk, body={"travel_estimate": "0"})
    assert status == 409 and asked.reference in body["problems"][0]


def test_it_hides_internal_events_from_the_enterprise(client, world):
    case = make_case(world, Case.Status.ACCEPTED)
    client.force_login(world["people"]["ent_member"])
    _, events = call(client, "get", "case_api_events", case.pk)
    assert "review.saved" not in [e["action"] for e in events]
    assert all(e["public"] for e in events)


def test_it_explains_eligibility(client, world):
    case = make_case(world, Case.Status.DRAFT, complete=False)
    client.force_login(world["people"]["ent_member"])
    status, body = call(client, "get", "case_api_eligibility", case.pk)
    assert status == 200
    rules = {r["code"]: r for r in body["rules"]}
    assert rules["records"]["outcome"] == "fail"  # no service records imported: every month is missing
    assert rules["self_assessment"]["outcome"] == "fail"  # the world's self-assessment is not finished
    assert "认证范围内的产品类别" in body["missing"]  # product categories in scope


def test_it_opens_a_case_and_refuses_a_second_one(client, world):
    client.force_login(world["people"]["ent_admin"])
    body = {"cb": world["cb"].pk, "scheme": world["gbt"].pk}
    status, created = call(client, "post", "case_api_open", body=body)
    assert status == 201 and created["status"] == "draft"
    status, refused = call(client, "post", "case_api_open", body=body)
    assert status == 409 and created["reference"] in refused["problems"][0]

"""The audits JSON API: the same services and refusals as the pages."""

import json

import pytest
from django.urls import reverse

from aftersales.certification.models import Case

from .factories import case_at

pytestmark = pytest.mark.django_db
S = Case.Status
JSON = "application/json"


def call(client, method, name, *args, body=None):
    url = reverse(f"api:{name}", args=args)
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, json.dumps(body), content_type=JSON)


def test_it_saves_an_item_with_a_version_check(client, world):
    case = case_at(world, S.AUDIT, with_nc=False)
    client.force_login(world["people"]["auditor"])
    ok = call(client, "put", "audit_api_item", case.pk, "5.1.1.1", body={"kind": "nonconform", "version": 1})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = call(client, "put", "audit_api_item", case.pk, "5.1.1.1", body={"kind": "conform", "version": 1})
    assert stale.status_code == 409 and stale.json()["current"]["kind"] == "nonconform"
    bad = call(client, "put", "audit_api_item", case.pk, "5.1.2.1", body={"kind": "sampled", "version": 1})
    assert bad.status_code == 422 and bad.json()["problems"]


def test_it_refuses_an_illegal_step_with_409_and_its_message(client, world):
    case = case_at(world, S.PLANNED)
    client.force_login(world["people"]["auditor"])
    response = call(client, "post", "audit_api_start", case.pk)
    assert response.status_code == 409 and case.reference in response.json()["problems"][0]
    case.refresh_from_db()
    assert case.status == S.PLANNED


def test_it_shows_the_picker_with_reasons(client, world):
    from datetime import date

    from aftersales.audits import auditors

    from .factories import auditor_of

    case = case_at(world, S.CONTRACTED)
    auditors.conflict_declare(
        auditor=auditor_of(world, "auditor_other"),
        enterprise=world["enterprise"],
        kind="employment",
        start=date(2024, 1, 1),
        end=None,
        by=world["people"]["cb_admin"],
    )
    client.force_login(world["people"]["reviewer"])
    rows = {r["name"]: r for r in call(client, "get", "audit_api_picker", case.pk).json()}
    assert rows["auditor"]["allowed"] and not rows["auditor_other"]["allowed"]
    assert rows["auditor_other"]["reasons"]


def test_it_decides_through_the_api_and_the_chain_stays_intact(client, world):
    case = case_at(world, S.REPORTED)
    client.force_login(world["people"]["committee"])
    no_reason = call(client, "post", "audit_api_decision", case.pk, body={"outcome": "approve", "reasons": " "})
    assert no_reason.status_code == 409
    body = {"outcome": "approve", "reasons": "同意", "no_conflict": True}
    done = call(client, "post", "audit_api_decision", case.pk, body=body)
    assert done.status_code == 201 and done.json()["level"] == "five_star"
    chain = call(client, "get", "audit_api_chain", case.pk).json()
    assert chain["intact"] is True


def test_it_hides_draft_scores_and_unsent_plans_from_the_enterprise(client, world):
    client.force_login(world["people"]["ent_admin"])
    contracted = case_at(world, S.CONTRACTED)
    assert call(client, "get", "audit_api_get", contracted.pk).status_code == 404
    audit = case_at(world, S.AUDIT)
    assert call(client, "get", "audit_api_items", audit.pk).status_code == 404
    assert call(client, "get", "audit_api_findings", audit.pk).status_code == 404

"""The registry's JSON endpoints and the published signing keys: public, same fields as the page."""

import pytest

from aftersales.certificates import services
from aftersales.certificates.models import SigningKey

pytestmark = pytest.mark.django_db


def test_it_answers_a_certificate_by_number_without_login(client, haichuan):
    response = client.get(f"/api/registry/{haichuan.number.lower()}")
    assert response.status_code == 200
    data = response.json()
    v = haichuan.versions.get(seq=haichuan.version_count)
    assert data["number"] == haichuan.number and data["status"] == "valid"
    assert data["enterprise"] == {
        "name": "杭州海川电器有限公司",
        "credit_code": haichuan.credit_code,
        "address": v.address,
    }
    assert data["level"] == "five_star" and data["stars"] == 5 and data["score"] == v.score_display
    assert data["expires_on"] == haichuan.expires_on.isoformat() and data["version"] == 1
    assert data["history"][0]["action"] == "certificate.issued"
    assert data["registry_url"].endswith(f"/registry/{haichuan.number}/")
    assert "next_due" in data["surveillance"] and data["as_of"]


def test_it_never_answers_internal_events_or_actors(client, world, haichuan):
    services.certificate_event_record(
        certificate=haichuan,
        action="certificate.note",
        by=world["people"]["cb_admin"],
        reason="内部理由",
        public=False,
    )
    services.certificate_suspend(certificate=haichuan, reason="监督审核未按期进行", by=world["people"]["cb_admin"])
    body = client.get(f"/api/registry/{haichuan.number}").content.decode()
    assert "内部理由" not in body and "certificate.note" not in body and "cb_admin" not in body
    history = client.get(f"/api/registry/{haichuan.number}").json()["history"]
    assert [h["action"] for h in history] == ["certificate.issued", "certificate.suspended"]
    assert history[1]["to"] == "suspended" and history[1]["reason"] == "监督审核未按期进行"


def test_it_answers_404_for_an_unknown_number(client, haichuan):
    assert client.get("/api/registry/ASC26SC99999X").status_code == 404


@pytest.mark.parametrize("query", ["海川", "haichuan", "hzhc"])
def test_it_searches_by_name_and_pinyin(client, haichuan, query):
    data = client.get("/api/registry/", {"q": query}).json()
    assert data["count"] == 1 and data["results"][0]["number"] == haichuan.number
    assert data["results"][0]["status"] == "valid" and data["results"][0]["certification_body"]


def test_it_searches_by_credit_code_and_number(client, haichuan):
    assert client.get("/api/registry/", {"q": haichuan.credit_code}).json()["count"] == 1
    assert client.get("/api/registry/", {"q": haichuan.number.lower()}).json()["count"] == 1
    assert client.get("/api/registry/", {"q": "无此企业"}).json() == {
        "query": "无此企业",
        "count": 0,
        "page": 1,
        "pages": 1,
        "results": [],
    }


def test_it_publishes_the_signing_keys_at_the_well_known_address(client, haichuan):
    response = client.get("/.well-known/aftersales-cert-keys.json")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    keys = response.json()["keys"]
    assert {k["kid"] for k in keys} == set(SigningKey.objects.values_list("key_id", flat=True)) != set()
    assert all(k["kty"] == "OKP" and k["crv"] == "Ed25519" and k["x"] for k in keys)
    used = haichuan.versions.get(seq=1).key_id
    assert used in {k["kid"] for k in keys}

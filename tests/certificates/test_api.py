"""The certificates JSON API: lists and details by access, status actions and changes for the CB's admin."""

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.certificates import services
from aftersales.certificates.models import Certificate

from .factories import certificate_in, issued, new_enterprise

pytestmark = pytest.mark.django_db
S = Certificate.Status
JSON = "application/json"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def as_(client, world, persona):
    client.force_login(world["people"][persona])
    return client


def api(name, *args):
    return reverse(f"api:{name}", args=args)


def test_it_lists_the_certificates_the_user_may_see(client, world):
    mine = issued(world)
    theirs = issued(world, enterprise=new_enterprise("丙企业"))
    numbers = [c["number"] for c in as_(client, world, "ent_member").get(api("certificate_api_list")).json()]
    assert numbers == [mine.number]
    rows = as_(client, world, "committee").get(api("certificate_api_list"), {"q": "bingqiye"}).json()
    assert [c["number"] for c in rows] == [theirs.number]
    assert rows[0]["status"] == "valid" and rows[0]["level_text"] == "five-star"
    assert as_(client, world, "auditor").get(api("certificate_api_list")).json() == []
    client.logout()
    assert client.get(api("certificate_api_list")).status_code == 401


def test_the_detail_has_versions_history_and_surveillances(client, world):
    certificate = issued(world)
    services.certificate_event_record(
        certificate=certificate, action="note.internal", by=world["people"]["cb_admin"], reason="内部", public=False
    )
    body = as_(client, world, "ent_admin").get(api("certificate_api_detail", certificate.number)).json()
    assert body["number"] == certificate.number and len(body["versions"]) == 1
    assert body["versions"][0]["reason"] == "issue" and body["versions"][0]["signature"]
    assert "certificate.issued" in [e["action"] for e in body["history"]]
    assert "note.internal" not in [e["action"] for e in body["history"]]
    body = as_(client, world, "reviewer").get(api("certificate_api_detail", certificate.number)).json()
    assert "note.internal" in [e["action"] for e in body["history"]]
    for persona in ("other_admin", "auditor"):
        assert as_(client, world, persona).get(api("certificate_api_detail", certificate.number)).status_code == 404


def test_the_cb_admin_suspends_and_restores(client, world):
    certificate = issued(world)
    as_(client, world, "cb_admin")
    url = api("certificate_api_status", certificate.number)
    response = client.post(url, {"action": "suspend", "reason": "标志误用"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    assert response.json()["history"][0]["reason"] == "标志误用"
    response = client.post(url, {"action": "restore", "reason": "已整改"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "valid"


def test_an_illegal_transition_is_409_with_the_message_and_changes_nothing(client, world):
    certificate = certificate_in(world, S.CANCELLED)
    count = certificate.events.count()
    response = as_(client, world, "cb_admin").post(
        api("certificate_api_status", certificate.number), {"action": "suspend", "reason": "x"}, content_type=JSON
    )
    assert response.status_code == 409
    assert response.json()["problems"] == [
        f"Certificate {certificate.number} is “cancelled”; it cannot become “suspended”."
    ]
    certificate.refresh_from_db()
    assert certificate.status == S.CANCELLED and certificate.events.count() == count


def test_an_unknown_action_or_missing_reason_is_409(client, world):
    certificate = issued(world)
    as_(client, world, "cb_admin")
    url = api("certificate_api_status", certificate.number)
    assert client.post(url, {"action": "revoke", "reason": "x"}, content_type=JSON).status_code == 409
    response = client.post(url, {"action": "withdraw", "reason": " "}, content_type=JSON)
    assert response.status_code == 409 and "reason" in response.json()["problems"][0]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("reviewer", 403), ("committee", 403), ("ent_admin", 403), ("other_admin", 404), ("auditor", 404)],
)
def test_only_the_cb_admin_acts(client, world, persona, status):
    certificate = issued(world)
    as_(client, world, persona)
    body = {"action": "suspend", "reason": "x"}
    assert client.post(api("certificate_api_status", certificate.number), body, content_type=JSON).status_code == status
    change = {"reason": "level", "note": "x", "level": "three_star"}
    assert (
        client.post(api("certificate_api_change", certificate.number), change, content_type=JSON).status_code == status
    )
    certificate.refresh_from_db()
    assert certificate.status == S.VALID and certificate.version_count == 1


def test_the_cb_admin_changes_the_level_as_a_new_version(client, world):
    certificate = issued(world)
    as_(client, world, "cb_admin")
    url = api("certificate_api_change", certificate.number)
    response = client.post(url, {"reason": "level", "note": "复核降级", "level": "four_star"}, content_type=JSON)
    assert response.status_code == 201
    assert (response.json()["seq"], response.json()["level"], response.json()["note"]) == (2, "four_star", "复核降级")
    response = client.post(url, {"reason": "level", "note": "再来一次", "level": "four_star"}, content_type=JSON)
    assert response.status_code == 409 and "Nothing would change" in response.json()["problems"][0]

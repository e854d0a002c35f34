"""Every status × every action: the illegal ones are refused with a message naming the certificate,
change nothing and write no event; the legal ones record who, when and why and move status_since.

Suspend, restore, withdraw and cancel go through the CB admin's page (the form the web uses);
expiry is the cycle job's service."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.certificates import services
from aftersales.certificates.models import TRANSITIONS, Certificate

from .factories import certificate_in

pytestmark = pytest.mark.django_db
S = Certificate.Status
TARGET = {
    "suspend": S.SUSPENDED,
    "restore": S.VALID,
    "withdraw": S.WITHDRAWN,
    "cancel": S.CANCELLED,
    "expire": S.EXPIRED,
}


def legal(status: str, action: str) -> bool:
    if action == "restore":
        return status == S.SUSPENDED
    return TARGET[action] in TRANSITIONS[status]


CASES = [(status, action) for status in S.values for action in TARGET]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def act(client, world, certificate, action, day):
    """Apply `action` as the web (or the cycle job) would; the refusal message, or "" when it passed."""
    if action == "expire":
        try:
            services.certificate_expire(certificate=certificate, today=certificate.expires_on + timedelta(days=1))
        except services.CertificateRefused as exc:
            return str(exc)
        return ""
    client.force_login(world["people"]["cb_admin"])
    response = client.post(
        reverse("certificate_status", args=[certificate.number]),
        {"action": action, "reason": f"理由：{action}", "effective_on": day.isoformat()},
    )
    if response.status_code == 302:
        return ""
    assert response.status_code == 409
    page = response.content.decode()
    start = page.index('class="notice notice-error" role="alert">') + len('class="notice notice-error" role="alert">')
    return page[start : page.index("</p>", start)]


def test_the_table_has_every_pair():
    assert len(CASES) == 25
    assert sum(legal(s, a) for s, a in CASES) == 8  # valid: 4, suspended: 4


@pytest.mark.parametrize(("status", "action"), [c for c in CASES if not legal(*c)])
def test_an_illegal_action_is_refused_and_changes_nothing(client, world, status, action):
    certificate = certificate_in(world, status)
    before = Certificate.objects.values().get(pk=certificate.pk)
    events = certificate.events.count()
    message = act(client, world, certificate, action, timezone.localdate())
    assert message and certificate.number in message.replace("&#x27;", "'"), message
    assert Certificate.objects.values().get(pk=certificate.pk) == before
    assert certificate.events.count() == events


@pytest.mark.parametrize(("status", "action"), [c for c in CASES if legal(*c)])
def test_a_legal_action_records_who_when_and_why(client, world, status, action):
    certificate = certificate_in(world, status)
    day = timezone.localdate() + timedelta(days=1)
    assert act(client, world, certificate, action, day) == ""
    certificate.refresh_from_db()
    event = certificate.events.order_by("-seq").first()
    assert (certificate.status, event.from_status, event.to_status) == (TARGET[action], status, TARGET[action])
    assert certificate.status_since == event.effective_on
    if action == "expire":
        assert event.actor_label == "cycle job" and event.reason
        assert event.effective_on == certificate.expires_on + timedelta(days=1)
    else:
        assert event.actor == world["people"]["cb_admin"] and event.reason == f"理由：{action}"
        assert event.effective_on == day
    assert event.at is not None and services.certificate_chain_breaks(certificate) == []

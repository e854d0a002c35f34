"""REGISTRY_RATE_LIMIT requests per client address per minute, then 429 with Retry-After."""

from datetime import UTC, datetime

import pytest
import time_machine

from aftersales.registry.middleware import retry_after

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limit(settings):
    """3 a minute, and the clock stopped mid-minute so no test straddles two windows."""
    settings.REGISTRY_RATE_LIMIT = 3
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, 30, tzinfo=UTC), tick=False):
        yield


def test_it_answers_429_with_retry_after_once_the_limit_is_hit(client, haichuan):
    for _ in range(3):
        assert client.get("/registry/", {"q": "海川"}).status_code == 200
    response = client.get(f"/registry/{haichuan.number}/")
    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert "Too many requests" in response.content.decode()


def test_it_counts_each_address_apart(client, haichuan):
    for _ in range(3):
        client.get("/registry/", REMOTE_ADDR="10.0.0.1")
    assert client.get("/registry/", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get("/registry/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_it_limits_the_json_endpoints_too_with_a_json_answer(client, haichuan):
    for _ in range(3):
        assert client.get(f"/api/registry/{haichuan.number}").status_code == 200
    response = client.get("/api/registry/", {"q": "海川"})
    assert response.status_code == 429 and response["Retry-After"]
    assert response.json()["retry_after"] == int(response["Retry-After"])


def test_it_takes_the_address_from_the_proxy_header_when_configured(client, settings, haichuan):
    settings.LOGIN_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for _ in range(3):
        client.get("/registry/", headers={"X-Real-IP": "203.0.113.7"})
    assert client.get("/registry/", headers={"X-Real-IP": "203.0.113.7"}).status_code == 429
    assert client.get("/registry/", headers={"X-Real-IP": "203.0.113.8"}).status_code == 200


def test_it_opens_a_new_window_each_minute(rf):
    request = rf.get("/registry/", REMOTE_ADDR="10.0.0.9")
    minute = 1_800_000_000 // 60 * 60  # the start of a minute
    assert [retry_after(request, now=minute + 1) for _ in range(3)] == [None, None, None]
    assert retry_after(request, now=minute + 50) == 10
    assert retry_after(request, now=minute + 61) is None


def test_a_limit_of_zero_switches_it_off(client, settings, haichuan):
    settings.REGISTRY_RATE_LIMIT = 0
    assert all(client.get("/registry/").status_code == 200 for _ in range(5))

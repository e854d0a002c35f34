"""The login throttle: growing delays per (user name, client address) and per address, never a lock
that a stranger can put on someone else's account (issue 21, "also tighten")."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.models import LoginFailure
from aftersales.accounts.selectors import login_locked_until
from aftersales.accounts.services import login_failure_record
from aftersales.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


RIGHT = "x-pass-12345"  # the world fixture's password
ATTACKER, OWNER = "203.0.113.7", "198.51.100.1"


def log_in(client, username, password, ip="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def move_time_forward(seconds: float) -> None:
    """Age every recorded failure, as if `seconds` had passed."""
    LoginFailure.objects.update(at=F("at") - timedelta(seconds=seconds))


@pytest.mark.parametrize("person", ["cb_admin", "ent_admin"])
def test_a_stranger_cannot_lock_the_owner_out(client, world, settings, person):
    settings.TOTP_REQUIRED_FOR_CB = False  # this is about the password step
    for _ in range(12):
        log_in(client, person, "wrong", ip=ATTACKER)
    response = log_in(client, person, RIGHT, ip=OWNER)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world["people"][person].pk)


def test_it_delays_the_guessing_address_after_five_failures(client, world):
    for _ in range(4):
        assert log_in(client, "ent_admin", "wrong").status_code == 200
    fifth = log_in(client, "ent_admin", "wrong")
    assert fifth.status_code == 429 and "Too many failed logins" in fifth.content.decode()
    refused = log_in(client, "ent_admin", RIGHT)  # even the right password is not checked now
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    assert LoginFailure.objects.count() == 5  # refused attempts are not counted again


def test_the_delays_grow_and_stop_at_the_longest(world, settings):
    settings.LOGIN_DELAY_SECONDS, settings.LOGIN_DELAY_MAX_MINUTES = 30, 15
    start = timezone.now()
    waits = []
    at = start
    for _ in range(11):
        until = login_failure_record(username="ent_admin", ip="10.0.0.1", now=at)
        waits.append(None if until is None else (until - at).total_seconds())
        at = until or at + timedelta(seconds=1)
    assert waits == [None, None, None, None, 30, 60, 120, 240, 480, 900, 900]
    assert login_locked_until(username="ent_admin", ip="10.0.0.1", now=at - timedelta(seconds=1)) is not None
    assert login_locked_until(username="ent_admin", ip="10.0.0.1", now=at) is None
    assert login_locked_until(username="ent_admin", ip="10.0.0.2", now=start + timedelta(seconds=1)) is None


def test_it_lets_the_address_try_again_after_the_delay(client, world):
    for _ in range(5):
        log_in(client, "ent_admin", "wrong")
    move_time_forward(29)
    assert log_in(client, "ent_admin", RIGHT).status_code == 429
    move_time_forward(1)
    response = log_in(client, "ent_admin", RIGHT)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world["people"]["ent_admin"].pk)


def test_it_delays_an_address_guessing_many_user_names(client, world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    for n in range(20):
        log_in(client, f"guess{n}", "wrong", ip=ATTACKER)
    assert log_in(client, "ent_member", RIGHT, ip=ATTACKER).status_code == 429
    assert log_in(client, "ent_member", RIGHT, ip=OWNER).status_code == 302  # another network


def test_it_ignores_case_in_user_names(client, world):
    for name in ["Ent_Admin", "ENT_ADMIN", "ent_admin ", "eNt_admin", "ent_admin"]:
        log_in(client, name, "wrong", ip=ATTACKER)
    assert log_in(client, "ent_admin", RIGHT, ip=ATTACKER).status_code == 429
    assert log_in(client, "ent_admin", RIGHT, ip=OWNER).status_code == 302


def test_it_clears_the_user_name_after_a_successful_login(client, world):
    for _ in range(4):
        log_in(client, "ent_admin", "wrong")
    assert log_in(client, "ent_admin", RIGHT).status_code == 302
    assert not LoginFailure.objects.filter(username="ent_admin").exists()
    client.logout()
    for _ in range(4):
        log_in(client, "ent_admin", "wrong")
    assert log_in(client, "ent_admin", RIGHT).status_code == 302


def test_it_records_each_delay_as_an_event(client, world, caplog):
    for _ in range(5):
        log_in(client, "ent_admin", "wrong", ip="192.0.2.4")
    event = Event.objects.get(action="login.throttled")
    assert event.data["username"] == "ent_admin" and event.data["ip"] == "192.0.2.4"
    assert event.data["failures"] == 5
    assert "login failed for user name 'ent_admin' from 192.0.2.4" in caplog.text


def test_it_takes_the_limits_and_delays_from_the_settings(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_DELAY_SECONDS = 60
    log_in(client, "ent_admin", "wrong")
    assert log_in(client, "ent_admin", "wrong").status_code == 429
    move_time_forward(59)
    assert log_in(client, "ent_admin", RIGHT).status_code == 429
    move_time_forward(1)
    assert log_in(client, "ent_admin", RIGHT).status_code == 302


def test_it_forgets_old_failures(world, settings):
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 60
    start = timezone.now() - timedelta(minutes=61)
    login_failure_record(username="a", ip=None, now=start)
    login_failure_record(username="b", ip=None)
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["b"]


def test_it_reads_the_client_address_from_the_proxy_header_when_told(client, world, settings):
    settings.LOGIN_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for _ in range(5):
        client.post(
            reverse("login"), {"username": "ent_member", "password": "wrong"}, headers={"x-real-ip": "203.0.113.9"}
        )
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.9"}
    other = client.post(
        reverse("login"), {"username": "ent_member", "password": RIGHT}, headers={"x-real-ip": "10.1.1.1"}
    )
    assert other.status_code == 302  # the proxy's own address (127.0.0.1) is not what is counted

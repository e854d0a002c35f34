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

RIGHT = "x-pass-12345"  # the world fixture's password


def log_in(client, username, password, ip="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def move_time_forward(minutes: int) -> None:
    """Age every recorded failure, as if `minutes` had passed."""
    LoginFailure.objects.update(at=F("at") - timedelta(minutes=minutes))


def test_it_refuses_logins_after_five_failures_for_a_user_name(client, world):
    for _ in range(4):
        assert log_in(client, "ent_admin", "wrong").status_code == 200
    fifth = log_in(client, "ent_admin", "wrong")
    assert fifth.status_code == 429
    refused = log_in(client, "ent_admin", RIGHT)  # even the right password is not checked now
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed logins" in refused.content.decode() or "登录失败次数过多" in refused.content.decode()
    assert LoginFailure.objects.count() == 5  # refused attempts are not counted again


def test_it_unlocks_when_the_window_has_passed(client, world):
    for _ in range(5):
        log_in(client, "ent_admin", "wrong")
    move_time_forward(14)
    assert log_in(client, "ent_admin", RIGHT).status_code == 429
    move_time_forward(1)
    response = log_in(client, "ent_admin", RIGHT)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(world["people"]["ent_admin"].pk)


def test_it_says_when_logins_unlock(world):
    start = timezone.now()
    for minute in range(5):
        login_failure_record(username="ent_admin", ip="10.0.0.1", now=start + timedelta(minutes=minute))
    now = start + timedelta(minutes=5)
    assert login_locked_until(username="ent_admin", ip=None, now=now) == start + timedelta(minutes=15)
    assert login_locked_until(username="ent_admin", ip=None, now=start + timedelta(minutes=15)) is None


def test_it_counts_failures_per_client_ip_across_user_names(client, world):
    for n in range(5):
        log_in(client, f"guess{n}", "wrong", ip="203.0.113.7")
    assert log_in(client, "ent_member", RIGHT, ip="203.0.113.7").status_code == 429
    assert log_in(client, "ent_member", RIGHT, ip="198.51.100.1").status_code == 302  # another network


def test_it_ignores_case_in_user_names(client, world):
    for name in ["Ent_Admin", "ENT_ADMIN", "ent_admin ", "eNt_admin", "ent_admin"]:
        log_in(client, name, "wrong", ip=f"10.0.0.{len(name)}")
    assert log_in(client, "ent_admin", RIGHT, ip="10.9.9.9").status_code == 429


def test_it_clears_the_user_name_after_a_successful_login(client, world):
    for _ in range(4):
        log_in(client, "ent_admin", "wrong")
    assert log_in(client, "ent_admin", RIGHT).status_code == 302
    assert not LoginFailure.objects.filter(username="ent_admin").exists()
    client.logout()
    for _ in range(4):
        log_in(client, "ent_admin", "wrong")
    assert log_in(client, "ent_admin", RIGHT).status_code == 302


def test_it_records_the_lockout_as_an_event(client, world, caplog):
    for _ in range(5):
        log_in(client, "ent_admin", "wrong", ip="192.0.2.4")
    event = Event.objects.get(action="login.locked")
    assert event.data["username"] == "ent_admin" and event.data["ip"] == "192.0.2.4"
    assert "login failed for user name 'ent_admin' from 192.0.2.4" in caplog.text


def test_it_takes_the_limit_and_window_from_the_settings(client, world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 1
    log_in(client, "ent_admin", "wrong")
    assert log_in(client, "ent_admin", "wrong").status_code == 429
    move_time_forward(1)
    assert log_in(client, "ent_admin", RIGHT).status_code == 302


def test_it_forgets_old_failures(world):
    start = timezone.now() - timedelta(hours=1)
    login_failure_record(username="a", ip=None, now=start)
    login_failure_record(username="b", ip=None)
    assert list(LoginFailure.objects.values_list("username", flat=True)) == ["b"]


def test_it_reads_the_client_address_from_the_proxy_header_when_told(client, world, settings):
    settings.LOGIN_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for n in range(5):
        client.post(
            reverse("login"), {"username": f"guess{n}", "password": "wrong"}, headers={"x-real-ip": "203.0.113.9"}
        )
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.9"}
    other = client.post(
        reverse("login"), {"username": "ent_member", "password": RIGHT}, headers={"x-real-ip": "10.1.1.1"}
    )
    assert other.status_code == 302  # the proxy's own address (127.0.0.1) is not what is counted

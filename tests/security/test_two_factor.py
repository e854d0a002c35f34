"""Two-factor sign-in: required for CB staff, optional for enterprises, codes used once, throttled."""

import time

import pytest
from django.urls import reverse

from aftersales.accounts import twofactor
from aftersales.accounts.models import LoginFailure, RecoveryCode, TwoFactor
from aftersales.accounts.services import invitation_create
from aftersales.accounts.views_two_factor import PENDING, STATE
from aftersales.core import totp
from aftersales.events.models import Event

pytestmark = pytest.mark.django_db

PASSWORD = "x-pass-12345"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def password_step(client, username, password=PASSWORD, ip="127.0.0.1", next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=ip)


def code_step(client, code, ip="127.0.0.1"):
    return client.post(reverse("login_code"), {"code": code}, REMOTE_ADDR=ip)


def enrol(user, secret=SECRET):
    return twofactor.two_factor_enrol_with_secret(user=user, secret=secret, by_label="test")


def logged_in_as(client):
    return client.session.get("_auth_user_id")


# --- CB staff must enrol -----------------------------------------------------------------------


def test_it_sends_cb_staff_without_an_authenticator_to_enrolment(client, world):
    response = password_step(client, "reviewer")
    assert response.status_code == 302 and response["Location"] == reverse("two_factor_setup")
    assert client.session[STATE] == "enrol"
    # nothing else opens until the enrolment is confirmed
    for url in (reverse("dashboard"), reverse("case_list"), reverse("profile")):
        blocked = client.get(url)
        assert blocked.status_code == 302 and blocked["Location"] == reverse("two_factor_setup"), url
    assert client.get(reverse("dashboard"), headers={"HX-Request": "true"})["HX-Redirect"] == reverse(
        "two_factor_setup"
    )
    assert client.get(reverse("two_factor_setup")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_it_enrols_with_a_qr_code_and_a_confirming_code(client, world):
    password_step(client, "auditor")
    page = client.get(reverse("two_factor_setup"))
    body = page.content.decode()
    assert "<svg" in body and 'class="segno"' in body
    pending = TwoFactor.objects.get(user=world["people"]["auditor"])
    assert pending.confirmed_at is None and totp.grouped(pending.secret) in body
    assert client.get(reverse("two_factor_setup")).content.decode().count(totp.grouped(pending.secret)) == 1
    assert TwoFactor.objects.get(user=world["people"]["auditor"]).secret == pending.secret  # a reload keeps it

    wrong = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    right = client.post(reverse("two_factor_setup"), {"code": totp.code_at(pending.secret, time.time())})
    assert right.status_code == 200
    assert right.content.decode().count("<li><code>") == 10
    assert RecoveryCode.objects.filter(user=world["people"]["auditor"]).count() == 10
    assert client.session[STATE] == "verified"
    assert client.get(reverse("dashboard")).status_code == 200
    assert Event.objects.filter(action="two_factor.enabled", subject_id=str(world["people"]["auditor"].pk)).exists()


def test_it_can_be_switched_off_for_cb_staff(client, world, settings):
    settings.TOTP_REQUIRED_FOR_CB = False
    response = password_step(client, "reviewer")
    assert response["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_it_marks_a_new_cb_member_joining_by_invitation(client, world):
    _, token = invitation_create(
        organisation=world["cb"],
        email="new.auditor@cb.cn",
        role="auditor",
        by=world["people"]["cb_admin"],
        site_url="http://testserver",
    )
    password = "Un-guessable-42"
    form = {"username": "newaud", "display_name": "新审核员", "password1": password, "password2": password}
    client.post(reverse("invitation_accept", args=[token]), form)
    assert client.session[STATE] == "enrol"
    assert client.get(reverse("dashboard"))["Location"] == reverse("two_factor_setup")


def test_force_login_sessions_carry_no_mark(client, world):
    """The persona matrix logs in with force_login: such sessions are not held (see docs/security.md)."""
    client.force_login(world["people"]["committee"])
    assert client.get(reverse("dashboard")).status_code == 200


# --- the code step -----------------------------------------------------------------------------


def test_it_logs_in_only_after_the_code(client, world):
    user = world["people"]["cb_admin"]
    enrol(user)
    response = password_step(client, "cb_admin", next_url=reverse("case_list"))
    assert response.status_code == 302 and response["Location"] == reverse("login_code")
    assert logged_in_as(client) is None and client.session[PENDING]["user"] == user.pk
    assert client.get(reverse("dashboard")).status_code == 302  # still anonymous
    session_before = client.session.session_key
    done = code_step(client, totp.code_at(SECRET, time.time()))
    assert done.status_code == 302 and done["Location"] == reverse("case_list")
    assert logged_in_as(client) == str(user.pk)
    assert client.session.session_key != session_before  # a new session key after the code
    assert PENDING not in client.session
    assert client.session.get_expire_at_browser_close()  # CB staff: ends with the browser


def test_a_code_cannot_be_replayed(client, world):
    enrol(world["people"]["cb_admin"])
    code = totp.code_at(SECRET, time.time())
    password_step(client, "cb_admin")
    assert code_step(client, code).status_code == 302
    client.post(reverse("logout"))
    password_step(client, "cb_admin")
    replay = code_step(client, code)
    assert replay.status_code == 400 and logged_in_as(client) is None
    assert "already used" in replay.content.decode()


def test_it_refuses_the_code_step_without_a_password_step(client, world):
    enrol(world["people"]["cb_admin"])
    response = code_step(client, totp.code_at(SECRET, time.time()))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert logged_in_as(client) is None


def test_the_password_step_expires_after_five_minutes(client, world):
    enrol(world["people"]["cb_admin"])
    password_step(client, "cb_admin")
    session = client.session
    session[PENDING] = {**session[PENDING], "at": time.time() - 301}
    session.save()
    assert code_step(client, totp.code_at(SECRET, time.time()))["Location"] == reverse("login")
    assert logged_in_as(client) is None


def test_wrong_codes_count_toward_the_login_throttle(client, world):
    enrol(world["people"]["cb_admin"])
    password_step(client, "cb_admin")
    for _ in range(4):
        assert code_step(client, "000000").status_code == 400
    # the right password again does not reset the count of wrong codes
    password_step(client, "cb_admin")
    fifth = code_step(client, "000000")
    assert fifth.status_code == 429 and "Too many failed logins" in fifth.content.decode()
    assert LoginFailure.objects.filter(username="cb_admin").count() == 5
    assert PENDING not in client.session
    # locked: even the password step refuses now
    assert password_step(client, "cb_admin").status_code == 429


def test_a_recovery_code_works_once(client, world):
    user = world["people"]["ent_admin"]
    enrol(user)
    codes = twofactor.recovery_codes_renew(user=user, code=totp.code_at(SECRET, time.time() - 30))
    assert len(set(codes)) == 10
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()  # only hashes are stored
    password_step(client, "ent_admin")
    assert code_step(client, codes[0].upper()).status_code == 302
    assert logged_in_as(client) == str(user.pk)
    client.post(reverse("logout"))
    password_step(client, "ent_admin")
    assert code_step(client, codes[0]).status_code == 400
    assert twofactor.recovery_codes_left(user) == 9


# --- enterprise users: optional ----------------------------------------------------------------


def test_it_is_optional_for_enterprise_users(client, world):
    response = password_step(client, "ent_member")
    assert response["Location"] == reverse("dashboard")
    assert client.session[STATE] == "password"  # no code given: checked again on every request
    assert "Switch on" in client.get(reverse("profile")).content.decode()


def test_an_enterprise_user_switches_it_on_and_off(client, world):
    user = world["people"]["ent_admin"]
    client.force_login(user)
    client.get(reverse("two_factor_setup"))
    secret = TwoFactor.objects.get(user=user).secret
    now = time.time()
    assert client.post(reverse("two_factor_setup"), {"code": totp.code_at(secret, now)}).status_code == 200
    assert "Manage" in client.get(reverse("profile")).content.decode()
    # switching off needs a fresh code (the one used to confirm is spent)
    refused = client.post(reverse("two_factor_disable"), {"code": totp.code_at(secret, now)}, follow=True)
    assert "does not match" in refused.content.decode() and twofactor.two_factor_of(user) is not None
    off = client.post(reverse("two_factor_disable"), {"code": totp.code_at(secret, now + 30)})
    assert off.status_code == 302 and twofactor.two_factor_of(user) is None
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_cb_staff_cannot_switch_it_off(client, world):
    user = world["people"]["reviewer"]
    enrol(user)
    client.force_login(user)
    page = client.get(reverse("two_factor_setup")).content.decode()
    assert "must keep two-factor sign-in on" in page
    client.post(reverse("two_factor_disable"), {"code": totp.code_at(SECRET, time.time())})
    assert twofactor.two_factor_of(user) is not None


def test_new_recovery_codes_replace_the_old_ones(client, world):
    user = world["people"]["ent_admin"]
    enrol(user)
    old = twofactor.recovery_codes_renew(user=user, code=totp.code_at(SECRET, time.time()))
    client.force_login(user)
    response = client.post(reverse("two_factor_recovery_codes"), {"code": totp.code_at(SECRET, time.time() + 30)})
    assert response.status_code == 200 and response.content.decode().count("<li><code>") == 10
    assert twofactor.two_factor_check(user=user, code=old[0]) is None


def test_wrong_codes_to_switch_off_count_toward_the_throttle(client, world):
    user = world["people"]["ent_admin"]
    enrol(user)
    client.force_login(user)
    for _ in range(5):
        client.post(reverse("two_factor_disable"), {"code": "000000"}, REMOTE_ADDR="10.1.1.1")
    assert LoginFailure.objects.filter(username="ent_admin").count() == 5
    refused = client.post(
        reverse("two_factor_disable"), {"code": totp.code_at(SECRET, time.time())}, REMOTE_ADDR="10.1.1.1", follow=True
    )
    assert "Too many failed logins" in refused.content.decode()
    assert twofactor.two_factor_of(user) is not None

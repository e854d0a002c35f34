"""Two-factor sign-in is checked on every request, not only at login (issue 21, items 4 and 5).

A password-only session of a user who gains a CB role later (or opened while the requirement was
off) must not keep CB powers; recovery codes are renewed only with a current code."""

import time

import pytest
from django.urls import reverse

from aftersales.accounts import twofactor
from aftersales.accounts.models import LoginFailure, RecoveryCode, Role, User
from aftersales.accounts.services import membership_grant
from aftersales.accounts.views_two_factor import STATE
from aftersales.core import totp

pytestmark = pytest.mark.django_db

PASSWORD = "x-pass-12345"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def password_step(client, username, ip="127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)


def newcomer():
    return User.objects.create_user(username="newcomer", password=PASSWORD, email="newcomer@cb.cn")


def test_a_password_session_loses_nothing_but_cannot_use_a_cb_role_gained_later(client, world):
    user = newcomer()
    assert password_step(client, "newcomer")["Location"] == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
    membership_grant(user=user, organisation=world["cb"], role=Role.COMMITTEE, by=world["people"]["cb_admin"])
    # the same open session: held on the enrolment page, no CB page opens
    for url in (reverse("dashboard"), reverse("cycle_dashboard"), reverse("case_list")):
        held = client.get(url)
        assert held.status_code == 302 and held["Location"] == reverse("two_factor_setup"), url
    assert client.session[STATE] == "enrol"
    assert client.get(reverse("two_factor_setup")).status_code == 200


def test_a_session_opened_before_the_requirement_was_switched_on_is_held(client, world, settings):
    settings.TOTP_REQUIRED_FOR_CB = False
    password_step(client, "reviewer")
    assert client.get(reverse("cycle_dashboard")).status_code == 200
    settings.TOTP_REQUIRED_FOR_CB = True
    held = client.get(reverse("cycle_dashboard"))
    assert held.status_code == 302 and held["Location"] == reverse("two_factor_setup")
    htmx = client.get(reverse("case_list"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("two_factor_setup")
    assert client.post(reverse("audit_overdue_escalate"))["Location"] == reverse("two_factor_setup")  # no CB write


def test_a_password_session_of_a_user_with_an_authenticator_must_give_a_code(client, world):
    user = newcomer()
    password_step(client, "newcomer")
    twofactor.two_factor_enrol_with_secret(user=user, secret=SECRET, by_label="test")
    membership_grant(user=user, organisation=world["cb"], role=Role.REVIEWER, by=world["people"]["cb_admin"])
    held = client.get(reverse("case_list"))
    assert held.status_code == 302 and held["Location"] == reverse("login_code")
    assert "_auth_user_id" not in client.session  # signed out until the code is given
    done = client.post(reverse("login_code"), {"code": totp.code_at(SECRET, time.time())})
    assert done.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    assert client.session[STATE] == "verified"
    assert client.get(reverse("case_list")).status_code == 200


def test_an_enterprise_password_session_is_not_held(client, world):
    password_step(client, "ent_member")
    assert client.session[STATE] == "password"
    assert client.get(reverse("dashboard")).status_code == 200


# --- recovery codes need a current code --------------------------------------------------------


def signed_in_with_code(client, user):
    twofactor.two_factor_enrol_with_secret(user=user, secret=SECRET, by_label="test")
    old = twofactor.recovery_codes_renew(user=user, code=totp.code_at(SECRET, time.time() - 30))
    password_step(client, user.get_username())
    client.post(reverse("login_code"), {"code": totp.code_at(SECRET, time.time())})
    assert client.session[STATE] == "verified"
    return old


def test_recovery_codes_are_not_renewed_from_an_open_session_without_a_code(client, world):
    user = world["people"]["ent_admin"]
    old = signed_in_with_code(client, user)
    hashes = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    refused = client.post(reverse("two_factor_recovery_codes"), follow=True)
    assert "<li><code>" not in refused.content.decode() and "Type a code" in refused.content.decode()
    wrong = client.post(reverse("two_factor_recovery_codes"), {"code": "000000"}, follow=True)
    assert "does not match" in wrong.content.decode()
    assert set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True)) == hashes
    assert twofactor.two_factor_check(user=user, code=old[0]) == "recovery"  # the old codes still work
    assert LoginFailure.objects.filter(username="ent_admin").count() == 1  # the wrong code counted


def test_a_recovery_code_does_not_renew_the_recovery_codes(client, world):
    user = world["people"]["ent_admin"]
    old = signed_in_with_code(client, user)
    refused = client.post(reverse("two_factor_recovery_codes"), {"code": old[1]}, follow=True)
    assert "<li><code>" not in refused.content.decode()
    assert twofactor.recovery_codes_left(user) == 10


def test_recovery_codes_are_renewed_with_a_current_code(client, world):
    user = world["people"]["ent_admin"]
    old = signed_in_with_code(client, user)
    response = client.post(reverse("two_factor_recovery_codes"), {"code": totp.code_at(SECRET, time.time() + 30)})
    assert response.status_code == 200 and response.content.decode().count("<li><code>") == 10
    assert twofactor.two_factor_check(user=user, code=old[0]) is None

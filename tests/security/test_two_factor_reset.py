"""A lost authenticator: `aftersales twofactor reset USERNAME --reason TEXT` removes the device
and the recovery codes in one transaction, records who, when and why, and the CB staff member
enrols again at the next sign-in."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from typer.testing import CliRunner

from aftersales.accounts import twofactor
from aftersales.accounts.models import RecoveryCode, TwoFactor
from aftersales.accounts.views_two_factor import ENROL, STATE
from aftersales.cli import app
from aftersales.core import totp
from aftersales.events.models import Event

from .test_two_factor import PASSWORD, SECRET, password_step

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_setup(monkeypatch, settings):
    monkeypatch.setattr("aftersales.accounts.cli.django_setup", lambda: None)
    settings.TOTP_REQUIRED_FOR_CB = True


def cli(*args):
    return CliRunner().invoke(app, ["twofactor", *args])


@pytest.fixture
def reviewer(world):
    user = world["people"]["reviewer"]
    user.set_password(PASSWORD)
    user.save()
    twofactor.two_factor_enrol_with_secret(user=user, secret=SECRET, by_label="test")  # confirmed at once
    twofactor.recovery_codes_renew(user=user, code=totp.code_at(SECRET, time.time()))
    return user


def test_it_resets_a_lost_authenticator_and_the_user_enrols_again(client, reviewer):
    assert RecoveryCode.objects.filter(user=reviewer).count() == twofactor.RECOVERY_CODE_COUNT
    result = cli("reset", "reviewer", "--reason", "手机丢失（工单 2026-118）")
    assert result.exit_code == 0, result.output
    assert "reviewer: removed the authenticator and 10 recovery code(s)" in result.output
    assert not TwoFactor.objects.filter(user=reviewer).exists()
    assert not RecoveryCode.objects.filter(user=reviewer).exists()
    event = Event.objects.get(action="two_factor.reset")
    assert (event.subject_type, event.subject_id) == ("accounts.user", str(reviewer.pk))
    assert (event.actor_label, event.reason) == ("command:twofactor reset", "手机丢失（工单 2026-118）")
    assert event.at is not None and event.data["operator"]
    assert event.data["authenticator"] is True and event.data["recovery_codes"] == 10 and event.data["must_enrol"]
    # the password alone no longer asks for a code: it leads to the enrolment page
    response = password_step(client, "reviewer")
    assert response.status_code == 302 and response["Location"] == reverse("two_factor_setup")
    assert client.session[STATE] == ENROL


def test_an_unknown_user_is_named_and_nothing_changes(reviewer):
    result = cli("reset", "nobody-here", "--reason", "phone lost")
    assert result.exit_code == 1
    assert "no user named 'nobody-here'" in result.output
    assert TwoFactor.objects.filter(user=reviewer).exists()
    assert not Event.objects.filter(action="two_factor.reset").exists()


@pytest.mark.parametrize("args", [[], ["--reason", "   "]])
def test_a_reason_is_required(reviewer, args):
    result = cli("reset", "reviewer", *args)
    assert result.exit_code == (2 if not args else 1), result.output
    assert "reason" in result.output.lower()
    assert TwoFactor.objects.filter(user=reviewer).exists()
    assert RecoveryCode.objects.filter(user=reviewer).count() == twofactor.RECOVERY_CODE_COUNT
    assert not Event.objects.filter(action="two_factor.reset").exists()


def test_a_user_without_an_authenticator_is_refused_by_name(world):
    result = cli("reset", "auditor", "--reason", "phone lost")
    assert result.exit_code == 1 and "auditor has no authenticator" in result.output
    assert not Event.objects.filter(action="two_factor.reset").exists()


def test_the_service_records_the_web_actor_when_a_user_resets(world, reviewer):
    admin = world["people"]["cb_admin"]
    removed = twofactor.two_factor_reset(user=reviewer, reason="phone lost", by=admin)
    assert removed == {"authenticator": True, "enrolling": False, "recovery_codes": 10, "must_enrol": True}
    event = Event.objects.get(action="two_factor.reset")
    assert (event.actor, event.actor_label) == (admin, admin.get_username())
    with pytest.raises(ValidationError, match="nothing to reset"):
        twofactor.two_factor_reset(user=reviewer, reason="again", by=admin)

"""Password-reset mails are limited per address and per client, and the answer never tells
whether an address has an account (issue 21, item 13)."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse

from aftersales.accounts.models import PasswordResetRequest
from aftersales.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def member(world):
    user = world["people"]["ent_member"]
    user.email = "member@example.cn"
    user.save()
    return user


def ask(client, email, ip="127.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_fifteen_requests_send_three_mails_to_one_address(client, member, mailoutbox):
    """The probe: 15 requests from 15 addresses made 15 mails to one mailbox."""
    answers = {
        (r.status_code, r["Location"]) for r in (ask(client, "member@example.cn", f"10.0.0.{n}") for n in range(15))
    }
    assert answers == {(302, reverse("password_reset_done"))}  # the same answer every time
    assert len(mailoutbox) == 3 and {m.to[0] for m in mailoutbox} == {"member@example.cn"}
    assert Event.objects.filter(action="password_reset.limited").count() == 1


def test_an_unknown_address_gets_the_same_answers(client, member, mailoutbox):
    known = [ask(client, "member@example.cn", f"10.0.1.{n}") for n in range(5)]
    unknown = [ask(client, "nobody@example.cn", f"10.0.2.{n}") for n in range(5)]
    assert [(r.status_code, r["Location"]) for r in known] == [(r.status_code, r["Location"]) for r in unknown]
    assert [m.to for m in mailoutbox] == [["member@example.cn"]] * 3


def test_the_address_is_matched_whatever_its_case(client, member, mailoutbox):
    for n, email in enumerate(["member@example.cn", "MEMBER@example.cn", " Member@Example.CN", "member@example.cn"]):
        ask(client, email, f"10.0.3.{n}")
    assert len(mailoutbox) <= 3


def test_one_client_is_refused_after_ten_requests(client, member, mailoutbox):
    for n in range(10):
        assert ask(client, f"someone{n}@example.cn", ip="203.0.113.5").status_code == 302
    refused = ask(client, "member@example.cn", ip="203.0.113.5")
    assert refused.status_code == 429 and "Too many password-reset requests" in refused.content.decode()
    assert mailoutbox == []
    assert ask(client, "member@example.cn", ip="198.51.100.2").status_code == 302  # another network
    assert len(mailoutbox) == 1


def test_it_forgets_requests_after_the_window(client, member, mailoutbox, settings):
    settings.PASSWORD_RESET_WINDOW_MINUTES = 60
    for n in range(3):
        ask(client, "member@example.cn", f"10.0.4.{n}")
    ask(client, "member@example.cn", "10.0.4.9")
    assert len(mailoutbox) == 3
    PasswordResetRequest.objects.update(at=F("at") - timedelta(minutes=60))
    ask(client, "member@example.cn", "10.0.4.10")
    assert len(mailoutbox) == 4
    assert not PasswordResetRequest.objects.filter(at__lt=F("at") - timedelta(minutes=1)).exists()


def test_it_stores_no_address_in_clear(client, member):
    ask(client, "member@example.cn")
    row = PasswordResetRequest.objects.get()
    assert "member" not in row.address_hash and len(row.address_hash) == 64

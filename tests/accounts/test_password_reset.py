import re

import pytest
from django.urls import reverse

from aftersales.accounts.models import LoginFailure
from aftersales.accounts.services import login_failure_record

pytestmark = pytest.mark.django_db


def test_it_links_to_the_reset_from_the_login_page(client, world):
    assert reverse("password_reset") in client.get(reverse("login")).content.decode()


def test_it_mails_a_link_that_sets_a_new_password(client, world, mailoutbox):
    user = world["people"]["ent_member"]
    user.email = "member@example.cn"
    user.save()
    response = client.post(reverse("password_reset"), {"email": "member@example.cn"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    [mail] = mailoutbox
    assert mail.to == ["member@example.cn"]
    assert "ent_member" in mail.body and "Reset your password" in mail.subject and "重置密码" in mail.subject
    path = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", mail.body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "Brand-new-2026", "new_password2": "Brand-new-2026"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password("Brand-new-2026")
    assert client.get(path, follow=True).context["validlink"] is False  # the link works once


def test_it_sends_nothing_for_an_unknown_address_and_says_the_same(client, world, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.cn"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_it_forgets_failed_logins_once_the_password_is_reset(client, world, mailoutbox):
    user = world["people"]["ent_member"]
    user.email = "member@example.cn"
    user.save()
    for _ in range(3):
        login_failure_record(username="ent_member", ip="10.0.0.9")
    client.post(reverse("password_reset"), {"email": "member@example.cn"})
    path = re.search(r"http://testserver(/password-reset/[^/\s]+/[^/\s]+/)", mailoutbox[0].body).group(1)
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "Brand-new-2026", "new_password2": "Brand-new-2026"})
    assert not LoginFailure.objects.filter(username="ent_member").exists()

import pytest
from django.urls import reverse

from aftersales.events.models import Event

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    return response.content.decode().split('<html lang="')[1].split('"')[0]


def test_it_shows_the_language_saved_in_the_profile(client, world):
    user = world["people"]["ent_member"]
    client.force_login(user)
    response = client.post(reverse("profile"), {"display_name": "王五", "language": "en"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.language) == ("王五", "en")
    assert Event.objects.filter(action="user.profile_updated", actor=user).exists()
    client.cookies.pop("django_language", None)  # another device: only the profile knows
    page = client.get(reverse("scheme_list"), headers={"accept-language": "zh-CN"})
    assert html_lang(page) == "en" and page["Content-Language"] == "en"


def test_it_follows_the_browser_when_no_language_is_saved(client, world):
    client.force_login(world["people"]["ent_member"])
    assert html_lang(client.get(reverse("scheme_list"), headers={"accept-language": "en"})) == "en"
    assert html_lang(client.get(reverse("scheme_list"), headers={"accept-language": "zh-CN"})) == "zh-Hans"


def test_it_keeps_accept_language_for_anonymous_visitors(client, world):
    assert html_lang(client.get(reverse("scheme_list"), headers={"accept-language": "en"})) == "en"
    assert html_lang(client.get(reverse("scheme_list"))) == "zh-Hans"


def test_it_saves_the_header_switch_in_the_profile(client, world):
    user = world["people"]["auditor"]
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "en"
    user.refresh_from_db()
    assert user.language == "en"
    client.cookies.pop("django_language", None)
    assert html_lang(client.get(reverse("scheme_list"))) == "en"


def test_it_switches_anonymous_visitors_by_cookie_only(client, world):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.cookies["django_language"].value == "en"
    assert html_lang(client.get(reverse("scheme_list"))) == "en"
    assert not Event.objects.filter(action="user.profile_updated").exists()


def test_it_refuses_a_language_it_does_not_offer(client, world):
    user = world["people"]["ent_member"]
    client.force_login(user)
    response = client.post(reverse("profile"), {"display_name": "王五", "language": "fr"})
    assert response.status_code == 200 and response.context["form"].errors
    user.refresh_from_db()
    assert user.language == ""


def test_it_follows_the_browser_again_when_asked(client, world):
    user = world["people"]["ent_member"]
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("profile"), {"display_name": "", "language": ""})
    assert response.cookies["django_language"].value == ""  # the earlier switch is forgotten
    user.refresh_from_db()
    assert user.language == ""
    assert html_lang(client.get(reverse("scheme_list"), headers={"accept-language": "zh-CN"})) == "zh-Hans"

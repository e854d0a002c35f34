"""A lookup by number is answered from the published row before the rest of the middleware stack:
one indexed read, no session, the same bytes as the view, the same rate limit; a change shows at
once; what the fast path cannot answer goes the normal way."""

import json

import pytest
from django.test import RequestFactory
from django.utils import translation

from aftersales.certificates import services
from aftersales.registry import publish
from aftersales.registry.middleware import RegistryFastPath, requested
from aftersales.registry.models import Publication

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit: a change publishes after commit


def test_it_answers_the_published_json_with_one_read(client, haichuan, django_assert_num_queries):
    first = client.get(f"/api/registry/{haichuan.number}")
    with django_assert_num_queries(1):
        again = client.get(f"/api/registry/{haichuan.number}")
    assert again.status_code == 200 and json.loads(again.content) | {"as_of": ""} == first.json() | {"as_of": ""}
    assert "sessionid" not in again.cookies and again["Content-Type"] == "application/json"
    assert again["Content-Length"] == str(len(again.content))  # else servers send it chunked


def test_the_issue_published_every_kind_already(haichuan):
    assert sorted(Publication.objects.filter(certificate=haichuan).values_list("key", flat=True)) == sorted(
        f"{kind}|{haichuan.number}" for kind in publish.kinds()
    )


def test_the_fast_path_and_the_view_give_the_same_page(client, haichuan, time_machine, settings):
    time_machine.move_to("2026-11-23 10:00:05+08:00", tick=False)
    fast = client.get(f"/registry/{haichuan.number}/")
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("RegistryFastPath")]
    slow = client.get(f"/registry/{haichuan.number}/")
    assert fast.content == slow.content
    assert fast["Content-Language"] == slow["Content-Language"] == "en"
    assert "Accept-Language" in fast["Vary"] and fast["X-Frame-Options"] == "DENY"
    assert fast["Content-Length"] == slow["Content-Length"] == str(len(fast.content))
    assert "Content-Security-Policy" in fast


def test_its_security_policy_is_the_one_djangos_middleware_gives_and_follows_the_settings(client, haichuan, settings):
    """The published answers carry the policy built once per process (responses._csp): the same
    header Django's ContentSecurityPolicyMiddleware puts on every other page, also after a change of
    the settings."""
    url = f"/registry/{haichuan.number}/"
    assert client.get(url)["Content-Security-Policy"] == client.get("/registry/")["Content-Security-Policy"]
    settings.SECURE_CSP = {**settings.SECURE_CSP, "img-src": ["'self'"]}
    settings.SECURE_CSP_REPORT_ONLY = {"default-src": ["'self'"], "report-uri": "/csp-report/"}
    page, search = client.get(url), client.get("/registry/")
    assert page["Content-Security-Policy"] == search["Content-Security-Policy"]
    assert "img-src 'self';" in page["Content-Security-Policy"]
    assert page["Content-Security-Policy-Report-Only"] == search["Content-Security-Policy-Report-Only"]


def test_the_time_of_reading_is_the_clocks_to_the_second(client, haichuan, time_machine):
    url = f"/api/registry/{haichuan.number}"
    time_machine.move_to("2026-11-23 10:00:05.2+08:00", tick=False)
    assert client.get(url).json()["as_of"] == "2026-11-23T10:00:05+08:00"
    time_machine.move_to("2026-11-23 10:00:05.9+08:00", tick=False)
    assert client.get(url).json()["as_of"] == "2026-11-23T10:00:05+08:00"
    time_machine.move_to("2026-11-23 10:00:06+08:00", tick=False)
    assert client.get(url).json()["as_of"] == "2026-11-23T10:00:06+08:00"
    assert "2026-11-23 10:00:06" in client.get(f"/registry/{haichuan.number}/").content.decode()


def test_it_counts_published_answers_against_the_rate_limit(client, haichuan, settings):
    settings.REGISTRY_RATE_LIMIT = 2
    codes = [client.get(f"/api/registry/{haichuan.number}").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_suspension_shows_at_once(client, world, haichuan):
    assert client.get(f"/api/registry/{haichuan.number}").json()["status"] == "valid"
    services.certificate_suspend(certificate=haichuan, reason="监督审核未按期进行", by=world["people"]["cb_admin"])
    stored = Publication.objects.get(key=f"json|{haichuan.number}")
    assert json.loads(stored.body)["status"] == "suspended"  # published on commit, not on the next read
    assert client.get(f"/api/registry/{haichuan.number}").json()["status"] == "suspended"


def test_a_row_of_another_release_is_not_answered(client, haichuan):
    Publication.objects.filter(certificate=haichuan).update(body='{"status": "forged"}', release="0000000000000000")
    assert client.get(f"/api/registry/{haichuan.number}").json()["status"] == "valid"
    assert Publication.objects.get(key=f"json|{haichuan.number}").release == publish.release()


@pytest.mark.parametrize(
    ("url", "asked"),
    [
        ("/api/registry/ASC26SC00001J", ("json", "ASC26SC00001J")),
        ("/registry/ASC26SC00001J/", ("html:zh-hans", "ASC26SC00001J")),
        ("/registry/ASC26SC00001J/?lang=en", ("html:en", "ASC26SC00001J")),
        ("/registry/ASC26SC00001J/?lang=fr", None),  # not offered: the view answers in the visitor's
        ("/registry/ASC26SC00001J/?lang=en&x=1", None),
        ("/registry/asc26sc00001j/", None),  # the view redirects to the normal form
        ("/registry/ASC26SC00001J/verify/", None),
        ("/registry/", None),
        ("/api/registry/?q=haichuan", None),
        ("/api/registry/ASC26SC00001J?x=1", None),
    ],
)
def test_what_the_fast_path_takes(url, asked, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert requested(RequestFactory().get(url)) == asked


def test_a_signed_in_visitor_is_answered_by_the_view_in_their_account_language(client, world, haichuan):
    assert requested(RequestFactory().get(f"/api/registry/{haichuan.number}", HTTP_COOKIE="sessionid=x")) is None
    user = world["people"]["ent_admin"]
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    client.force_login(user)
    page = client.get(f"/registry/{haichuan.number}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and page["Content-Language"] == "zh-hans"


def test_the_fast_paths_429_speaks_the_pages_language(client, haichuan, settings):
    settings.REGISTRY_RATE_LIMIT = 1
    url = f"/registry/{haichuan.number}/"
    assert client.get(url, {"lang": "en"}).status_code == 200
    for lang, words in [("zh-hans", "请求过多"), ("en", "Too many requests")]:
        with translation.override("en" if lang == "zh-hans" else "zh-hans"):  # whatever the thread had
            refused = RegistryFastPath(lambda request: None)(RequestFactory().get(url, {"lang": lang}))
        assert refused.status_code == 429 and words in refused.content.decode()


def test_the_normal_form_redirect_keeps_the_language(client, haichuan):
    response = client.get(f"/registry/{haichuan.number.lower()}/", {"lang": "en"})
    assert response.status_code == 301 and response["Location"] == f"/registry/{haichuan.number}/?lang=en"


def test_a_post_is_never_taken():
    assert requested(RequestFactory().post("/api/registry/ASC26SC00001J")) is None


def test_a_database_error_goes_the_normal_way(haichuan, monkeypatch):
    from django.db import DatabaseError

    def broken(*args, **kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr("aftersales.registry.middleware.published_body", broken)
    reached = []
    RegistryFastPath(lambda request: reached.append(request) or "view")(
        RequestFactory().get(f"/api/registry/{haichuan.number}")
    )
    assert reached

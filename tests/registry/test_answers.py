"""A lookup by number: one statement reads the certificate's head with the stored answer (which the
cache spares while it holds that head's), else a render; HTTP validators (ETag, Last-Modified) and
304; a change is seen at once; the rate limit, the language and the time of reading as before."""

import json
import sqlite3
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.certificates import services
from aftersales.registry import publish
from aftersales.registry.models import Publication

from .helpers import add_event, add_surveillance, make_certificate

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit: a change publishes after commit

API = "/api/registry/{}"
PAGE = "/registry/{}/"


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    return response, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("url", [API, PAGE])
def test_a_warm_lookup_is_one_statement_that_skips_the_stored_row(client, haichuan, url):
    first = client.get(url.format(haichuan.number))
    Publication.objects.update(body="forged")  # the cache holds the answer of the current head
    again, sql = queries(client, url.format(haichuan.number))
    assert again.status_code == 200 and b"forged" not in again.content and haichuan.number in again.content.decode()
    assert len(sql) == 1 and "head_hash" in sql[0]
    assert again["ETag"] == first["ETag"]
    assert again["Content-Length"] == str(len(again.content)) and "sessionid" not in again.cookies


def test_a_cold_cache_reads_the_stored_row_without_rendering(client, haichuan, monkeypatch):
    assert Publication.objects.filter(certificate=haichuan).count() == len(publish.kinds())  # the issue published
    monkeypatch.setattr(publish, "render", lambda kind, entry: pytest.fail("rendered"))
    response, sql = queries(client, API.format(haichuan.number))
    assert response.status_code == 200 and response.json()["number"] == haichuan.number
    assert len(sql) == 1 and "head_hash" in sql[0] and "registry_publication" in sql[0]


def test_a_change_behind_the_services_back_is_seen_at_once_through_the_cache(client, world):
    """No publication, no message to anyone: the head moved, so the cached and stored answers of the
    old head are never read again."""
    c = make_certificate(world, number="ASC26SC00001J")
    url = API.format(c.number)
    assert client.get(url).json()["status"] == "valid"
    assert client.get(url).json()["status"] == "valid"  # now from the cache
    add_event(c, action="certificate.suspended", to="suspended", on=date(2026, 6, 1), reason="暂停")
    assert client.get(url).json()["status"] == "suspended"


def test_a_suspension_through_the_services_is_stored_on_commit(client, world, haichuan):
    assert client.get(API.format(haichuan.number)).json()["status"] == "valid"
    services.certificate_suspend(certificate=haichuan, reason="监督审核未按期进行", by=world["people"]["cb_admin"])
    stored = Publication.objects.get(key=f"json|{haichuan.number}")
    assert json.loads(stored.body)["status"] == "suspended"  # published on commit, not on the next read
    assert client.get(API.format(haichuan.number)).json()["status"] == "suspended"


@pytest.mark.parametrize("url", [API, PAGE])
def test_a_conditional_get_is_answered_304_until_the_certificate_changes(client, world, url):
    c = make_certificate(world, number="ASC26SC00001J")
    first = client.get(url.format(c.number))
    tag = first["ETag"]
    assert tag.startswith('W/"') and first["Cache-Control"] == "no-cache"
    again = client.get(url.format(c.number), headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    add_event(c, action="certificate.suspended", to="suspended", on=date(2026, 6, 1), reason="暂停")
    changed = client.get(url.format(c.number), headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed["ETag"] != tag and b"suspended" in changed.content


def test_the_etag_ignores_the_time_of_reading_and_names_the_language(client, haichuan, time_machine):
    time_machine.move_to("2026-11-23 10:00:05+08:00", tick=False)
    a = client.get(PAGE.format(haichuan.number), {"lang": "en"})
    time_machine.move_to("2026-11-23 10:09:00+08:00", tick=False)
    b = client.get(PAGE.format(haichuan.number), {"lang": "en"})
    assert a.content != b.content and a["ETag"] == b["ETag"]
    assert client.get(PAGE.format(haichuan.number), {"lang": "zh-hans"})["ETag"] != a["ETag"]
    assert client.get(API.format(haichuan.number))["ETag"] != a["ETag"]


def test_last_modified_once_its_second_has_passed_and_if_modified_since(client, world, time_machine):
    time_machine.move_to("2026-11-23 10:00:05.5+08:00", tick=False)
    c = make_certificate(world, number="ASC26SC00001J")
    url = API.format(c.number)
    assert "Last-Modified" not in client.get(url)  # rendered this second: a change could follow in it
    time_machine.move_to("2026-11-23 10:00:09+08:00", tick=False)
    stamp = client.get(url)["Last-Modified"]
    assert stamp == "Mon, 23 Nov 2026 02:00:05 GMT"
    assert client.get(url, headers={"If-Modified-Since": stamp}).status_code == 304
    add_event(c, action="certificate.suspended", to="suspended", on=date(2026, 6, 1), reason="暂停")
    assert client.get(url, headers={"If-Modified-Since": stamp}).status_code == 200


def test_the_time_of_reading_is_the_clocks_to_the_second(client, haichuan, time_machine):
    url = API.format(haichuan.number)
    time_machine.move_to("2026-11-23 10:00:05.2+08:00", tick=False)
    assert client.get(url).json()["as_of"] == "2026-11-23T10:00:05+08:00"
    time_machine.move_to("2026-11-23 10:00:05.9+08:00", tick=False)
    assert client.get(url).json()["as_of"] == "2026-11-23T10:00:05+08:00"
    time_machine.move_to("2026-11-23 10:00:06+08:00", tick=False)
    assert client.get(url).json()["as_of"] == "2026-11-23T10:00:06+08:00"
    assert "2026-11-23 10:00:06" in client.get(PAGE.format(haichuan.number)).content.decode()


def test_its_security_policy_is_the_one_of_every_page(client, haichuan, settings):
    url = PAGE.format(haichuan.number)
    settings.SECURE_CSP = {**settings.SECURE_CSP, "img-src": ["'self'"]}
    page, search = client.get(url), client.get("/registry/")
    assert page["Content-Security-Policy"] == search["Content-Security-Policy"]
    assert "img-src 'self'" in page["Content-Security-Policy"] and page["X-Frame-Options"] == "DENY"
    assert page["Content-Language"] == "en" and "Accept-Language" in page["Vary"]


def test_it_counts_every_lookup_against_the_rate_limit_also_a_304(client, haichuan, settings):
    settings.REGISTRY_RATE_LIMIT = 2
    url = API.format(haichuan.number)
    tag = client.get(url)["ETag"]
    codes = [client.get(url, headers={"If-None-Match": tag}).status_code for _ in range(2)]
    assert codes == [304, 429]


def test_the_429_of_a_page_speaks_the_pages_language(client, haichuan, settings):
    settings.REGISTRY_RATE_LIMIT = 1
    url = PAGE.format(haichuan.number)
    assert client.get(url, {"lang": "en"}).status_code == 200
    for lang, words in [("zh-hans", "请求过多"), ("en", "Too many requests")]:
        refused = client.get(url, {"lang": lang})
        assert refused.status_code == 429 and words in refused.content.decode()


def test_a_row_of_another_release_is_not_answered(client, haichuan):
    Publication.objects.filter(certificate=haichuan).update(body='{"status": "forged"}', release="0000000000000000")
    assert client.get(API.format(haichuan.number)).json()["status"] == "valid"
    assert Publication.objects.get(key=f"json|{haichuan.number}").release == publish.release()


def test_a_signed_in_visitor_is_answered_in_their_account_language(client, world, haichuan):
    user = world["people"]["ent_admin"]
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    client.force_login(user)
    page = client.get(PAGE.format(haichuan.number), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and page["Content-Language"] == "zh-hans"


def test_the_normal_form_redirect_keeps_the_language(client, haichuan):
    response = client.get(PAGE.format(haichuan.number.lower()), {"lang": "en"})
    assert response.status_code == 301 and response["Location"] == f"/registry/{haichuan.number}/?lang=en"


def test_an_unknown_number_costs_one_read(client, haichuan):
    response, sql = queries(client, API.format("ASC26SC99999X"))
    assert response.status_code == 404 and len(sql) == 1


def test_a_render_costs_the_same_queries_however_long_the_history(client, world):
    """No query per event, surveillance or site."""

    def cold(c):
        cache.clear()
        Publication.objects.all().delete()
        return len(queries(client, PAGE.format(c.number))[1])

    c = make_certificate(world, number="ASC26SC00001J")
    short = cold(c)
    for n in range(1, 4):
        add_surveillance(c, n=n, due_by=date(2026 + n, 3, 1), done_on=date(2026 + n, 2, 1) if n < 3 else None)
        add_event(c, action="certificate.suspended", to="suspended", on=date(2026, 5, n), reason=f"暂停 {n}")
        add_event(c, action="certificate.restored", to="valid", on=date(2026, 6, n), reason=f"恢复 {n}")
    assert cold(c) == short


def test_a_lookup_reads_again_on_a_new_connection_when_its_connection_died(client, haichuan, monkeypatch):
    """No health check per request: a connection that died since its last use fails the statement,
    which is read once more on a new connection (PostgreSQL: the server ends the backend; SQLite,
    which cannot lose its connection: the next cursor fails once)."""
    assert client.get(API.format(haichuan.number)).status_code == 200
    if connection.vendor == "postgresql":
        pid = connection.connection.info.backend_pid
        other = connection.copy()
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.close()
    else:
        failed, create_cursor = [], connection.create_cursor

        def dead_once(name=None):
            if not failed:
                failed.append(name)
                raise sqlite3.OperationalError("the connection is gone")
            return create_cursor(name)

        monkeypatch.setattr(connection, "create_cursor", dead_once)
    again = client.get(API.format(haichuan.number))
    assert again.status_code == 200 and json.loads(again.content)["number"] == haichuan.number
    if connection.vendor == "postgresql":
        assert connection.connection.info.backend_pid != pid
    else:
        assert failed == [None]

"""A certificate's public page and its printable verification: what is shown, what never is."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.certificates import services
from aftersales.certificates.models import Surveillance
from tests.web.personas import PERSONAS

pytestmark = pytest.mark.django_db

SECRET_REASON = "内部：客户投诉涉及的联系人张三 13800000000"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail(client, c):
    return page(client, f"/registry/{c.number}/")


def test_it_shows_the_certificates_public_record(client, haichuan):
    v = haichuan.versions.get(seq=haichuan.version_count)
    html = detail(client, haichuan)
    for text in (
        haichuan.number,
        "杭州海川电器有限公司",
        haichuan.credit_code,
        v.address,
        v.score_display,
        "★★★★★",
        "five-star",
        haichuan.first_issued_on.isoformat(),
        haichuan.expires_on.isoformat(),
        v.cb_name,
        'data-status="valid"',
        "as of ",
        "Issued",
    ):
        assert text in html, text


def test_it_shows_scope_and_sites(client, world):
    from .helpers import make_certificate

    c = make_certificate(world, number="TST001X")
    html = detail(client, c)
    assert "家用电器的销售与售后服务" in html and "滨江服务网点" in html and "杭州市滨江区江南大道 2 号" in html


def test_it_shows_the_last_and_the_next_surveillance(client, haichuan):
    planned = list(Surveillance.objects.filter(certificate=haichuan).order_by("due_by"))
    assert planned, "the cycle plans surveillances on issue"
    Surveillance.objects.filter(pk=planned[0].pk).update(state="done", done_on=date(2027, 9, 30))
    html = detail(client, haichuan)
    assert "2027-09-30" in html
    if len(planned) > 1:
        assert planned[1].due_by.isoformat() in html


def test_its_history_shows_a_suspension_with_its_reason_and_the_restoration(
    client, world, haichuan, django_capture_on_commit_callbacks
):
    by = world["people"]["cb_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_suspend(certificate=haichuan, reason="监督审核未按期进行", by=by)
    html = detail(client, haichuan)
    assert 'data-status="suspended"' in html and "Suspended" in html and "监督审核未按期进行" in html
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_restore(certificate=haichuan, reason="已完成监督审核", by=by)
    html = detail(client, haichuan)
    assert 'data-status="valid"' in html and "Restored" in html


def test_it_never_shows_internal_events_actors_or_notes(client, world, haichuan):
    services.certificate_event_record(
        certificate=haichuan,
        action="certificate.note",
        by=world["people"]["cb_admin"],
        reason=SECRET_REASON,
        data={"contact": "张三"},
        public=False,
    )
    for url in (f"/registry/{haichuan.number}/", f"/registry/{haichuan.number}/verify/"):
        html = page(client, url)
        for secret in (SECRET_REASON, "张三", "certificate.note", "cb_admin", "Certificate record updated"):
            assert secret not in html, (url, secret)


def test_it_never_shows_a_version_note_or_a_surveillance_proposal_reason(client, world):
    from .helpers import make_certificate

    c = make_certificate(world, number="TST001X")
    Surveillance.objects.create(
        certificate=c,
        cycle=1,
        n=1,
        window_opens=date(2026, 12, 1),
        due_by=date(2027, 3, 1),
        proposal_reason="内部：提议暂停的理由",
    )
    html = detail(client, c) + page(client, f"/registry/{c.number}/verify/")
    assert "内部备注" not in html and "提议暂停" not in html and "王审核员" not in html and "秘密数据" not in html


def test_it_answers_404_for_a_number_it_does_not_hold(client, haichuan):
    assert client.get("/registry/ASC26SC99999X/").status_code == 404
    assert client.get("/registry/ASC26SC99999X/verify/").status_code == 404


def test_it_redirects_a_number_typed_in_lower_case_to_the_certificates_page(client, haichuan):
    response = client.get(f"/registry/{haichuan.number.lower()}/")
    assert response.status_code == 301 and response["Location"] == f"/registry/{haichuan.number}/"


def test_it_answers_from_the_published_page_until_the_certificate_changes(
    client, world, haichuan, django_capture_on_commit_callbacks
):
    detail(client, haichuan)
    with CaptureQueriesContext(connection) as ctx:
        assert 'data-status="valid"' in detail(client, haichuan)
    assert len(ctx.captured_queries) == 1 and "head_hash" in ctx.captured_queries[0]["sql"]  # then the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_suspend(certificate=haichuan, reason="暂停", by=world["people"]["cb_admin"])
    assert 'data-status="suspended"' in detail(client, haichuan)


def test_a_change_written_without_publishing_is_never_answered_stale(client, world, haichuan):
    """The on-commit publication does not run inside a test transaction: the row and the cache still
    hold the valid page, but for the certificate's old head, so it is rendered again."""
    assert 'data-status="valid"' in detail(client, haichuan)
    services.certificate_suspend(certificate=haichuan, reason="暂停", by=world["people"]["cb_admin"])
    assert 'data-status="suspended"' in detail(client, haichuan)


def test_it_publishes_each_language_apart(client, haichuan):
    assert "five-star" in detail(client, haichuan)
    client.cookies["django_language"] = "zh-hans"
    html = detail(client, haichuan)
    assert "五星" in html and "five-star" not in html
    assert 'lang="zh-Hans"' in html


def test_lang_in_the_link_chooses_the_language_whatever_the_visitor_prefers(client, haichuan):
    client.cookies["django_language"] = "zh-hans"
    html = page(client, f"/registry/{haichuan.number}/?lang=en")
    assert "five-star" in html and 'lang="en"' in html
    assert 'href="?lang=zh-hans"' in html and 'aria-current="true">English<' in html
    assert "五星" in page(client, f"/registry/{haichuan.number}/?lang=zh-hans")


def test_the_page_is_the_same_for_everyone_and_says_when_it_was_read(client, world, haichuan, time_machine):
    """No login name, no CSRF token: the page a CB auditor gets is the page an evaluator gets."""
    time_machine.move_to("2026-11-23 10:00:05+08:00", tick=False)
    anonymous = detail(client, haichuan)
    client.force_login(world["people"]["cb_admin"])
    logged_in = detail(client, haichuan)
    assert logged_in == anonymous
    assert "csrfmiddlewaretoken" not in anonymous and "cb_admin" not in anonymous
    assert "as of 2026-11-23 10:00:05 (Beijing time)" in anonymous
    time_machine.move_to("2026-11-23 10:07:00+08:00", tick=False)
    assert "as of 2026-11-23 10:07:00 (Beijing time)" in detail(client, haichuan)


def test_the_verification_page_states_time_number_status_and_a_code(client, world, haichuan):
    html = page(client, f"/registry/{haichuan.number}/verify/")
    statement = re.search(r'id="reg-statement">(.*?)</p>', html, re.S).group(1)
    assert re.search(r"On \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Beijing time, UTC\+8\)", statement)
    assert haichuan.number in statement and 'data-status="valid"' in html
    assert re.search(r'id="reg-code">[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}<', html)
    assert "<svg" in html and f"/registry/{haichuan.number}/" in html


def test_the_verification_code_covers_number_version_status_and_time():
    from aftersales.registry.presenters import verification_code

    base = {"number": "ASC26SC00001J", "version": 1, "status": "valid", "at": "2026-11-23T10:00:00+08:00"}
    code = verification_code(**base)
    assert code == verification_code(**base)
    for change in (
        {"number": "ASC26SC00002K"},
        {"version": 2},
        {"status": "suspended"},
        {"at": "2026-11-23T10:00:01+08:00"},
    ):
        assert verification_code(**(base | change)) != code


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_number_it_does_not_hold_is_404_for_everyone(client, world, haichuan, persona):
    if persona != "anonymous":
        client.force_login(world["people"][persona])
    for url in ("/registry/ASC26SC99999X/", "/registry/ASC26SC99999X/verify/", "/api/registry/ASC26SC99999X"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/registry/{haichuan.number}/").status_code == 200

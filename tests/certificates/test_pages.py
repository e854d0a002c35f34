"""The certificate pages: enterprise and CB lists, the detail page, the CB admin's status actions and
change as a new version, the downloads and the issue button of a decided case."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.certificates import services, versions
from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion
from aftersales.certification.access import case_viewer
from tests.audits.factories import case_at

from .factories import certificate_in, decided, issued, new_enterprise

pytestmark = pytest.mark.django_db
S = Certificate.Status


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def login(client, world, persona):
    client.force_login(world["people"][persona])
    return client


def detail_url(certificate):
    return reverse("certificate_detail", args=[certificate.number])


# ------------------------------------------------------------------------------------------ list


def test_it_lists_only_the_enterprise_own_certificates(client, world):
    mine = issued(world)
    theirs = issued(world, enterprise=new_enterprise("丙企业"))
    page = login(client, world, "ent_member").get(reverse("certificate_list")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert reverse("certificate_pdf", args=[mine.number]) in page


def test_it_lists_every_certificate_of_the_cb_with_filters(client, world):
    mine = issued(world)
    other = certificate_in(world, S.SUSPENDED, enterprise=new_enterprise("丙企业"))
    login(client, world, "reviewer")
    url = reverse("certificate_list")
    page = client.get(url).content.decode()
    assert mine.number in page and other.number in page
    page = client.get(url, {"status": "suspended"}).content.decode()
    assert other.number in page and mine.number not in page
    page = client.get(url, {"q": mine.number.lower()}).content.decode()
    assert mine.number in page and other.number not in page
    page = client.get(url, {"q": "丙企"}).content.decode()
    assert other.number in page and mine.number not in page
    page = client.get(url, {"q": "bingqiye"}).content.decode()
    assert other.number in page and mine.number not in page
    page = client.get(url, {"level": "three_star"}).content.decode()
    assert "No certificate matches." in page


def test_it_shows_the_next_surveillance_in_the_list(client, world):
    certificate = issued(world)
    due = certificate.surveillances.order_by("due_by").values_list("due_by", flat=True).first()
    if due is None:
        pytest.skip("the cycle plans no surveillance")
    page = login(client, world, "ent_admin").get(reverse("certificate_list")).content.decode()
    assert f"due by {due.isoformat()}" in page


def test_the_list_costs_the_same_queries_for_one_or_many_certificates(client, world):
    issued(world)
    login(client, world, "cb_admin")
    url = reverse("certificate_list")
    client.get(url)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(3):
        certificate_in(world, S.SUSPENDED, enterprise=new_enterprise())
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert page.count('class="cert-number"') == 4
    assert len(four.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("persona", ["cb_admin", "reviewer", "committee", "ent_admin"])
def test_the_regulator_link_is_shown_only_to_those_the_regulator_page_admits(client, world, persona):
    issued(world)
    login(client, world, persona)
    page = client.get(reverse("certificate_list")).content.decode()
    opens = client.get(reverse("regulator_home")).status_code
    assert opens == (200 if persona == "cb_admin" else 404)
    assert (reverse("regulator_home") in page) == (opens == 200)


def test_the_list_is_for_logged_in_users(client, world):
    response = client.get(reverse("certificate_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


# ---------------------------------------------------------------------------------------- detail


def test_the_detail_page_shows_status_versions_surveillance_downloads_and_the_score_chart(client, world):
    certificate = issued(world)
    page = login(client, world, "ent_admin").get(detail_url(certificate)).content.decode()
    version = certificate.versions.get()
    assert certificate.number in page and "certificate issued" in page
    assert "Version 1" in page and version.score_display in page
    assert reverse("certificate_mark", args=[certificate.number, "png"]) in page
    assert f"{reverse('certificate_pdf', args=[certificate.number])}?lang=en" in page
    assert 'class="chart"' in page and "Score history" in page
    assert "apply from" in page  # the recertification window
    assert "Actions of the certification body" not in page


def test_the_enterprise_sees_public_events_only_and_the_cb_all(client, world):
    certificate = issued(world)
    services.certificate_event_record(
        certificate=certificate, action="note.internal", by=world["people"]["cb_admin"], reason="内部备注", public=False
    )
    assert "内部备注" not in login(client, world, "ent_member").get(detail_url(certificate)).content.decode()
    assert "内部备注" in login(client, world, "committee").get(detail_url(certificate)).content.decode()


def test_outsiders_and_auditors_get_404(client, world):
    certificate = issued(world)
    for persona in ("other_admin", "auditor", "auditor_other"):
        assert login(client, world, persona).get(detail_url(certificate)).status_code == 404, persona


def test_the_score_chart_shows_each_version_over_the_cycle(client, world):
    certificate = issued(world, today=date(2026, 3, 1))
    versions.certificate_change(
        certificate=certificate,
        by=world["people"]["cb_admin"],
        reason=CertificateVersion.Reason.LEVEL,
        note="监督审核后降级",
        level="four_star",
        score_exact="85",
    )
    page = login(client, world, "ent_admin").get(detail_url(certificate)).content.decode()
    assert page.count('class="history-point"') == 2 and 'class="history-line"' in page


# --------------------------------------------------------------------------------- status actions


def post_status(client, certificate, action, reason="客户投诉属实", effective_on=None):
    return client.post(
        reverse("certificate_status", args=[certificate.number]),
        {"action": action, "reason": reason, "effective_on": (effective_on or timezone.localdate()).isoformat()},
    )


def test_the_cb_admin_suspends_with_a_reason_and_an_effective_date(client, world):
    certificate = issued(world)
    login(client, world, "cb_admin")
    page = client.get(detail_url(certificate)).content.decode()
    assert "Actions of the certification body" in page and 'value="suspend"' in page and 'value="restore"' not in page
    day = timezone.localdate() + timedelta(days=2)
    response = post_status(client, certificate, "suspend", effective_on=day)
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_since) == (S.SUSPENDED, day)
    event = certificate.events.order_by("-seq").first()
    assert (event.action, event.reason, event.actor, event.effective_on) == (
        "certificate.suspended",
        "客户投诉属实",
        world["people"]["cb_admin"],
        day,
    )
    page = client.get(detail_url(certificate)).content.decode()
    assert 'value="restore"' in page and "certificate suspended" in page


def test_a_status_change_without_a_reason_changes_nothing(client, world):
    certificate = issued(world)
    count = certificate.events.count()
    response = post_status(login(client, world, "cb_admin"), certificate, "withdraw", reason="  ")
    assert response.status_code == 400 and "Reason" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == S.VALID and certificate.events.count() == count


def test_an_illegal_status_change_is_refused_with_the_service_message(client, world):
    certificate = certificate_in(world, S.WITHDRAWN)
    count = certificate.event_count
    response = post_status(login(client, world, "cb_admin"), certificate, "restore")
    assert response.status_code == 409
    assert "only a suspended certificate is restored" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == S.WITHDRAWN and certificate.event_count == count


@pytest.mark.parametrize("persona", ["reviewer", "committee", "ent_admin"])
def test_viewers_who_are_not_the_cb_admin_get_403_on_actions(client, world, persona):
    certificate = issued(world)
    login(client, world, persona)
    assert post_status(client, certificate, "suspend").status_code == 403
    assert client.post(reverse("certificate_change", args=[certificate.number]), {}).status_code == 403
    certificate.refresh_from_db()
    assert certificate.status == S.VALID


def change_form(certificate, **over):
    v = certificate.versions.order_by("-seq").first()
    data = {
        "level": v.level,
        "name": v.enterprise_name,
        "address": v.address,
        "scope": v.scope,
        "sites": "\n".join(f"{s['name']} | {s['address']}" for s in v.sites),
        "reason": "address",
        "note": "企业搬迁",
    }
    data.update(over)
    return data


def test_the_cb_admin_changes_the_address_as_a_new_version(client, world):
    certificate = issued(world)
    response = login(client, world, "cb_admin").post(
        reverse("certificate_change", args=[certificate.number]),
        change_form(certificate, address="杭州市滨江区新地址 8 号"),
    )
    assert response.status_code == 302
    version = certificate.versions.order_by("-seq").first()
    assert (version.seq, version.reason, version.address, version.note) == (
        2,
        "address",
        "杭州市滨江区新地址 8 号",
        "企业搬迁",
    )
    page = client.get(detail_url(certificate)).content.decode()
    assert "Version 2" in page and "杭州市滨江区新地址 8 号" in page and "企业搬迁" in page


def test_lines_sent_with_crlf_do_not_count_as_a_change_of_scope(client, world):
    certificate = issued(world)
    v = certificate.versions.get()
    assert "\n" in v.scope
    form = change_form(certificate, scope=v.scope.replace("\n", "\r\n"), level="four_star", reason="level")
    login(client, world, "cb_admin").post(reverse("certificate_change", args=[certificate.number]), form)
    event = certificate.events.order_by("-seq").first()
    assert list(event.data["changed"]) == ["level"]


def test_a_level_change_from_the_web_is_recorded_with_its_reason(client, world):
    certificate = issued(world)
    login(client, world, "cb_admin").post(
        reverse("certificate_change", args=[certificate.number]),
        change_form(certificate, level="four_star", reason="level", note="投诉处理不达标"),
    )
    certificate.refresh_from_db()
    assert certificate.level == "four_star"
    event = certificate.events.order_by("-seq").first()
    assert event.action == "certificate.changed" and event.reason == "投诉处理不达标"
    assert event.data["changed"]["level"] == ["five_star", "four_star"]


def test_a_change_that_changes_nothing_or_lacks_a_note_is_refused(client, world):
    certificate = issued(world)
    login(client, world, "cb_admin")
    url = reverse("certificate_change", args=[certificate.number])
    response = client.post(url, change_form(certificate))
    assert response.status_code == 409 and "Nothing differs" in response.content.decode()
    response = client.post(url, change_form(certificate, address="新地址", note=""))
    assert response.status_code == 400
    assert certificate.versions.count() == 1


def test_a_withdrawn_certificate_offers_no_action_and_no_change(client, world):
    certificate = certificate_in(world, S.WITHDRAWN)
    page = login(client, world, "cb_admin").get(detail_url(certificate)).content.decode()
    assert "its status can no longer change" in page and "Issue the new version" not in page


# ------------------------------------------------------------------------------------- downloads


def test_the_holder_downloads_the_pdfs_and_the_mark(client, world):
    certificate = issued(world)
    login(client, world, "ent_member")
    zh = client.get(reverse("certificate_pdf", args=[certificate.number]))
    en = client.get(reverse("certificate_pdf", args=[certificate.number]), {"lang": "en"})
    if zh.status_code == 503:
        pytest.skip("the PDF library is not available here")
    assert zh.status_code == 200 and zh["Content-Type"] == "application/pdf" and zh.content.startswith(b"%PDF")
    assert en.status_code == 200 and en.content.startswith(b"%PDF") and en.content != zh.content
    assert "-en.pdf" in en["Content-Disposition"]
    svg = client.get(reverse("certificate_mark", args=[certificate.number, "svg"]))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert certificate.number in svg.content.decode()
    png = client.get(reverse("certificate_mark", args=[certificate.number, "png"]))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert client.get(reverse("certificate_mark", args=[certificate.number, "gif"])).status_code == 404


def test_the_holder_of_a_suspended_certificate_cannot_download_but_the_cb_can(client, world):
    certificate = certificate_in(world, S.SUSPENDED)
    url = reverse("certificate_mark", args=[certificate.number, "svg"])
    assert login(client, world, "ent_admin").get(url).status_code == 403
    page = client.get(detail_url(certificate)).content.decode()
    assert "Downloads are available only while the certificate is valid." in page
    assert login(client, world, "cb_admin").get(url).status_code == 200


# ------------------------------------------------------------------------------ issue from a case


def issue_part(world, case, persona):
    access = case_viewer(world["people"][persona], case)
    return render_to_string("certificates/_case_issue.html", {"case": case, "access": access})


def test_the_cb_admin_issues_the_certificate_from_a_decided_case(client, world):
    case = decided(world).case
    assert "Issue the certificate" in issue_part(world, case, "cb_admin")
    assert "Issue the certificate" not in issue_part(world, case, "reviewer")
    url = reverse("case_certificate_issue", args=[case.pk])
    assert login(client, world, "reviewer").post(url).status_code == 403
    response = login(client, world, "cb_admin").post(url, {"confirm": "yes"})
    certificate = Certificate.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(certificate)
    part = issue_part(world, case, "ent_admin")
    assert certificate.number in part and "Issue the certificate" not in part
    # a second press: refused with the service's message, back to the case
    response = client.post(url, {"confirm": "yes"})
    assert response["Location"].startswith(reverse("case_detail", args=[case.pk]))
    assert any("already issued" in str(m) for m in get_messages(response.wsgi_request))
    assert Certificate.objects.count() == 1


def test_the_issue_part_is_empty_before_the_decision(world):
    case = case_at(world, "reported")
    assert "Issue the certificate" not in issue_part(world, case, "cb_admin")
    assert CertificateEvent.objects.count() == 0

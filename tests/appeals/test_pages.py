"""The appeal pages: lists (and their query count), the lodge form, the detail as each side sees
it, the handling forms, the case partial."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from aftersales.appeals.models import Appeal
from tests.audits.factories import case_at
from tests.web.personas import PERSONAS
from tests.web.routes_appeals import routes

from .factories import appeal_in, lodged

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def case(world):
    return case_at(world, "decided")


def _as(client, world, persona):
    client.force_login(world["people"][persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_what_the_matrix_says(client, world, persona):
    got, want = {}, {}
    for name, (method, url, data, _headers, statuses) in routes(world).items():
        client.logout()
        if persona != "anonymous":
            client.force_login(world["people"][persona])
        got[name], want[name] = getattr(client, method)(url, data).status_code, statuses[persona]
    assert got == want


def test_the_cb_list_takes_the_same_number_of_queries_for_many_appeals(client, world, case):
    client = _as(client, world, "cb_admin")
    lodged(world, case=case)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("appeal_list")).status_code == 200
    for _ in range(6):
        appeal_in(world, "acknowledged", case=case)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("appeal_list") + "?state=open")
    assert response.status_code == 200 and len(response.context["appeals"]) == 7
    assert len(many) == len(few)


def test_the_overdue_filter_shows_only_overdue_appeals(client, world, case):
    late = lodged(world, case=case)
    Appeal.objects.filter(pk=late.pk).update(acknowledge_by="2020-01-01", decide_by="2020-03-01")
    lodged(world, case=case)
    response = _as(client, world, "cb_admin").get(reverse("appeal_list") + "?state=overdue")
    assert [a.pk for a in response.context["appeals"]] == [late.pk]
    assert "acknowledgement overdue" in response.content.decode()


def test_the_enterprise_lists_only_its_own(client, world, case):
    mine = lodged(world, case=case)
    other = case_at(world, "decided", enterprise=world["other"])
    from aftersales.appeals import services

    services.appeal_lodge(case=other, kind="complaint", grounds="x", by=world["people"]["other_admin"])
    response = _as(client, world, "ent_member").get(reverse("appeal_list"))
    assert [a.pk for a in response.context["appeals"]] == [mine.pk]


def test_the_lodge_form_offers_the_case_decision_and_lodges_with_a_file(client, world, case):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _as(client, world, "ent_admin")
    assert case in client.get(reverse("appeal_new")).context["cases"]
    page = client.get(reverse("appeal_new") + f"?case={case.pk}")
    decision = case.decisions.get()
    assert f'value="decision-{decision.pk}"' in page.content.decode()
    response = client.post(
        reverse("appeal_new"),
        {
            "case": case.pk,
            "subject": f"decision-{decision.pk}",
            "grounds": "评分有误",
            "files": [SimpleUploadedFile("证据.pdf", b"%PDF-1.4 x")],
        },
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("appeal_detail", args=[appeal.pk])
    assert (appeal.kind, appeal.decision, appeal.files.count()) == ("appeal", decision, 1)


def test_the_lodge_form_shows_the_problems_and_writes_nothing(client, world, case):
    response = _as(client, world, "ent_admin").post(
        reverse("appeal_new"), {"case": case.pk, "subject": "complaint", "grounds": " "}
    )
    assert response.status_code == 400 and "Give the grounds" in response.content.decode()
    response = _as(client, world, "ent_admin").post(
        reverse("appeal_new"), {"case": case.pk, "subject": "decision-999999", "grounds": "x"}
    )
    assert response.status_code == 400 and "Choose what you appeal" in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_enterprise_sees_the_outcome_but_not_the_internal_notes(client, world, case):
    from aftersales.appeals import services

    appeal = appeal_in(world, "under_review", case=case)
    services.appeal_note(appeal=appeal, text="内部调查记录", by=world["people"]["auditor_other"])
    services.appeal_decide(
        appeal=appeal, outcome="upheld", reasons="审核组未抽样", remedy="重新审核", by=world["people"]["auditor_other"]
    )
    page = _as(client, world, "ent_member").get(reverse("appeal_detail", args=[appeal.pk])).content.decode()
    assert "审核组未抽样" in page and "重新审核" in page and "upheld" in page
    assert "内部调查记录" not in page and "investigation note" not in page
    staff = _as(client, world, "cb_admin").get(reverse("appeal_detail", args=[appeal.pk])).content.decode()
    assert "内部调查记录" in staff


def test_the_cb_admin_sees_who_may_not_handle_and_why(client, world, case):
    appeal = lodged(world, case=case)
    page = _as(client, world, "cb_admin").get(reverse("appeal_detail", args=[appeal.pk])).content.decode()
    assert f"auditor was on the audit team of case {case.reference}" in page
    assert "committee took the committee&#x27;s decision" in page


def test_a_refused_assignment_is_flashed_with_its_rule(client, world, case):
    appeal = lodged(world, case=case)
    client = _as(client, world, "cb_admin")
    response = client.post(
        reverse("appeal_assign", args=[appeal.pk]), {"handler": world["people"]["committee"].pk}, follow=True
    )
    assert "took the committee&#x27;s decision" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.handler is None


def test_the_handler_goes_through_the_forms(client, world, case):
    appeal = lodged(world, case=case)
    _as(client, world, "cb_admin").post(
        reverse("appeal_assign", args=[appeal.pk]), {"handler": world["people"]["auditor_other"].pk}
    )  # the reviewer planned the audit: she acted on the case and may not handle its appeal
    client = _as(client, world, "auditor_other")
    for name, data in [
        ("appeal_acknowledge", {"note": "收到"}),
        ("appeal_review_start", {}),
        ("appeal_note", {"text": "核查"}),
        ("appeal_decide", {"outcome": "dismissed", "reasons": "无依据"}),
    ]:
        assert client.post(reverse(name, args=[appeal.pk]), data).status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.event_count) == ("decided", "dismissed", 6)
    response = client.post(
        reverse("appeal_decide", args=[appeal.pk]), {"outcome": "upheld", "reasons": "r"}, follow=True
    )
    assert "is not possible now" in response.content.decode()


def test_the_case_partial_lists_the_appeals_with_deadlines_and_the_lodge_link(rf, world, case):
    appeal = lodged(world, case=case)
    template = Template('{% include "appeals/_case_appeals.html" %}')
    request = rf.get("/")
    request.user = world["people"]["ent_admin"]
    html = template.render(Context({"case": case, "request": request}))
    assert appeal.reference in html and appeal.decide_by.isoformat() in html
    assert f"{reverse('appeal_new')}?case={case.pk}" in html
    request.user = world["people"]["auditor"]  # on the team, not the handler: sees none of them
    html = template.render(Context({"case": case, "request": request}))
    assert appeal.reference not in html

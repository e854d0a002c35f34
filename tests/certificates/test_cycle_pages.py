"""The CB's cycle dashboard and calendar: who sees them, what they list, constant queries, the
actions (open a surveillance audit, answer a suspension proposal, open a recertification)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.certificates.cycle import job
from aftersales.certificates.cycle import services as cycle
from aftersales.certificates.models import Certificate, Surveillance
from aftersales.certification.models import Case
from tests.web.personas import PERSONAS
from tests.web.routes_cycle import routes

from .cycle_factories import on
from .factories import issued, new_enterprise

pytestmark = pytest.mark.django_db
SV = Surveillance.State


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_persona_as_the_matrix_rows_say(client, world, persona):
    got, want = {}, {}
    for name, (method, url, data, headers, statuses) in routes(world).items():
        client.logout()
        if persona != "anonymous":
            client.force_login(world["people"][persona])
        response = getattr(client, method)(url, data, headers=headers)
        got[name], want[name] = response.status_code, statuses[persona]
    assert got == want


def certificates(world, n: int, day: date) -> list[Certificate]:
    with on(day):
        return [issued(world, enterprise=new_enterprise(), today=day) for _ in range(n)]


def test_the_dashboard_lists_due_overdue_expiring_and_recertification(client, world):
    due_cert, overdue_cert = certificates(world, 2, date(2026, 1, 15))
    (old,) = certificates(world, 1, date(2023, 6, 1))  # expires 2026-05-31
    Surveillance.objects.filter(certificate=old).update(state=SV.DONE, done_on=date(2025, 5, 1))
    with on(date(2026, 2, 1)):
        job.cycle_run(today=date(2026, 2, 1))
    s = Surveillance.objects.filter(certificate=overdue_cert, n=1).get()
    Surveillance.objects.filter(pk=s.pk).update(due_by=date(2026, 1, 20), window_opens=date(2026, 1, 16))
    client.force_login(world["people"]["cb_admin"])
    with on(date(2026, 3, 20)):
        page = client.get(reverse("cycle_dashboard"))
    o = page.context["o"]
    assert [x.certificate for x in o.overdue] == [overdue_cert]
    assert o.expiring == [old] and [r.certificate for r in o.recertification] == [old]
    assert o.due == [] and page.context["is_admin"]
    html = page.content.decode()
    assert overdue_cert.number in html and old.number in html
    assert reverse("cycle_surveillance_open", args=[s.pk]) in html
    with on(date(2026, 10, 20)):
        o = client.get(reverse("cycle_dashboard")).context["o"]
    assert [x.certificate for x in o.due] == [due_cert]


def test_the_dashboard_queries_do_not_grow_with_the_rows(client, world):
    certificates(world, 1, date(2026, 1, 15))

    def count() -> int:
        with on(date(2026, 12, 1)):
            client.force_login(world["people"]["cb_admin"])  # a session of that day
        with on(date(2026, 12, 1)), CaptureQueriesContext(connection) as q:
            assert client.get(reverse("cycle_dashboard")).status_code == 200
            assert client.get(reverse("cycle_calendar") + "?month=2027-01").status_code == 200
        return len(q)

    few = count()
    certificates(world, 3, date(2026, 1, 15))
    assert count() == few


def test_the_calendar_shows_due_items_on_their_days(client, world):
    (c,) = certificates(world, 1, date(2026, 1, 15))
    client.force_login(world["people"]["reviewer"])
    page = client.get(reverse("cycle_calendar") + "?month=2027-01")
    weeks = page.context["weeks"]
    day15 = next(cell for week in weeks for cell in week if cell["day"] == date(2027, 1, 15))
    assert [(e.kind, e.certificate) for e in day15["entries"]] == [("surveillance", c)]
    assert (page.context["prev"], page.context["next"]) == ("2026-12", "2027-02")
    assert "?month=2027-02" in page.content.decode()
    assert not page.context["is_admin"]
    oct14 = client.get(reverse("cycle_calendar") + "?month=2028-10").context["weeks"]
    kinds = {(cell["day"], e.kind) for week in oct14 for cell in week for e in cell["entries"]}
    assert (date(2028, 10, 14), "recertification") in kinds
    # a malformed month shows the current one
    assert client.get(reverse("cycle_calendar") + "?month=2027-13").status_code == 200


def test_the_cb_admin_opens_a_surveillance_audit_from_the_dashboard(client, world):
    (c,) = certificates(world, 1, date(2026, 1, 15))
    s = Surveillance.objects.get(certificate=c, n=1)
    client.force_login(world["people"]["cb_admin"])
    with on(date(2026, 11, 1)):
        response = client.post(reverse("cycle_surveillance_open", args=[s.pk]))
    case = Case.objects.get(kind=Case.Kind.SURVEILLANCE)
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    with on(date(2026, 11, 1)):
        again = client.post(reverse("cycle_surveillance_open", args=[s.pk]), follow=True)
    assert "cannot be opened" in again.content.decode()


def test_the_cb_admin_answers_a_proposal_and_a_missing_reason_is_refused(client, world):
    (c,) = certificates(world, 1, date(2026, 1, 15))
    with on(date(2027, 1, 16)):
        job.cycle_run(today=date(2027, 1, 16))
    s = Surveillance.objects.get(certificate=c, n=1)
    assert s.state == SV.MISSED
    url = reverse("cycle_proposal_answer", args=[s.pk])
    with on(date(2027, 1, 17)):
        client.force_login(world["people"]["cb_admin"])  # a session of that day
        refused = client.post(url, {"answer": "suspend", "reason": ""}, follow=True)
        assert "Reason" in refused.content.decode()
        client.post(url, {"answer": "suspend", "reason": "监督审核未按期进行"})
    c.refresh_from_db()
    s.refresh_from_db()
    assert (c.status, s.proposal_answer) == (Certificate.Status.SUSPENDED, "suspended")


def test_an_opened_recertification_awaiting_the_application_is_named_without_a_dead_link(client, world):
    (old,) = certificates(world, 1, date(2023, 6, 1))  # expires 2026-05-31: its window is open in March
    with on(date(2026, 3, 20)):
        case = cycle.recertification_open(certificate=old, by=world["people"]["cb_admin"])
        client.force_login(world["people"]["cb_admin"])
        html = client.get(reverse("cycle_dashboard")).content.decode()
        assert case.reference in html and "awaiting the enterprise's application" in html
        assert reverse("case_detail", args=[case.pk]) not in html  # a draft is the enterprise's: 404 to the CB
        assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404

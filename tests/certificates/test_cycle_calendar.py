"""The CB's month calendar names the enterprises and shows the days of the audits planned
(issue 23 §4.8), in a fixed number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.certificates.models import Surveillance
from aftersales.certification.cases import case_transition
from aftersales.certification.models import Case
from tests.audits.factories import case_at

from .factories import issued, new_enterprise

pytestmark = pytest.mark.django_db
DECEMBER = reverse("cycle_calendar") + "?month=2026-12"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def _cells(page) -> dict[date, list]:
    return {cell["day"]: cell["entries"] for week in page.context["weeks"] for cell in week if cell["day"]}


def _certificate_due_in_december(world, name: str = ""):
    """A valid certificate whose first surveillance falls due on 2026-12-20."""
    c = issued(world, enterprise=new_enterprise(name))
    Surveillance.objects.filter(certificate=c, n=1).update(due_by=date(2026, 12, 20), window_opens=date(2026, 12, 1))
    return c


def test_it_names_the_enterprise_beside_the_certificate_number(client, world):
    c = _certificate_due_in_december(world, "宁波海川电器有限公司")
    client.force_login(world["people"]["reviewer"])
    page = client.get(DECEMBER)
    assert [(e.kind, e.certificate) for e in _cells(page)[date(2026, 12, 20)]] == [("surveillance", c)]
    html = page.content.decode()
    assert c.number in html and "宁波海川电器有限公司" in html


def test_it_shows_every_day_of_a_planned_audit_with_the_enterprise(client, world):
    case = case_at(world, "planned")  # the plan: 2026-12-07 to 2026-12-08
    client.force_login(world["people"]["reviewer"])
    page = client.get(DECEMBER)
    cells = _cells(page)
    for day in (date(2026, 12, 7), date(2026, 12, 8)):
        assert [(e.kind, e.audit.case) for e in cells[day]] == [("audit", case)]
    assert cells[date(2026, 12, 9)] == []
    html = page.content.decode()
    assert html.count(f'href="{reverse("case_detail", args=[case.pk])}"') == 2
    assert case.enterprise.name in html and case.reference in html


def test_a_withdrawn_case_s_audit_is_not_on_the_calendar(client, world):
    case = case_at(world, "planned")
    case_transition(case=case, to=Case.Status.WITHDRAWN, action="test", by_label="test")
    client.force_login(world["people"]["reviewer"])
    assert all(e.kind != "audit" for entries in _cells(client.get(DECEMBER)).values() for e in entries)


def test_the_committee_sees_the_audit_without_a_link_to_a_case_it_may_not_open(client, world):
    case = case_at(world, "planned")
    client.force_login(world["people"]["committee"])
    html = client.get(DECEMBER).content.decode()
    assert case.enterprise.name in html
    assert reverse("case_detail", args=[case.pk]) not in html
    assert client.get(reverse("case_detail", args=[case.pk])).status_code == 404


def test_its_queries_do_not_grow_with_the_audits_and_certificates(client, world):
    def count() -> int:
        client.force_login(world["people"]["cb_admin"])
        with CaptureQueriesContext(connection) as q:
            assert client.get(DECEMBER).status_code == 200
        return len(q)

    case_at(world, "planned", enterprise=new_enterprise())
    _certificate_due_in_december(world)
    few = count()
    for _ in range(3):
        case_at(world, "planned", enterprise=new_enterprise())
        _certificate_due_in_december(world)
    assert count() == few
    planned = [e for e in _cells(client.get(DECEMBER))[date(2026, 12, 7)] if e.kind == "audit"]
    assert sum(e.audit.case.status == Case.Status.PLANNED for e in planned) == 4

"""The case list is paginated: a page of PAGE_SIZE cases, the same queries whatever the number of
cases, and any page number in the query string answers a page (never an error)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.certification import views
from aftersales.certification.models import Case

from .helpers import open_direct

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)


def cases(world, n: int) -> list[Case]:
    """Submitted cases (the CB sees no drafts), made as rows."""
    made = [open_direct(world, world["enterprise"], world["people"]["ent_admin"]) for _ in range(n)]
    Case.objects.filter(pk__in=[c.pk for c in made]).update(status=Case.Status.SUBMITTED)
    return made


def shown(response) -> list[str]:
    return [c.reference for c in response.context["cases"]]


def test_it_shows_one_page_of_cases_newest_first(client, world, small_pages):
    made = cases(world, 5)
    client.force_login(world["people"]["cb_admin"])
    first = client.get(reverse("case_list"))
    assert shown(first) == [made[4].reference, made[3].reference]
    assert "5 cases" in first.content.decode() and "page 1 of 3" in first.content.decode()
    last = client.get(reverse("case_list"), {"page": "3"})
    assert shown(last) == [made[0].reference]


@pytest.mark.parametrize("page", ["abc", "0", "-1", "2.5", "", "99999999999999999999", "9" * 5000])
def test_it_answers_a_bad_or_huge_page_number_with_a_page(client, world, small_pages, page):
    cases(world, 3)
    client.force_login(world["people"]["cb_admin"])
    response = client.get(reverse("case_list"), {"page": page})
    assert response.status_code == 200
    assert len(shown(response)) in {1, 2}


def test_it_keeps_the_status_filter_in_the_page_links(client, world, small_pages):
    cases(world, 3)
    client.force_login(world["people"]["cb_admin"])
    html = client.get(reverse("case_list"), {"status": "submitted"}).content.decode()
    assert "?status=submitted&amp;page=2" in html


def test_its_queries_do_not_grow_with_the_cases(client, world, small_pages):
    client.force_login(world["people"]["cb_admin"])
    cases(world, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("case_list")).status_code == 200
    cases(world, 12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("case_list"), {"page": "2"})
    assert len(shown(response)) == 2
    assert len(many) == len(few)

"""The cycle dashboard stays bounded: the first rows of each list with its whole count and a link
to all of them, one list's pages behind it, the same queries whatever the number of rows, and any
list name or page number in the query string answers a page (never an error)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.certificates.cycle import selectors as selectors_cycle
from aftersales.certificates.cycle import views as views_cycle

from .cycle_factories import on
from .factories import issued, new_enterprise

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)  # the first surveillance of a certificate issued 2026-01-15 is due, its window open


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _short_lists(monkeypatch):
    monkeypatch.setattr(views_cycle, "FIRST_ROWS", 1)
    monkeypatch.setattr(selectors_cycle, "PAGE_ROWS", 2)


def certificates(world, n: int):
    with on(date(2026, 1, 15)):
        return [issued(world, enterprise=new_enterprise(), today=date(2026, 1, 15)) for _ in range(n)]


def get(client, world, **params):
    with on(TODAY):
        client.force_login(world["people"]["cb_admin"])  # a session of that day
    with on(TODAY):
        return client.get(reverse("cycle_dashboard"), params)


def test_it_shows_the_first_rows_of_a_list_its_count_and_a_link_to_all(client, world):
    certificates(world, 3)
    response = get(client, world)
    o, html = response.context["o"], response.content.decode()
    assert len(o.due) == 1 and o.counts["due"] == 3
    assert "Show all 3" in html and "?list=due&amp;cb=" in html


def test_it_pages_one_list(client, world):
    made = certificates(world, 3)
    first, second = get(client, world, list="due"), get(client, world, list="due", page="2")
    assert [s.certificate for s in first.context["o"].due] == made[:2]
    assert [s.certificate for s in second.context["o"].due] == made[2:]
    assert "page 2 of 2" in second.content.decode()
    assert second.context["o"].overdue == [] and "Show all" not in second.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"list": "due", "page": "abc"},
        {"list": "due", "page": "-3"},
        {"list": "due", "page": "99999999999999999999"},
        {"list": "due", "page": "9" * 5000},
        {"list": "nonsense", "page": "2"},
        {"list": "", "page": "x"},
    ],
)
def test_it_answers_a_bad_list_or_page_with_a_page(client, world, params):
    certificates(world, 3)
    response = get(client, world, **params)
    assert response.status_code == 200
    assert 1 <= len(response.context["o"].due) <= 2


@pytest.mark.parametrize("params", [{}, {"list": "due", "page": "2"}, {"list": "recertification"}])
def test_its_queries_do_not_grow_with_the_rows(client, world, params):
    certificates(world, 3)

    def count() -> int:
        with on(TODAY):
            client.force_login(world["people"]["cb_admin"])
        with on(TODAY), CaptureQueriesContext(connection) as q:
            assert client.get(reverse("cycle_dashboard"), params).status_code == 200
        return len(q)

    few = count()
    certificates(world, 4)
    assert count() == few

"""The KPI page's cards (17 server-drawn SVG trend charts) are drawn once per figure set and
language and then read from storage beside the figures: a second view draws nothing and shows the
same HTML; new records are a new figure set, drawn again."""

import re

import pytest
from django.urls import reverse

from aftersales.records import kpis, presenters
from aftersales.records.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch):
    """Counts the trend charts drawn."""
    calls = []
    real = presenters.trend_chart

    def counting(*args, **kwargs):
        calls.append(kwargs["title"])
        return real(*args, **kwargs)

    monkeypatch.setattr(presenters, "trend_chart", counting)
    return calls


def figures(client, world, lang="zh-hans") -> str:
    client.force_login(world["people"]["ent_admin"])
    url = reverse("records_kpis", args=[world["enterprise"].pk])
    html = client.get(url, headers={"HX-Request": "true", "Accept-Language": lang}).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_it_draws_the_charts_once_and_shows_the_same_figures_again(client, world, imported, drawn):
    first = figures(client, world)
    assert drawn and first.count("<svg") >= len(drawn) and 'id="kpi-first_response_time"' in first
    count = len(drawn)
    assert figures(client, world) == first
    assert len(drawn) == count


def test_it_draws_them_once_per_language(client, world, imported, drawn):
    zh = figures(client, world)
    count = len(drawn)
    en = figures(client, world, lang="en")
    assert len(drawn) == 2 * count and en != zh
    assert figures(client, world, lang="en") == en and len(drawn) == 2 * count


def test_new_records_are_drawn_again(client, world, imported, drawn):
    first = figures(client, world)
    count = len(drawn)
    WorkOrder.objects.filter(enterprise=world["enterprise"]).first().delete()
    second = figures(client, world)
    assert len(drawn) == 2 * count and second != first


def test_a_storage_that_cannot_be_written_costs_speed_not_the_page(client, world, imported, drawn, monkeypatch):
    first = figures(client, world)

    def refuse(*args, **kwargs):
        raise OSError("read-only")

    monkeypatch.setattr(kpis.default_storage, "save", refuse)
    monkeypatch.setattr(kpis.default_storage, "exists", lambda name: False)
    assert figures(client, world) == first

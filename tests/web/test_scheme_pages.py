"""Scheme pages: public, bilingual, 404 for unknown schemes, no N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

GBT = ("gbt27922-2011", "ref-2026.1")


def test_it_lists_the_registered_schemes_in_chinese_by_default(client, schemes_registered):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "评价方案" in html and "参考分配" in html
    for reg in schemes_registered:
        assert reverse("scheme_detail", args=[reg.version.scheme_id, reg.version.version]) in html


def test_it_speaks_english_to_an_english_browser(client, schemes_registered):
    page = client.get("/", headers={"accept-language": "en"})
    html = page.content.decode()
    assert '<html lang="en">' in html and "Evaluation schemes" in html and "reference allocation" in html


def test_it_switches_language_on_request(client, schemes_registered):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Evaluation schemes" in client.get("/").content.decode()


def test_it_shows_the_indicator_tree_with_the_reference_label(client, schemes_registered):
    page = client.get(reverse("scheme_detail", args=GBT))
    html = page.content.decode()
    assert page.status_code == 200
    assert "5.1.2.2" in html and "售后服务管理师" in html
    assert "参考分配" in html and "推定" in html  # reference allocation, inferred items
    assert "四星 ≥ 90" in html


def test_it_answers_404_for_an_unknown_scheme(client, schemes_registered):
    assert client.get(reverse("scheme_detail", args=["nope", "1"])).status_code == 404
    assert client.get(reverse("scheme_detail", args=[GBT[0], "0.0"])).status_code == 404


def test_it_serves_the_checklist_and_the_exact_scheme_file(client, schemes_registered):
    import hashlib

    xlsx = client.get(reverse("scheme_checklist", args=GBT))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    source = client.get(reverse("scheme_source", args=GBT))
    reg = next(r for r in schemes_registered if r.version.scheme_id == GBT[0])
    assert hashlib.sha256(source.content).hexdigest() == reg.version.sha256


def test_it_lists_schemes_in_a_constant_number_of_queries(client, schemes_registered):
    from aftersales.schemes.models import SchemeVersion

    with CaptureQueriesContext(connection) as few:
        client.get("/")
    source = SchemeVersion.objects.get(scheme_id="sbt10401-2006-a2").source
    text = bytes(source).decode().replace('version: "2006.1"', 'version: "2006.{n}"')
    from aftersales.schemes.services import scheme_register

    for n in range(2, 7):
        scheme_register(data=text.replace("{n}", str(n)).encode(), by_label="test")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


def test_it_finds_the_stylesheet_the_layout_links():
    from django.contrib.staticfiles import finders

    assert finders.find("aftersales/site.css") is not None

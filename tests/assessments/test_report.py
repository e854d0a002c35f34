"""The assessment's PDF report and the charts on the assessment page."""

import os
import shutil
import subprocess
import sys

import pytest
from django.urls import reverse

from aftersales.assessments import services
from aftersales.assessments.report import ReportUnavailable, pdf_from_html
from aftersales.schemes.selectors import scheme_of

pytestmark = pytest.mark.django_db


def fill(assessment, user, *, nonconform=()):
    for item in scheme_of(assessment.scheme_version).items:
        kind = "nonconform" if item.code in nonconform else "partial" if item.partial else "conform"
        services.answer_save(
            assessment=assessment,
            item_code=item.code,
            kind=kind,
            awarded=item.points if kind == "partial" else None,
            reason="整改中" if kind == "nonconform" else "",
            expected_version=0,
            by=user,
        )


def finished(world):
    a, admin = world["assessment"], world["people"]["ent_admin"]
    fill(a, admin, nonconform={"5.1.1.1"})
    return services.assessment_finish(assessment=a, by=admin)


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: cannot read the PDF's text")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()


def get_pdf(client, user, assessment):
    client.force_login(user)
    return client.get(reverse("assessment_report_pdf", args=[assessment.pk]))


@pytest.mark.parametrize("persona", ["ent_admin", "ent_member"])
def test_it_returns_a_pdf_to_the_enterprise_users(client, world, persona):
    response = get_pdf(client, world["people"][persona], world["assessment"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f'filename="assessment-{world["assessment"].pk}.pdf"' in response["Content-Disposition"]


@pytest.mark.parametrize("persona", ["other_admin", "auditor", "committee"])
def test_it_answers_404_to_everyone_else(client, world, persona):
    assert get_pdf(client, world["people"][persona], world["assessment"]).status_code == 404


def test_it_writes_the_enterprise_the_score_and_the_scheme_hash(client, world, tmp_path):
    a = finished(world)
    text = pdf_text(get_pdf(client, world["people"]["ent_admin"], a).content, tmp_path)
    flat = "".join(text.split())  # the 64-character hash may wrap in the footer
    assert "甲企业" in text
    assert a.result["score"] in text and a.result["score"] != "100.00"
    assert world["gbt"].sha256 in flat
    assert "参考分配" in text  # the GB/T scheme is a reference allocation
    assert "整改中" in text  # an item's reason
    assert "DRAFT" not in text


def test_it_marks_a_draft_as_such(client, world, tmp_path):
    text = pdf_text(get_pdf(client, world["people"]["ent_admin"], world["assessment"]).content, tmp_path)
    assert "DRAFT" in text  # the watermark, on every page
    assert "未作答" in text  # unanswered items say so


def test_it_writes_english_for_english_users(client, world, tmp_path):
    client.force_login(world["people"]["ent_admin"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("assessment_report_pdf", args=[world["assessment"].pk]))
    text = pdf_text(response.content, tmp_path)
    assert "Self-assessment report" in text and "Points per category" in text
    assert "甲企业" in text


def test_it_embeds_only_the_shipped_font(client, world, tmp_path):
    """Chinese must not depend on a system font: every font in the PDF is the vendored one."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed: cannot list the PDF's fonts")
    path = tmp_path / "report.pdf"
    path.write_bytes(get_pdf(client, world["people"]["ent_admin"], finished(world)).content)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    fonts = [line.split()[0] for line in listing.splitlines()[2:]]
    assert fonts and all("Aftersales-Report-Sans" in name for name in fonts), listing


NO_SYSTEM_FONTS = """<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>"""

RENDER = """
import sys, django
django.setup()
from aftersales.assessments.report import FONT_FAMILY, font_faces, pdf_from_html
html = (f'<html><head><meta charset="utf-8"><style>{font_faces()} html {{ font-family: "{FONT_FAMILY}"; }}</style>'
        '</head><body><h1>甲企业</h1><p>售后服务评价 达标 三星 四星 五星 −1.87</p></body></html>')
sys.stdout.buffer.write(pdf_from_html(html))
"""


def test_it_renders_chinese_on_a_machine_without_any_font(tmp_path):
    """A fontconfig with no font directory stands in for a fresh machine: the vendored font is enough."""
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed: cannot list the PDF's fonts")
    conf = tmp_path / "fonts.conf"
    conf.write_text(NO_SYSTEM_FONTS.format(cache=tmp_path / "cache"))
    env = {**os.environ, "FONTCONFIG_FILE": str(conf), "DJANGO_SETTINGS_MODULE": "aftersales.settings"}
    pdf = subprocess.run([sys.executable, "-c", RENDER], env=env, capture_output=True, check=True).stdout
    path = tmp_path / "bare.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    fonts = [line.split()[0] for line in listing.splitlines()[2:]]
    assert fonts and all("Aftersales-Report-Sans" in name for name in fonts), listing
    text = pdf_text(pdf, tmp_path)
    assert "甲企业" in text and "五星" in text


def test_it_loads_nothing_but_its_fonts():
    html = '<html><body><img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname"><p>好</p></body></html>'
    assert pdf_from_html(html).startswith(b"%PDF-")  # the refused images are left out, nothing fetched


def test_it_explains_when_the_pdf_library_cannot_load(client, world, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as it does without Pango
    with pytest.raises(ReportUnavailable):
        pdf_from_html("<p>x</p>")
    response = get_pdf(client, world["people"]["ent_admin"], world["assessment"])
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert "Pango" in response.content.decode()


def test_it_shows_the_category_chart_and_once_finished_the_history(client, world):
    client.force_login(world["people"]["ent_admin"])
    url = reverse("assessment_detail", args=[world["assessment"].pk])
    html = client.get(url).content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 1
    assert reverse("assessment_report_pdf", args=[world["assessment"].pk]) in html
    a = finished(world)
    html = client.get(url).content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert a.result["score"] in html and "五星 95" in html


def test_it_sends_the_new_category_chart_with_an_answer(client, world):
    client.force_login(world["people"]["ent_admin"])
    response = client.post(
        reverse("answer_save", args=[world["assessment"].pk, "5.1.2.2"]),
        {"kind": "conform", "version": "0"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'id="category-chart"' in html and html.count('hx-swap-oob="true"') == 2
    assert "5.00 / 40" in html  # 5.1.2.2 is worth 5 points of 5.1's 40

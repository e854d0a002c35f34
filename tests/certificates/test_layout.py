"""The certificate page's layout: with 1, 7 or 30 sites (and a long name, address and scope) no two
words overlap, the issuer line, the validity note and the footer come in that order above the
footer's rule, everything lies within the page, and sites that do not fit the first page are listed
on annex pages that name the certificate (read with `pdftotext -bbox`)."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

from aftersales.certificates import documents, pagecheck, pdftext, versions

from .factories import issued

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed"),
]
RULE_GAP = 3.0  # points between the footer's rule and its text (padding-top 1.2 mm = 3.4 pt)
LONG_NAME = "杭州海川家电科技集团股份有限公司滨江售后服务分公司（浙江省家用电器售后服务示范单位）"
LONG_SCOPE = "家用空调器、冰箱、洗衣机、热水器、厨房电器的销售、配送、安装、维修、退换货及回访服务（含线上渠道商品）"
LONG_ADDRESS = "浙江省杭州市滨江区长河街道江南大道 3888 号海川大厦东楼 12 层"


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "Word", slack: float = 0.5) -> bool:
        """Whether the two words' glyphs overlap: poppler's box spans the font's whole ascent and
        descent, so a fifth of its height at the top and at the bottom is left out."""
        trim, other_trim = (self.y1 - self.y0) / 5, (other.y1 - other.y0) / 5
        top, bottom = max(self.y0 + trim, other.y0 + other_trim), min(self.y1 - trim, other.y1 - other_trim)
        return min(self.x1, other.x1) - max(self.x0, other.x0) > slack and bottom - top > slack


def pages_of(pdf: bytes) -> list[tuple[float, float, list[Word]]]:
    """(width, height, words) per page, positions in points from the top left."""
    done = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True)
    html = re.sub(r"<!DOCTYPE[^>]*>", "", done.stdout.decode("utf-8"))
    pages = []
    for page in ET.fromstring(html).iter("{http://www.w3.org/1999/xhtml}page"):
        words = [
            Word(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iter("{http://www.w3.org/1999/xhtml}word")
        ]
        pages.append((float(page.get("width")), float(page.get("height")), words))
    return pages


def certificate_with(world, sites: int, *, name: str = "", scope: str = LONG_SCOPE) -> documents.CertificateVersion:
    certificate = issued(world)
    return versions.certificate_change(
        certificate=certificate,
        by=world["people"]["cb_admin"],
        reason="scope",
        note="服务网点变更",
        name=name or None,
        scope=scope,
        address=LONG_ADDRESS,
        sites=[
            {"name": f"海川家电第{i}售后服务中心", "address": f"浙江省杭州市滨江区江南大道 {i} 号海川大厦一楼"}
            for i in range(1, sites + 1)
        ],
    )


def assert_first_page_laid_out(width: float, height: float, words: list[Word], lang: str) -> None:
    for word in words:
        assert word.x0 >= 0 and word.x1 <= width and word.y0 >= 0 and word.y1 <= height, word
    for i, one in enumerate(words):
        for other in words[i + 1 :]:
            assert not one.overlaps(other), (one, other)
    key = "签名密钥" if lang != "en" else "Signing"
    footer = next(w for w in words if w.text.startswith(key))
    in_footer = [w for w in words if abs(w.y0 - footer.y0) < 2]
    rule = min(w.y0 for w in in_footer) - RULE_GAP
    issuer = next(w for w in words if w.text.startswith("认证机构：" if lang != "en" else "Certification"))
    note = next(w for w in words if w.text.startswith("本证书在有效期内" if lang != "en" else "yearly"))
    assert issuer.y1 <= note.y0, "the validity note follows the issuer line"
    for word in words:
        if word not in in_footer:
            assert word.y1 <= rule, f"{word} runs into the footer's rule at y={rule:.1f}"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize(("sites", "pages"), [(1, 1), (3, 1), (4, 2), (7, 2), (30, 3)])
def test_the_first_page_never_runs_into_its_footer_and_the_annex_lists_every_site(world, lang, sites, pages):
    version = certificate_with(world, sites)
    pdf = documents.certificate_pdf(version, lang)
    laid_out = pages_of(pdf)
    assert_first_page_laid_out(*laid_out[0], lang)
    assert len(laid_out) == pages
    first = "".join(w.text for w in laid_out[0][2])
    annex = [w for _, _, words in laid_out[1:] for w in words]
    names = [f"海川家电第{i}售后服务中心" for i in range(1, sites + 1)]
    if pages == 1:
        assert all(name in first for name in names)
    else:
        assert (f"共{sites}个服务网点" if lang != "en" else f"{sites}sites") in first
        assert names[0] not in first
        listed = "".join(w.text for w in annex)
        assert all(name in listed for name in names)
        for _, _, words in laid_out[1:]:  # every annex page names the certificate
            assert version.certificate.number in "".join(w.text for w in words)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_long_enterprise_name_with_sites_that_fit_stays_clear_of_the_footer(world, lang):
    version = certificate_with(world, 2, name=LONG_NAME)
    pdf = documents.certificate_pdf(version, lang)
    laid_out = pages_of(pdf)
    assert_first_page_laid_out(*laid_out[0], lang)


def test_the_verifier_reads_a_certificate_with_an_annex_and_checks_every_page(world):
    version = certificate_with(world, 30)
    pdf = documents.certificate_pdf(version, "zh-hans")
    text = pdftext.page_text(pdf)
    assert text.count(pdftext.PAGE_BREAK) == 2
    assert all(check.match for check in pagecheck.page_check(version.payload, text)), pagecheck.page_fields(text)
    without_header = text.replace(f"证书编号：{version.certificate.number}", "证书编号：", 1)  # first page loses it
    unnamed = text.rsplit(pdftext.PAGE_BREAK, 1)
    unnamed[1] = unnamed[1].replace(version.certificate.number, "")
    number = {c.field: c for c in pagecheck.page_check(version.payload, pdftext.PAGE_BREAK.join(unnamed))}["number"]
    assert not number.match and "p.3: —" in number.page
    assert without_header  # the first page still shows the number in its mark and registry address


DEMO_SCOPE = "空调\n冰箱\n洗衣机\n热水器\n送货、安装调试、维修、退换货、回访、投诉处理"
LONG_LINES = (
    "\n".join(f"第{i}类家用电器（含线上渠道销售的商品）" for i in range(1, 9)) + "\n送货、安装、维修、退换货及回访服务"
)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_scope_of_several_lines_is_printed_whole_on_the_first_page(world, lang):
    """The demo's five-star scope (four products and the services) was cut after three lines."""
    version = certificate_with(world, 3, name=LONG_NAME, scope=DEMO_SCOPE)
    laid_out = pages_of(documents.certificate_pdf(version, lang))
    assert len(laid_out) == 1
    assert_first_page_laid_out(*laid_out[0], lang)
    first = "".join(w.text for w in laid_out[0][2])
    sep = "；" if lang != "en" else ";"
    assert sep.join(DEMO_SCOPE.split("\n")) in first


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_a_scope_too_long_for_the_first_page_is_stated_in_the_annex(world, lang):
    version = certificate_with(world, 1, scope=LONG_LINES)
    laid_out = pages_of(documents.certificate_pdf(version, lang))
    assert_first_page_laid_out(*laid_out[0], lang)
    assert len(laid_out) == 2
    first = "".join(w.text for w in laid_out[0][2])
    annex = "".join(w.text for w in laid_out[1][2])
    assert ("见附件" if lang != "en" else "seetheannex") in first and "第1类家用电器" not in first
    assert all(line.replace(" ", "") in annex for line in LONG_LINES.split("\n"))
    assert "海川家电第1售后服务中心" in first  # the one site stays on the first page

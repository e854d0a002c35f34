"""The certificate PDF, the star mark and the QR code."""

import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date

import pytest
import zxingcpp
from PIL import Image

from aftersales.certificates import documents, mark, pdfrecord, qr, versions
from aftersales.certificates.models import Certificate
from aftersales.certificates.payload import registry_url
from aftersales.certificates.signing import published_keys, signature_valid

from .factories import certificate_in, issued, new_enterprise

pytestmark = pytest.mark.django_db
S = Certificate.Status
SVG = "{http://www.w3.org/2000/svg}"

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def flat(text: str) -> str:
    return "".join(text.split())


def page_size(pdf: bytes) -> tuple[float, float]:
    done = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True, text=False)
    line = next(x for x in done.stdout.decode().splitlines() if x.startswith("Page size:"))
    width, _, height = line.split(":")[1].split()[:3]
    return float(width), float(height)


def changed(world, certificate):
    """A second version with the data a real certificate carries (scope, address, sites)."""
    return versions.certificate_change(
        certificate=certificate,
        by=world["people"]["cb_admin"],
        reason="scope",
        note="增加服务网点",
        scope="家用空调器的销售、安装、维修及退换货服务",
        address="浙江省杭州市滨江区长河街道江南大道 3888 号",
        sites=[{"name": f"杭州第{i}服务网点", "address": f"杭州市西湖区文三路 {i} 号"} for i in range(1, 8)],
    )


@needs_poppler
def test_it_prints_the_certificate_in_chinese_on_a4_landscape_pages(world):
    certificate = issued(world, level="four_star")
    version = changed(world, certificate)
    pdf = documents.certificate_pdf(version, "zh-hans")
    text = flat(pdf_text(pdf))
    assert page_size(pdf) == pytest.approx((841.89, 595.28), abs=0.1)
    for expected in (
        "商品售后服务评价认证证书",
        certificate.number,
        "甲企业",
        world["enterprise"].credit_code,
        "江南大道3888号",
        "家用空调器的销售、安装、维修及退换货服务",
        "杭州第5服务网点",
        "共7个服务网点，名称和地址见附件",  # seven sites do not fit the first page: the annex lists them
        "GB/T27922-2011",
        "四星★★★★",
        version.score_display,
        "2026年" if version.issued_on.year == 2026 else f"{version.issued_on.year}年",
        version.cb_name,
        registry_url(certificate.number),
        version.key_id,
        flat(pdfrecord.fingerprint(version.signature)),
        "aftersalescertificateverify",
    ):
        assert flat(expected) in text, expected
    assert "不能作为" not in text  # a valid, current certificate: no banner and no watermark
    assert 'class="watermark"' not in documents.certificate_html(version, "zh-hans")


@needs_poppler
def test_it_prints_the_english_version(world):
    certificate = issued(world)
    pdf = documents.certificate_pdf(certificate.versions.get(), "en")
    text = pdf_text(pdf)
    assert "Certificate of After-sales Service Evaluation" in text
    assert "five-star" in text and certificate.number in text
    assert "Verify at" in text and "aftersales certificate verify" in text
    assert "is not valid" not in text


def test_it_embeds_the_signed_record_as_an_attachment(world, tmp_path):
    version = issued(world).versions.get()
    pdf = documents.certificate_pdf(version, "en")
    records = pdfrecord.records_in_pdf(pdf)
    assert records == [
        {
            "format": "aftersales-certificate-signature/1",
            "payload": version.payload,
            "signature": version.signature,
            "key_id": version.key_id,
        }
    ]
    key = {k["kid"]: k["x"] for k in published_keys()}[version.key_id]
    assert signature_valid(records[0]["payload"], records[0]["signature"], key)
    if shutil.which("pdfdetach"):  # a PDF reader lists it as an attachment named certificate.json
        (tmp_path / "c.pdf").write_bytes(pdf)
        listed = subprocess.run(["pdfdetach", "-list", tmp_path / "c.pdf"], capture_output=True, text=True).stdout
        assert "1: certificate.json" in listed


@needs_poppler
@pytest.mark.parametrize(
    ("status", "zh", "en"),
    [
        (S.SUSPENDED, "已暂停", "SUSPENDED"),
        (S.WITHDRAWN, "已撤销", "WITHDRAWN"),
        (S.CANCELLED, "已注销", "CANCELLED"),
        (S.EXPIRED, "已过期", "EXPIRED"),
    ],
)
def test_it_marks_a_certificate_that_is_not_valid_with_its_status(world, status, zh, en):
    """A banner at the top (checked in the PDF's text) and the status as a watermark across the
    page (rotated text: checked in the HTML the PDF is made from)."""
    certificate = certificate_in(world, status)
    version = certificate.versions.get()
    zh_text = flat(pdf_text(documents.certificate_pdf(version, "zh-hans")))
    assert f"本证书{zh}" in zh_text and "不能作为有效证书使用" in zh_text
    assert f'<div class="watermark" aria-hidden="true">{zh}</div>' in documents.certificate_html(version, "zh-hans")
    en_text = flat(pdf_text(documents.certificate_pdf(version, "en")))
    assert f"Thiscertificateis{en.lower()}" in en_text and "isnotvalid" in en_text
    assert f'<div class="watermark" aria-hidden="true">{en}</div>' in documents.certificate_html(version, "en")


def test_it_knows_when_a_version_is_not_the_valid_certificate(world):
    certificate = issued(world, today=date(2026, 3, 1))
    first = certificate.versions.get()
    assert documents.not_valid_because(first, date(2026, 3, 2)) == ""
    assert documents.not_valid_because(first, date(2029, 3, 1)) == S.EXPIRED  # before the expiry job ran
    second = changed(world, certificate)
    first.certificate.refresh_from_db()
    assert documents.not_valid_because(first, date(2026, 3, 2)) == "superseded"
    assert documents.not_valid_because(second, date(2026, 3, 2)) == ""


@needs_poppler
def test_a_replaced_version_says_so(world):
    certificate = issued(world)
    first = certificate.versions.get()
    changed(world, certificate)
    first.certificate.refresh_from_db()
    text = flat(pdf_text(documents.certificate_pdf(first, "en")))
    assert "Thisisversion1ofthecertificate,replacedbyversion2" in text
    assert '<div class="watermark" aria-hidden="true">SUPERSEDED</div>' in documents.certificate_html(first, "en")


# ------------------------------------------------------------------------------------- mark


def test_the_mark_svg_is_xml_with_the_number_the_stars_and_the_words(world):
    certificate = issued(world)
    svg = mark.mark_svg(certificate)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 600 600"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert certificate.number in texts and "售后服务认证" in texts and "After-sales Service Certified" in texts
    assert len(list(root.iter(f"{SVG}polygon"))) == 5
    assert "Noto Sans CJK SC" in svg and "data:font/woff2;base64," in svg  # embedded subset, then fallbacks


def test_a_qualified_mark_shows_the_word_instead_of_stars(world):
    certificate = issued(world, level="qualified")
    root = ET.fromstring(mark.mark_svg(certificate))
    assert list(root.iter(f"{SVG}polygon")) == []
    assert "达标" in [t.text for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(("level", "n"), [("five_star", 5), ("four_star", 4), ("three_star", 3), ("qualified", 0)])
def test_the_mark_draws_one_star_per_star_level(level, n):
    scene = mark.mark_scene(number="ASC26SC00001X", level=level, status="valid", url="http://testserver/r/")
    assert sum(isinstance(s, mark.Poly) for s in scene) == n


@needs_poppler
def test_the_mark_svg_renders_its_text(world):
    """Rasterised (WeasyPrint's SVG renderer, then poppler): the text is there, in the embedded font."""
    import weasyprint

    certificate = issued(world)
    pdf = weasyprint.HTML(string=f"<html><body>{mark.mark_svg(certificate)}</body></html>").write_pdf()
    assert certificate.number in pdf_text(pdf) and "售后服务认证" in pdf_text(pdf)
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True).stdout.decode()
    assert "Aftersales-Mark-Sans" in fonts


def test_the_mark_png_has_the_size_asked_for_and_a_qr_code_of_the_registry_page(world):
    certificate = issued(world)
    for size in (600, 300):
        image = Image.open(io.BytesIO(mark.mark_png(certificate, size=size)))
        assert (image.format, image.size) == ("PNG", (size, size))
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [registry_url(certificate.number)]
    with pytest.raises(ValueError, match="between"):
        mark.mark_png(certificate, size=20)


def test_the_mark_of_a_suspended_certificate_says_so(world):
    certificate = certificate_in(world, S.SUSPENDED)
    texts = [t.text for t in ET.fromstring(mark.mark_svg(certificate)).iter(f"{SVG}text")]
    assert "已暂停" in texts and "SUSPENDED" in texts


# --------------------------------------------------------------------------------------- QR


def test_the_qr_code_opens_the_registry_page():
    url = "http://testserver/registry/ASC26SC00001X/"
    image = Image.open(io.BytesIO(qr.qr_png(url)))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]
    root = ET.fromstring(qr.qr_svg(url, title=url))
    assert root.get("viewBox") and root.get("width") is None  # sized by CSS


def test_the_offline_check_agrees_with_the_signing_module(world):
    version = issued(world).versions.get()
    key = {k["kid"]: k["x"] for k in published_keys()}[version.key_id]
    tampered = {**version.payload, "level": "five_star" if version.level != "five_star" else "qualified"}
    for payload in (version.payload, tampered):
        assert pdfrecord.signature_valid(payload, version.signature, key) == signature_valid(
            payload, version.signature, key
        )
    assert pdfrecord.signature_valid(version.payload, version.signature, key)
    assert not pdfrecord.signature_valid(tampered, version.signature, key)
    assert not pdfrecord.signature_valid(version.payload, "not base64!", key)


def test_the_record_is_found_in_an_uncompressed_pdf_too(world):
    import weasyprint

    version = issued(world, enterprise=new_enterprise()).versions.get()
    record = documents.certificate_record(version)
    attachment = weasyprint.Attachment(string=pdfrecord.record_bytes(record).decode(), name="certificate.json")
    pdf = weasyprint.HTML(string="<p>x</p>").write_pdf(attachments=[attachment], uncompressed_pdf=True)
    assert pdfrecord.records_in_pdf(pdf) == [record]

"""The public registry through the browser (issue 7, "Done when"): search by the enterprise's name,
open the certificate, scan the QR code of its PDF certificate, open what it points to, print the
verification page; then check the same PDF offline with `aftersales certificate verify` against
the keys the registry publishes.

Anonymous visitor, pages in English (Accept-Language). Screenshots go to /tmp/e2e-shots/.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")
NAME = "杭州海川电器有限公司"


def qr_urls(png: bytes) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [
        r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png))) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


@pytest.fixture
def certificate(world, settings, live_server):
    """A five-star certificate of 杭州海川电器有限公司 whose QR codes point at the live server."""
    from django.core.cache import cache

    from tests.certificates.factories import issued, new_enterprise

    settings.PUBLIC_BASE_URL = live_server.url
    settings.REGISTRY_RATE_LIMIT = 1000
    cache.clear()
    return issued(world, enterprise=new_enterprise(NAME))


def test_it_searches_opens_scans_and_verifies_a_certificate(page, certificate, tmp_path):
    from aftersales.assessments.report import ReportUnavailable
    from aftersales.certificates.documents import certificate_pdf

    SHOTS.mkdir(exist_ok=True)
    number = certificate.number
    # the default language (zh-Hans)

    # search by part of the Chinese name, open the certificate from the results
    page.goto(page.base + "/registry/")
    page.fill("#reg-q", "海川")
    page.click("form.reg-search button[type=submit]")
    expect(page.locator("#reg-count")).to_contain_text("找到 1 张")
    page.click(f"a:has-text('{number}')")
    expect(page.locator("#reg-status")).to_have_attribute("data-status", "valid")
    expect(page.locator("h1")).to_contain_text(NAME)
    page.screenshot(path=str(SHOTS / "registry-detail.png"), full_page=True)

    # the certificate PDF's QR code, rendered as an image and scanned
    try:
        pdf = certificate_pdf(certificate.versions.get(seq=1), "zh-hans")
    except ReportUnavailable as exc:
        pytest.skip(f"WeasyPrint cannot render here: {exc}")
    pdf_file = tmp_path / f"{number}.pdf"
    pdf_file.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", pdf_file, tmp_path / "page"], check=True)
    scanned = qr_urls(next(tmp_path.glob("page*.png")).read_bytes())
    assert scanned == [f"{page.base}/registry/{number}/"], scanned

    # open what the QR code points to, then the printable verification
    page.goto(scanned[0])
    expect(page.locator("#reg-status")).to_have_attribute("data-status", "valid")
    page.click("a:has-text('可打印的核验证明')")
    statement = page.locator("#reg-statement")
    expect(statement).to_contain_text(number)
    assert re.search(r"于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d（北京时间，UTC\+8）", statement.inner_text())
    expect(page.locator(".reg-sheet [data-status]")).to_have_attribute("data-status", "valid")
    expect(page.locator("#reg-code")).to_have_text(re.compile(r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$"))
    page.emulate_media(media="print")
    page.screenshot(path=str(SHOTS / "registry-verify-print.png"), full_page=True)
    # the verification page's own QR code leads back to the same registry page
    assert qr_urls(page.locator("#reg-qr svg").screenshot()) == scanned

    # offline check of the PDF with the keys the registry publishes
    keys = page.request.get(page.base + "/.well-known/aftersales-cert-keys.json")
    assert keys.ok
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(keys.json()))
    cli = shutil.which("aftersales", path=str(Path(sys.executable).parent)) or "aftersales"
    result = subprocess.run(
        [cli, "certificate", "verify", str(pdf_file), "--keys", str(keys_file), "--json", "--lang", "en"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    verified = json.loads(result.stdout)
    assert verified["valid"] and verified["payload"]["number"] == number
    assert verified["payload"]["registry_url"] == scanned[0]

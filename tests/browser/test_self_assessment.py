"""A person logs in, answers part of a self-assessment and watches the level change."""

import re

import pytest

from tests.browser.people import sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(page, code: str, kind: str):
    item = page.locator(f"#item-{code.replace('.', chr(92) + '.')}")
    with page.expect_response(re.compile(rf"/items/{re.escape(code)}/$")):
        item.locator(f".kind-{kind}").click()
    # the swapped-in form carries the saved answer's version
    expect(page.locator(f"#item-{code.replace('.', chr(92) + '.')} input[name=version]")).not_to_have_value("0")


def test_it_updates_the_score_and_level_while_answering(page, world):
    sign_in(page, page.base, "ent_admin")
    page.get_by_role("link", name=world["assessment"].title, exact=True).click()
    expect(page.locator(".score-value")).to_have_text("0.00")
    expect(page.locator(".panel")).to_contain_text("尚未达标")

    # Everything in 5.1 and 5.2 conforms: 75 points, 达标.
    from aftersales.schemes.selectors import scheme_of

    codes = [i.code for i in scheme_of(world["gbt"]).items if i.code.startswith(("5.1", "5.2"))]
    for code in codes:
        answer(page, code, "conform")
    expect(page.locator(".score-value")).to_have_text("75.00")
    expect(page.locator(".level-badge")).to_have_text("达标")

    # Complaint handling conforms too: 88 points, 三星.
    for code in ["5.3.2.1", "5.3.2.2", "5.3.2.3", "5.3.2.4"]:
        answer(page, code, "conform")
    expect(page.locator(".score-value")).to_have_text("88.00")
    expect(page.locator(".level-badge")).to_have_text("三星")

    # Survives a reload.
    page.reload()
    expect(page.locator(".score-value")).to_have_text("88.00")
    expect(page.locator("#item-5\\.3\\.2\\.4 input[value=conform]")).to_be_checked()


def test_it_switches_to_english(page, world):
    sign_in(page, page.base, "ent_member")
    page.select_option("#lang-select", "en")
    page.click("text=切换")
    expect(page.locator("h1")).to_have_text("My workspace")
    page.get_by_role("link", name=world["assessment"].title, exact=True).click()
    expect(page.locator(".panel")).to_contain_text("not yet qualified")


def test_it_opens_the_pdf_report(page, world):
    sign_in(page, page.base, "ent_admin")
    page.get_by_role("link", name=world["assessment"].title, exact=True).click()
    answer(page, "5.1.2.2", "conform")
    with page.expect_response(lambda r: r.url.endswith("/report.pdf")) as response:
        page.click("a[href$='report.pdf']")
    assert response.value.status == 200
    assert response.value.headers["content-type"] == "application/pdf"
    # the browser's PDF viewer wraps the document; fetch the bytes with the same session
    pdf = page.request.get(response.value.url)
    assert pdf.body().startswith(b"%PDF-") and len(pdf.body()) > 10_000

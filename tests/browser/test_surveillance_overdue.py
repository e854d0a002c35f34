"""An overdue surveillance through the browser, in zh-Hans (issue 23 §3): the public registry page
and the verification page say it is overdue and when it was due; the CB's certificate list and
certificate page say so with the suspension proposal; on the cycle page a certificate suspended
for more than 13 months is offered withdrawal, not a second suspension, and is withdrawn.
Screenshots at 1280 and 390 px go to /tmp/e2e-shots/."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.browser import people

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")
ISSUED = date(2025, 11, 3)  # first surveillance due 2026-11-03: past by now (the demo's 北京京华 case)
DUE = "2026-11-03"


@pytest.fixture
def certificates(world, settings, live_server):
    """A valid certificate whose first surveillance is missed, and one suspended since 2025-10-15
    whose surveillances are missed too; the daily job has run today."""
    from django.core.cache import cache

    from aftersales.certificates import services
    from aftersales.certificates.cycle.job import cycle_run
    from tests.certificates.factories import issued, new_enterprise

    settings.PUBLIC_BASE_URL = live_server.url
    settings.REGISTRY_RATE_LIMIT = 1000
    settings.TOTP_REQUIRED_FOR_CB = False
    cache.clear()
    late = issued(world, enterprise=new_enterprise("北京京华家电有限公司"), today=ISSUED)
    suspended = issued(world, enterprise=new_enterprise("深圳鹏达电器有限公司"), today=date(2024, 9, 2))
    services.certificate_suspend(
        certificate=suspended,
        reason="监督审核未在规定期限内进行",
        by=world["people"]["cb_admin"],
        effective_on=date(2025, 10, 15),
    )
    cycle_run()
    return late, suspended


def both_widths(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def sign_in(browser, live_server, username: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    people.sign_in(page, live_server.url, username)
    return context, page


def test_the_public_sees_an_overdue_surveillance_with_the_date_it_was_due(page, certificates):
    late, _ = certificates
    page.goto(f"{page.base}/registry/{late.number}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#reg-status")).to_have_attribute("data-status", "valid")
    expect(page.locator("#reg-overdue")).to_have_text(f"监督审核逾期：应于 {DUE} 前完成，至今未完成。")
    expect(page.locator("#reg-surveillance")).to_have_attribute("data-state", "overdue")
    expect(page.locator("#reg-surveillance")).to_contain_text(f"应于 {DUE} 前完成")
    expect(page.locator("main")).not_to_contain_text("2027-11-03")  # the next one does not pass for due
    both_widths(page, "surveillance-overdue-registry")
    page.locator(".reg-status-box a.button").click()  # the printable verification for tender files
    expect(page.locator("#reg-surveillance")).to_have_attribute("data-state", "overdue")
    expect(page.locator("#reg-surveillance")).to_contain_text(f"逾期：应于 {DUE} 前完成，至今未完成")
    both_widths(page, "surveillance-overdue-verify")


def test_the_cb_sees_it_overdue_with_the_proposal_and_withdraws_a_long_suspended_certificate(
    browser, live_server, certificates
):
    late, suspended = certificates
    context, page = sign_in(browser, live_server, "cb_admin")
    try:
        page.goto(live_server.url + "/certificates/")
        row = page.locator("tr", has=page.locator(f"a:has-text('{late.number}')"))
        expect(row.locator("[data-standing]")).to_have_attribute("data-standing", "missed")
        expect(row).to_contain_text("监督审核逾期未完成")
        expect(row).to_contain_text(f"应于 {DUE} 前完成")
        expect(row).to_contain_text("建议暂停，待认证机构决定")
        both_widths(page, "surveillance-overdue-certificate-list")

        page.goto(f"{live_server.url}/certificates/{late.number}/")
        expect(page.locator("#surveillance-state")).to_contain_text(f"应于 {DUE} 前完成")
        expect(page.locator("#surveillance-state [data-proposal]")).to_have_attribute("data-proposal", "pending")
        both_widths(page, "surveillance-overdue-certificate-page")

        page.goto(live_server.url + "/cycle/")
        row = page.locator("#overdue tr", has=page.locator(f"a:has-text('{suspended.number}')")).first
        expect(row).to_contain_text("证书自 2025-10-15 起已暂停")
        expect(row.get_by_role("button", name="撤销证书")).to_be_visible()
        expect(row.get_by_role("button", name="维持暂停")).to_be_visible()
        expect(row.get_by_role("button", name="暂停", exact=True)).to_have_count(0)
        late_row = page.locator("#overdue tr", has=page.locator(f"a:has-text('{late.number}')")).first
        expect(late_row.get_by_role("button", name="暂停", exact=True)).to_be_visible()  # valid: suspend offered
        both_widths(page, "surveillance-overdue-cycle")

        row.locator("input[name=reason]").fill("暂停期间未完成监督审核，撤销证书")
        row.get_by_role("button", name="撤销证书").click()
        expect(page.locator(".messages, .notice, [role=alert]").first).to_contain_text("已撤销证书")
        expect(page.locator("#overdue")).not_to_contain_text(suspended.number)  # no longer live: off the list
        both_widths(page, "surveillance-withdrawn-cycle")
    finally:
        context.close()
    suspended.refresh_from_db()
    assert suspended.status == "withdrawn"

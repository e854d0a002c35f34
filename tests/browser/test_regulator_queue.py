"""The regulator report through the browser, in zh-Hans (issue 24 items 1-2): the CB admin's
待报送 queue lists the plan sent to the enterprise first, due the day before its audit; exporting
it writes CNCA's three sheets, records the export in the log and empties the queue; the workbook
downloads with the template's sheet names and headers. Screenshots at 1280 and 390 px go to
/tmp/e2e-shots/."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest

from tests.browser import people

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")


@pytest.fixture
def due(world, settings):
    """A certificate with its plan and result (recorded today) and a plan sent for an audit in five days."""
    from django.utils import timezone

    from aftersales.accounts.models import Organisation
    from aftersales.audits.models import Audit
    from tests.audits.factories import case_at
    from tests.certificates.factories import issued, new_enterprise

    settings.TOTP_REQUIRED_FOR_CB = False
    Organisation.objects.filter(address="").update(address="浙江省杭州市西湖区文三路 1 号")
    certificate = issued(world, enterprise=new_enterprise("北京京华家电有限公司"))
    Organisation.objects.filter(address="").update(address="浙江省杭州市西湖区文三路 1 号")
    case = case_at(world, "planned")
    start = timezone.localdate() + timedelta(days=5)
    Audit.objects.filter(case=case).update(start_date=start, end_date=start + timedelta(days=1))
    return case, certificate, start


def both_widths(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_cb_admin_reports_the_plan_before_its_audit(browser, live_server, due):
    case, certificate, start = due
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    people.sign_in(page, live_server.url, "cb_admin")

    page.goto(live_server.url + "/regulator/queue/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("待报送监管信息")
    rows = page.locator("table.queue tbody tr")
    # two plans (the certificate's own audit, ours), then the certificate and its result
    expect(rows).to_have_count(4)
    assert [rows.nth(i).get_attribute("data-sheet") for i in range(4)] == ["plans", "plans", "certificates", "results"]
    ours = rows.filter(has_text=case.reference).first
    expect(ours).to_have_attribute("data-sheet", "plans")
    expect(ours).to_contain_text(f"{start - timedelta(days=1):%Y-%m-%d} 审核开始前")
    expect(page.locator(".queue-summary")).to_contain_text("2 份审核计划须在审核开始前报送。")
    both_widths(page, "regulator-queue")

    page.click("main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("待报送记录已导出：共 4 行")
    expect(page.locator(".queue-empty")).to_have_text("没有待报送的记录：所有记录均已报送。")
    both_widths(page, "regulator-queue-exported")

    page.goto(live_server.url + "/regulator/")
    expect(page.locator("table.grid tbody tr").first).to_contain_text("尚未报送的记录")
    with page.expect_download() as info:
        page.locator("table.grid tbody tr").first.get_by_role("link", name="下载").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    assert book.sheetnames == ["审核计划信息表", "证书信息表", "审核结果信息表"]
    assert [c.value for c in book["审核计划信息表"][1]][:3] == ["审核计划编号", "组织名称", "统一社会信用代码"]
    assert book["证书信息表"]["A2"].value == certificate.number
    both_widths(page, "regulator-log")

    page.locator("table.grid tbody tr").first.get_by_role("link", name="所含记录").click()
    expect(page.locator("h1")).to_have_text("已报送的记录")
    expect(page.locator("tbody tr")).to_have_count(4)  # two plans, a certificate version, its result
    expect(page.locator('tr[data-kind="plan"]').filter(has_text=case.reference)).to_contain_text("审核计划信息表")
    both_widths(page, "regulator-export-records")
    context.close()

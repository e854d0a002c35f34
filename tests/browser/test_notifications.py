"""Notifications through the browser, in zh-Hans: the reviewer asks for more information, the
enterprise admin sees the unread count in the navigation, opens the notification and reads it.

Screenshots (1280 and 390 px wide) go to /tmp/e2e-shots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")


@pytest.fixture
def asked(world):
    """A submitted case of 甲企业 on which the reviewer asked for more information (committed, so
    the notification is written as in production)."""
    from aftersales.certification import review
    from aftersales.certification.models import Case
    from tests.certification.helpers import make_case

    case = make_case(world, Case.Status.SUBMITTED)
    review.application_request_info(case=case, questions=["请补充服务网点清单"], by=world["people"]["reviewer"])
    return case


def test_the_enterprise_admin_sees_the_unread_count_and_reads_the_notification(page, asked, world):
    from aftersales.notifications.models import Notification

    SHOTS.mkdir(exist_ok=True)
    page.goto(page.base + "/login/")
    page.fill("#id_username", "ent_admin")
    page.fill("#id_password", "x-pass-12345")
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    badge = page.locator("[data-unread-count]")
    expect(badge).to_have_text("1")
    page.click("a.nav-notes")
    expect(page.locator("h1")).to_have_text("通知")
    item = page.locator(".note-unread a")
    expect(item).to_contain_text(f"{asked.reference}：认证机构要求补充信息")
    expect(page.locator(".note-unread .badge")).to_have_text("未读")
    page.screenshot(path=str(SHOTS / "notifications-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "notifications-390.png"), full_page=True)
    item.click()
    expect(page.locator("main")).to_contain_text("请在案件页面答复问题后重新提交申请")
    expect(page.locator("[data-unread-count]")).to_have_count(0)  # read: no count left
    page.screenshot(path=str(SHOTS / "notification-read-390.png"), full_page=True)
    page.click("main a.button")  # 打开: on to the case
    page.wait_for_url(re.compile(rf"/cases/{asked.pk}/$"))
    assert Notification.objects.get(user=world["people"]["ent_admin"]).read_at is not None
    assert not Notification.objects.filter(user=world["people"]["other_admin"]).exists()

"""The inbox through the browser, in zh-Hans: the enterprise admin and the reviewer each log in, see
the number of steps waiting for them in the navigation (red when one is overdue), their own steps
on the workspace, overdue first, and follow one to the page where it is done.

Screenshots (1280 and 390 px wide) go to /tmp/e2e-shots/."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.browser.people import sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")


@pytest.fixture
def waiting(world, settings):
    """甲企业's application submitted to the CB (the reviewer's step), and another case of 甲企业 in
    rectification whose nonconformity is three days past its deadline (the enterprise's step)."""
    from django.utils import timezone

    from aftersales.audits.models import Nonconformity
    from aftersales.certification.models import Case
    from tests.audits.factories import case_at
    from tests.certification.helpers import make_case

    settings.TOTP_REQUIRED_FOR_CB = False  # the reviewer signs in with the password alone here
    submitted = make_case(world, Case.Status.SUBMITTED)
    rectifying = case_at(world, "rectification")
    Nonconformity.objects.filter(audit__case=rectifying).update(deadline=timezone.localdate() - timedelta(days=3))
    return {"submitted": submitted, "rectifying": rectifying}


def _shots(page, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_two_roles_see_their_own_steps_and_the_count_in_the_navigation(page, browser, live_server, waiting):
    SHOTS.mkdir(exist_ok=True)
    rectifying, submitted = waiting["rectifying"], waiting["submitted"]

    sign_in(page, page.base, "ent_admin")
    page.goto(page.base + "/app/")
    count = page.locator(".usernav .inbox-count")
    expect(count).to_have_text("1")
    expect(count).to_have_class(re.compile(r"inbox-count-late"))  # one step is overdue
    items = page.locator(".inbox-item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("答复 5.1.1.1 的不符合项")
    expect(items.first).to_contain_text(rectifying.reference)
    expect(items.first).to_contain_text("逾期 3 天")
    expect(page.locator(".inbox")).not_to_contain_text("评审认证申请")  # the reviewer's step is not hers
    _shots(page, "inbox-enterprise")
    items.first.locator("a").click()
    page.wait_for_url(re.compile(rf"/cases/{rectifying.pk}/audit/rectification/$"))

    reviewer = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    other = reviewer.new_page()
    other.base = live_server.url
    sign_in(other, other.base, "reviewer")
    other.goto(other.base + "/app/")
    expect(other.locator(".usernav .inbox-count")).to_have_text("1")
    expect(other.locator(".usernav .inbox-count")).not_to_have_class(re.compile(r"inbox-count-late"))
    item = other.locator(".inbox-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("评审认证申请")
    expect(item).to_contain_text(f"{submitted.reference} · 甲企业")
    _shots(other, "inbox-reviewer")
    item.locator("a").click()
    other.wait_for_url(re.compile(rf"/cases/{submitted.pk}/#review$"))
    expect(other.locator("#review")).to_be_visible()
    reviewer.close()

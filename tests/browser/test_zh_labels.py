"""What a person reads in zh-Hans (issue 23 §4.4, §4.10): labels instead of codes, a case history
that groups a run of uploads, a certificate lookup on the home page, 登录 in the registry's header,
schemes picked by title, a self-assessment named when it is started, "推定" explained.

Each page is looked at 1280 px and 390 px wide; screenshots go to /tmp/e2e-shots/ (not the repo).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.people import person

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")
WIDTHS = (1280, 390)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def signed_in(settings):
    settings.TOTP_REQUIRED_FOR_CB = False  # the password alone signs CB staff in here


@pytest.mark.parametrize("width", WIDTHS)
def test_the_case_history_groups_uploads_and_shows_labels(browser, live_server, world, signed_in, width):
    from aftersales.core.materials import REQUIRED
    from tests.certification.helpers import make_case

    case = make_case(world, "accepted")
    with person(browser, live_server, "cb_admin", width) as page:
        page.goto(f"{page.base}/cases/{case.pk}/")
        events = page.locator("#events")
        uploads = events.locator("li[data-action='application.material_uploaded']")
        expect(uploads).to_have_count(1)
        expect(uploads).to_contain_text(f"上传了 {len(REQUIRED)} 份材料")
        expect(uploads.locator("details li")).to_have_count(len(REQUIRED))
        expect(uploads.locator("details li").first).not_to_be_visible()
        uploads.locator("summary").click()
        expect(uploads.locator("details li").first).to_be_visible()
        expect(events.locator("li[data-action='review.saved']")).to_contain_text("现场审核")
        body = page.locator("main").inner_text()
        for code in ("application.material_uploaded", "case.opened", "on_site", "medium"):
            assert code not in body
        review = page.locator("main dl", has_text="行业风险等级")
        expect(review).to_contain_text(re.compile(r"审核方式\s*现场审核"))
        expect(review).to_contain_text(re.compile(r"行业风险等级\s*中"))
        shot(page, f"case-history-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_home_page_looks_a_certificate_up_and_the_registry_offers_login(browser, live_server, db, width):
    with person(browser, live_server, None, width) as page:
        page.goto(page.base + "/")
        page.fill("#home-q", "海川")
        shot(page, f"home-lookup-{width}")
        page.locator(".home-lookup button[type=submit]").click()
        page.wait_for_url(re.compile(r"/registry/\?q="))
        expect(page.locator("#reg-q")).to_have_value("海川")
        nav = page.get_by_role("navigation", name="账户")
        expect(nav.get_by_role("link", name="登录")).to_be_visible()
        expect(nav.get_by_role("link", name="我的工作台")).to_have_count(0)
        shot(page, f"registry-anonymous-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_self_assessment_is_started_by_scheme_title_with_a_name(browser, live_server, world, width):
    with person(browser, live_server, "ent_admin", width) as page:
        options = page.locator("form.start-form select[name=scheme] option")
        expect(options.filter(has_text="商品售后服务评价体系（GB/T 27922-2011）")).to_contain_text("版本 ref-2026.1")
        for text in options.all_inner_texts():
            assert not text.startswith(("gbt27922", "sbt10401")), text
        page.fill("form.start-form input[name=title]", "2027 年度自评（第一轮）")
        shot(page, f"start-assessment-{width}")
        page.locator("form.start-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/assessments/\d+/$"))
        expect(page.locator("h1")).to_contain_text("2027 年度自评（第一轮）")
        legend = page.locator("#inferred-legend")
        expect(legend).to_contain_text("推定")
        expect(legend).to_contain_text("并非标准原文")
        tag = page.locator(".item-title .tag").first
        expect(tag).to_have_attribute("title", re.compile("非标准原文"))
        shot(page, f"assessment-inferred-{width}")

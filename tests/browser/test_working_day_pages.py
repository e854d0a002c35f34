"""What a person sees in zh-Hans on the pages of the working day (issue 23 §4, items 1, 2, 3, 8, 9):
the audit plan keeps its dates, choosing 抽样 waits for the counts, a refused evidence file is
shown at its item, the CB's pages are in the navigation, and the pages fit a 390 px screen.

Every test looks at 1280 px and 390 px; screenshots go to /tmp/e2e-shots/ (not the repo).
"""

from __future__ import annotations

import re
from datetime import date
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
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"))


def item(page, code: str):
    return page.locator(f"form[id='item-{code}']")


def sampled_items(world) -> list[str]:
    from aftersales.schemes.selectors import scheme_of

    return [i.code for i in scheme_of(world["gbt"]).items if i.sampled]


def item_posts(page, code: str) -> list:
    """The POSTs of item `code`'s form, as they are sent."""
    sent: list = []
    page.on("request", lambda r: sent.append(r) if r.method == "POST" and r.url.endswith(f"/items/{code}/") else None)
    return sent


# ------------------------------------------------------------------------------ §4.1 dates


def test_the_audit_plan_keeps_its_dates_after_saving_in_zh_hans(browser, live_server, world):
    from aftersales.audits.models import Audit
    from tests.audits.factories import auditor_of, contracted_case

    case = contracted_case(world)
    auditor_of(world)
    for width in WIDTHS:
        with person(browser, live_server, "reviewer", width) as page:
            page.goto(page.base + f"/cases/{case.pk}/audit/plan/")
            page.fill("#id_start_date", "2026-12-15")
            page.fill("#id_end_date", "2026-12-17")
            page.fill("input[name=man_days]", "3" if width == 1280 else "4")
            page.fill("#id_sites", "总部服务中心")
            page.get_by_role("button", name="保存审核计划").click()
            expect(page.locator(".messages")).to_contain_text("审核计划已保存。")
            # the page shows the saved dates (a zh-Hans 2026/12/15 value would be dropped: "")
            expect(page.locator("#id_start_date")).to_have_value("2026-12-15")
            expect(page.locator("#id_end_date")).to_have_value("2026-12-17")
            shot(page, "plan-saved")
            # and saves again as it stands
            page.get_by_role("button", name="保存审核计划").click()
            expect(page.locator(".messages")).to_contain_text("审核计划已保存。")
            expect(page.locator(".error, .notice-error")).to_have_count(0)
    audit = Audit.objects.get(case=case)
    assert (audit.start_date, audit.end_date) == (date(2026, 12, 15), date(2026, 12, 17))


# ------------------------------------------------------------------------------ §4.2 抽样


def choose_sampled_then_count(page, code: str) -> None:
    """Choose 抽样: nothing is sent and no error shows; the counts appear, the first focused; the
    answer is saved once both are filled in."""
    form = item(page, code)
    counts = form.locator("input[name=sampled], input[name=nonconforming]")
    expect(counts.first).to_be_hidden()
    sent = item_posts(page, code)
    form.locator(".kind-sampled").click()
    expect(form.locator("input[name=sampled]")).to_be_focused()
    expect(counts.nth(1)).to_be_visible()
    expect(form.locator(".error")).to_have_count(0)
    page.keyboard.type("20")
    page.keyboard.press("Tab")  # the first count alone: still nothing sent
    with page.expect_response(lambda r: r.url.endswith(f"/items/{code}/") and r.request.method == "POST"):
        page.keyboard.type("2")
        page.keyboard.press("Tab")
    assert len(sent) == 1, "choosing 抽样 or the first count alone sent the answer"
    form = item(page, code)  # swapped in with the saved answer
    expect(form.locator("input[name=version]")).not_to_have_value("0")
    expect(form.locator("input[name=sampled]")).to_have_value("20")
    expect(form.locator(".error")).to_have_count(0)


def submit_incomplete(page, code: str) -> None:
    """Saving 抽样 with a count missing: the server still refuses it, naming what is missing."""
    form = item(page, code)
    form.locator(".kind-sampled").click()
    form.locator("input[name=sampled]").fill("10")
    with page.expect_response(lambda r: r.url.endswith(f"/items/{code}/") and r.request.method == "POST"):
        form.get_by_role("button", name="保存").click()
    expect(item(page, code).locator(".error")).to_contain_text("抽样结果须填写抽样数和不符合数")


def test_choosing_sampled_waits_for_the_counts_on_the_self_assessment(browser, live_server, world):
    from aftersales.assessments.models import Answer

    first, second = sampled_items(world)[:2]
    for width, code in zip(WIDTHS, (first, second), strict=True):
        with person(browser, live_server, "ent_admin", width) as page:
            page.goto(page.base + world["assessment"].get_absolute_url())
            item(page, code).scroll_into_view_if_needed()
            choose_sampled_then_count(page, code)
            shot(page, "self-assessment-sampled")
    saved = Answer.objects.get(assessment=world["assessment"], item_code=first)
    assert (saved.kind, saved.sampled, saved.nonconforming) == ("sampled", 20, 2)
    with person(browser, live_server, "ent_admin") as page:
        page.goto(page.base + world["assessment"].get_absolute_url())
        submit_incomplete(page, sampled_items(world)[2])


def test_choosing_sampled_waits_for_the_counts_on_the_audit_scoring_page(browser, live_server, world):
    from tests.audits.factories import case_at

    case = case_at(world, "audit")
    first, second, third = sampled_items(world)[:3]
    for width, code in zip(WIDTHS, (first, second), strict=True):
        with person(browser, live_server, "auditor", width) as page:
            page.goto(page.base + f"/cases/{case.pk}/audit/scoring/")
            item(page, code).scroll_into_view_if_needed()
            choose_sampled_then_count(page, code)
            shot(page, "audit-sampled")
    with person(browser, live_server, "auditor") as page:
        page.goto(page.base + f"/cases/{case.pk}/audit/scoring/")
        submit_incomplete(page, third)


# ------------------------------------------------------------------------------ §4.3 evidence


def upload_a_fake_pdf(page, code: str) -> None:
    """Upload a file that only claims to be a PDF: the error is drawn at the item, in its opened
    evidence panel, in sight where the page lands; nothing at the top of the page."""
    panel = page.locator(f"details[id='evidence-{code}']")
    panel.locator("summary").click()
    panel.locator("input[type=file]").set_input_files(
        files=[{"name": "整改记录.pdf", "mimeType": "application/pdf", "buffer": b"just text, not a PDF"}]
    )
    panel.get_by_role("button", name="上传").click()
    page.wait_for_url(re.compile(rf"#item-{re.escape(code)}$"))
    panel = page.locator(f"details[id='evidence-{code}']")
    expect(panel).to_have_attribute("open", "")
    error = panel.locator(".error")
    expect(error).to_have_text("整改记录.pdf 不是真正的 .pdf 文件。")
    expect(error).to_be_in_viewport()
    expect(item(page, code).locator(".item-code")).to_be_in_viewport()
    expect(page.locator("ul.messages")).to_have_count(0)
    shot(page, "evidence-refused")


def test_a_refused_evidence_file_is_shown_at_its_item(browser, live_server, world):
    from tests.audits.factories import case_at

    case = case_at(world, "audit")
    for width in WIDTHS:
        with person(browser, live_server, "ent_admin", width) as page:
            page.goto(page.base + world["assessment"].get_absolute_url())
            upload_a_fake_pdf(page, "5.3.2.2")
        with person(browser, live_server, "auditor", width) as page:
            page.goto(page.base + f"/cases/{case.pk}/audit/scoring/")
            upload_a_fake_pdf(page, "5.3.1.3")
            page.reload()  # shown once
            expect(page.locator("details[id='evidence-5.3.1.3'] .error")).to_have_count(0)


# ------------------------------------------------------------------------------ §4.8, §4.9 navigation


def labels_on_one_line(page) -> dict[str, int]:
    """Each navigation link's label and the number of lines it is drawn on."""
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('nav.usernav > a, nav.usernav button')]
             .map(a => [a.textContent.trim(), new Set([...a.getClientRects()].map(r => Math.round(r.top))).size]))"""
    )


def test_the_cb_reaches_cycle_calendar_regulator_and_appeals_from_the_navigation(browser, live_server, world):
    from tests.audits.factories import case_at

    case = case_at(world, "planned")  # audit days 2026-12-07 and 08
    for width in WIDTHS:
        with person(browser, live_server, "cb_admin", width) as page:
            nav = page.get_by_role("navigation", name="账户")
            assert set(labels_on_one_line(page).values()) == {1}, labels_on_one_line(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            shot(page, "nav-cb-admin")
            nav.get_by_role("link", name="监管报送").click()
            expect(page.locator("h1")).to_be_visible()
            page.get_by_role("navigation", name="账户").get_by_role("link", name="申诉", exact=True).click()
            page.wait_for_url(re.compile(r"/appeals/$"))
            page.get_by_role("navigation", name="账户").get_by_role("link", name="证书周期").click()
            page.wait_for_url(re.compile(r"/cycle/$"))
            page.goto(page.base + "/cycle/calendar/?month=2026-12")
            audit_days = page.locator("li.k-audit")
            expect(audit_days).to_have_count(2)
            expect(audit_days.first).to_contain_text(case.enterprise.name)
            expect(audit_days.first).to_contain_text(case.reference)
            expect(audit_days.first).to_be_in_viewport()
            shot(page, "calendar")
            link = audit_days.first.get_by_role("link", name=case.enterprise.name)
            expect(link).to_have_attribute("href", f"/cases/{case.pk}/")
    with person(browser, live_server, "auditor", 390) as page:
        nav = page.get_by_role("navigation", name="账户")
        for label in ("证书", "证书周期", "监管报送"):
            expect(nav.get_by_role("link", name=label, exact=True)).to_have_count(0)


def test_the_registry_results_fit_a_narrow_screen(browser, live_server, world, settings):
    from django.core.cache import cache

    from tests.certificates.factories import issued, new_enterprise

    settings.REGISTRY_RATE_LIMIT = 1000
    cache.clear()
    issued(world, enterprise=new_enterprise("宁波海川电器有限公司"))
    for width in WIDTHS:
        with person(browser, live_server, None, width) as page:
            page.goto(page.base + "/registry/?q=海川")
            row = page.locator("table.reg-results tbody tr").first
            for label in ("状态", "有效期至"):
                cell = row.locator(f"td[data-label='{label}']")
                box = cell.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box)
            expect(row.locator(".reg-status")).to_be_in_viewport()
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert set(labels_on_one_line(page).values()) == {1}
            shot(page, "registry-results")


def test_the_live_score_stays_in_sight_while_scoring_on_a_phone(browser, live_server, world):
    from aftersales.schemes.selectors import scheme_of

    last = scheme_of(world["gbt"]).items[-1].code
    with person(browser, live_server, "ent_admin", 390) as page:
        page.goto(page.base + world["assessment"].get_absolute_url())
        item(page, last).scroll_into_view_if_needed()
        score = page.locator("#result-panel .score-value")
        expect(score).to_be_in_viewport()
        with page.expect_response(lambda r: r.url.endswith(f"/items/{last}/")):
            item(page, last).locator(".kind-conform").click()
        expect(score).not_to_have_text("0.00")
        expect(score).to_be_in_viewport()
        shot(page, "scoring-score-bar")
        # the bar covers nothing for good: at the end of the page the workspace ends above it
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        bar = page.locator("#result-panel .panel-score").bounding_box()
        workspace = page.locator(".workspace").bounding_box()
        assert workspace["y"] + workspace["height"] <= bar["y"] + 1

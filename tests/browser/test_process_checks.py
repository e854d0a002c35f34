"""Checks at the right step, as people see them in zh-Hans (issue 23 §2): a certificate holder's
new application refused with the way on, the committee's vote with its declaration and the
recommendation's reason beside the score, the early audit start with its reason, "其余条款全部符合"
and the confirmation before the final report. Screenshots at 1280 and 390 px in /tmp/e2e-shots/."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.browser.people import person

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")


def shots(page, name: str) -> None:
    """Full-page screenshots at 1280 px and at 390 px (the same page, narrowed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / f"checks-{name}-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"checks-{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_holders_new_application_is_refused_with_the_way_to_the_certificate(browser, live_server, world):
    from tests.certificates.factories import issued

    certificate = issued(world)
    with person(browser, live_server, "ent_admin") as page:
        page.goto(page.base + "/cases/new/")
        page.select_option("select[name=cb]", value=str(world["cb"].pk))
        page.select_option("select[name=scheme]", value=str(world["gbt"].pk))
        page.click("main form button[type=submit]")
        expect(page.locator("[role=alert]")).to_contain_text(f"已持有本认证方案下的证书 {certificate.number}")
        offer = page.get_by_role("link", name=f"证书 {certificate.number}：再认证或证书变更")
        expect(offer).to_be_visible()
        shots(page, "holder-refused")
        offer.click()
        page.wait_for_url(re.compile(rf"/certificates/{certificate.number}/"))
        expect(page.locator("#certificate-change-path")).to_contain_text("证书变更")
        shots(page, "holder-certificate")


def test_the_committee_votes_with_the_declaration_and_sees_the_reason(browser, live_server, world, settings):
    from aftersales.audits import reporting
    from aftersales.certification.models import Case
    from tests.audits.factories import case_at
    from tests.policy import install_policy

    install_policy(settings, {"committee.quorum": 2})
    case = case_at(world, Case.Status.AUDIT, with_nc=False)
    reporting.report_issue(
        case=case,
        conclusion="体系运行有效",
        recommended_level="qualified",
        recommendation_reason="企业只申请达标级认证",
        by=world["people"]["auditor"],
    )
    with person(browser, live_server, "committee") as page:
        page.goto(page.base + f"/cases/{case.pk}/audit/decision/")
        expect(page.locator("#recommendation-reason")).to_contain_text("企业只申请达标级认证")
        expect(page.locator("#votes")).to_contain_text("法定票数：2 票")
        page.check("input[name=outcome][value=approve]")
        page.fill("textarea[name=reasons]", "理由充分，同意按推荐等级")
        page.get_by_label(re.compile("本人声明与.*无利益冲突")).check()
        shots(page, "committee-vote")
        page.get_by_role("button", name="投出我的一票").click()
        expect(page.locator(".messages")).to_contain_text("您的投票已记录")
        expect(page.locator("#votes")).to_contain_text("理由充分")
        shots(page, "committee-voted")
    case.refresh_from_db()
    assert case.status == Case.Status.REPORTED


def test_the_team_leader_starts_early_with_a_reason_scores_the_rest_and_confirms_the_report(
    browser, live_server, world
):
    from aftersales.audits.models import Audit, AuditReport
    from aftersales.certification.models import Case
    from aftersales.schemes.selectors import scheme_of
    from tests.audits.factories import case_at
    from tests.certificates.factories import _application

    case = case_at(world, Case.Status.DOCUMENT_REVIEW)
    _application(case, world["people"]["ent_admin"])  # the case page shows the application
    later = date.today() + timedelta(days=10)
    Audit.objects.filter(case=case).update(start_date=later, end_date=later + timedelta(days=1))
    with person(browser, live_server, "auditor") as page:
        page.goto(page.base + f"/cases/{case.pk}/")
        reason = page.locator("input[name=early_reason]")
        expect(reason).to_be_visible()
        shots(page, "audit-start-early")
        reason.fill("企业停产检修，双方书面同意提前")
        page.get_by_role("button", name="开始审核").click()
        page.wait_for_url(re.compile(r"/audit/scoring/"))
        page.get_by_role("button", name="其余条款全部符合").click()
        expect(page.locator(".messages")).to_contain_text("个尚未作答的条款已设为“符合”")
        shots(page, "audit-all-conform")
        # a new finding is preselected as a minor nonconformity
        expect(page.locator("select[name=grade]").first).to_have_value("minor")
    answers = case.audit.assessment.answers.count()
    assert answers == len(scheme_of(case.scheme_version).items)

    # the plan's last day has come: the report asks for confirmation before it is issued
    Audit.objects.filter(case=case).update(
        start_date=date.today() - timedelta(days=3), end_date=date.today() - timedelta(days=2)
    )
    with person(browser, live_server, "auditor") as page:
        page.goto(page.base + f"/cases/{case.pk}/audit/scoring/")
        page.fill("#report textarea[name=conclusion]", "体系运行有效")
        page.select_option("#report select[name=recommended_level]", "five_star")
        page.locator("#report button[value=save]").click()
        page.goto(page.base + f"/cases/{case.pk}/")
        page.get_by_role("button", name="出具正式报告").click()
        expect(page.locator("h1")).to_contain_text("出具案件")
        expect(page.locator("main")).to_contain_text("此操作不可撤销")
        shots(page, "report-confirm")
        assert not AuditReport.objects.exists()
        page.get_by_role("button", name="确认出具最终报告").click()
        expect(page.locator("body")).to_contain_text("最终审核报告已出具")
    assert AuditReport.objects.filter(audit__case=case).count() == 1

"""One enterprise from application to an approved certification decision, through the browser,
with a fresh browser context (and a real login) for every person (issue 6, "Done when").

enterprise admin: application, materials, submit → reviewer: review, accept (quotation PDF),
contract → reviewer: plan, impartial team (one auditor refused for a declared conflict), send →
team leader: document review, audit, every item scored, one minor nonconformity, rectification
→ enterprise: answers the nonconformity → leader: accepts it, issues the final report →
committee member (not on the team): approves → enterprise sees the decision; the case's hash
chain is intact.

The pages are driven in English (Accept-Language) so the labels are the msgids and the test does
not change when the Chinese translations land. Screenshots go to /tmp/e2e-shots/ (not the repo).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.browser import people

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")
LEADER_NAME = "李明审核员"
CONFLICTED_NAME = "周强审核员"


@pytest.fixture
def flow(world):
    """The world's people with display names, two registered auditors (one with a declared
    consulting link to the enterprise last year) and a finished five-star self-assessment."""
    from aftersales.assessments.services import answer_save, assessment_finish
    from aftersales.audits.auditors import auditor_register, conflict_declare
    from aftersales.schemes.selectors import scheme_of

    p = world["people"]
    for key, name in [
        ("ent_admin", "张伟"),
        ("ent_member", "李娜"),
        ("cb_admin", "陈静"),
        ("reviewer", "刘洋"),
        ("auditor", LEADER_NAME),
        ("auditor_other", CONFLICTED_NAME),
        ("committee", "黄敏"),
    ]:
        p[key].display_name = name
        p[key].save(update_fields=["display_name"])
    leader = auditor_register(
        cb=world["cb"], user=p["auditor"], registration="ASC-0001", valid_until=date(2029, 12, 31), by=p["cb_admin"]
    )
    other = auditor_register(
        cb=world["cb"],
        user=p["auditor_other"],
        registration="ASC-0002",
        valid_until=date(2029, 12, 31),
        by=p["cb_admin"],
    )
    conflict_declare(
        auditor=other,
        enterprise=world["enterprise"],
        kind="consulting",
        start=date(2025, 3, 1),
        end=date(2025, 12, 31),
        note="为其售后体系提供咨询",
        by=p["cb_admin"],
    )
    # service records up to last month (the eligibility rule on records coverage), as the demo imports them
    from django.utils import timezone

    from aftersales.core.records import synthetic
    from aftersales.core.records.calendar import default_calendar
    from aftersales.core.records.mapping import load_mapping, shipped_mappings
    from aftersales.records.services import records_import

    start = synthetic.start_for(timezone.localdate(), last_day=default_calendar().last_day)
    orders = synthetic.work_orders(300, seed=7, start=start)
    complaints = synthetic.complaints(80, seed=7, start=start)
    visits = synthetic.return_visits(orders, complaints, share=85, seed=7)
    for kind, frame, mapping_name in [
        ("work_order", orders, "crm-work-orders-gbk"),
        ("complaint", complaints, "complaints-event-log-utf8bom"),
        ("return_visit", visits, "return-visits-utf8"),
    ]:
        mapping = shipped_mappings()[mapping_name].read_bytes()
        done = records_import(
            enterprise=world["enterprise"],
            kind=kind,
            data=synthetic.to_csv(frame, load_mapping(mapping, name=mapping_name)),
            filename=f"{kind}.csv",
            mapping=mapping,
            mapping_name=mapping_name,
            by=p["ent_admin"],
        )
        assert done.status == "done", done.problems[:3]
    own = world["assessment"]
    for item in scheme_of(world["gbt"]).items:
        answer_save(assessment=own, item_code=item.code, kind="conform", expected_version=0, by=p["ent_admin"])
    assessment_finish(assessment=own, by=p["ent_admin"])
    return {**world, "leader": leader, "conflicted": other}


def person(browser, live_server, username: str):
    """A fresh English browser context, logged in through the login page as `username`."""
    return people.person(browser, live_server, username, locale="en-US")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_case(page, reference: str) -> None:
    """From anywhere: the nav's case list, then the case."""
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Certification cases").click()
    page.get_by_role("link", name=reference, exact=True).click()
    expect(page.locator("h1")).to_contain_text(reference)


def flashed(page):
    return page.locator(".messages, .notice, [role=alert]")


def test_it_takes_an_enterprise_from_application_to_an_approved_decision(browser, live_server, flow):
    from aftersales.certification.cases import case_chain_breaks
    from aftersales.certification.models import Case
    from aftersales.core.materials import MATERIAL_TYPES
    from aftersales.schemes.selectors import scheme_of

    today = date.today()
    enterprise, cb = flow["enterprise"], flow["cb"]

    # ---------------------------------------------------------------- 1. the enterprise applies
    with person(browser, live_server, "ent_admin") as page:
        page.get_by_role("navigation", name="Account").get_by_role("link", name="Certification cases").click()
        page.get_by_role("link", name="Apply for certification").click()
        page.get_by_label("Certification body").select_option(label=cb.name)
        page.get_by_label("Scheme").select_option(value=str(flow["gbt"].pk))
        shot(page, "01-case-new")
        page.get_by_role("button", name="Start the application").click()
        page.wait_for_url(re.compile(r"/cases/\d+/application/$"))
        case = Case.objects.get(enterprise=enterprise)
        ref = case.reference

        page.get_by_label("Product categories in scope (one a line)", exact=True).fill("空调\n冰箱")
        page.get_by_label("Services in scope", exact=True).fill("安装、维修、回访")
        page.get_by_label("After-sales delivery model").select_option("mixed")
        page.get_by_label("Name 1", exact=True).first.fill("总部服务中心")
        page.get_by_label("Address 1", exact=True).fill("杭州市西湖区文三路 1 号")
        page.get_by_label("Kind 1", exact=True).select_option("own")
        page.get_by_label("Fixed outlet 1", exact=True).check()
        page.get_by_label("Staff (total headcount)", exact=True).fill("120")
        page.get_by_label("Service-management staff", exact=True).fill("15")
        # the managers' table comes after the sites' one: its "Name 1" is the second
        page.get_by_label("Name 1", exact=True).nth(1).fill("王芳")
        page.get_by_label("Certificate number 1", exact=True).fill("SM-2024-0001")
        page.get_by_label("Name 2", exact=True).nth(1).fill("李强")
        page.get_by_label("Certificate number 2", exact=True).fill("SM-2024-0002")
        page.get_by_label("Registration date", exact=True).fill("2019-06-01")
        page.get_by_label("Date the after-sales system took effect", exact=True).fill("2025-01-01")
        page.get_by_label("no major quality or safety accident", exact=False).check()
        page.get_by_label("we are not on a credit blacklist", exact=False).check()
        page.get_by_role("button", name="Save the draft").click()
        expect(page.locator(".messages, .notice").first).to_contain_text("The application is saved.")
        expect(page.get_by_label("Name 1", exact=True).first).to_have_value("总部服务中心")

        materials = page.locator("#materials")
        for m in MATERIAL_TYPES:
            if not m.required:
                continue
            row = materials.locator("tr").filter(has=page.get_by_label(m.title.en, exact=True))
            row.get_by_label(m.title.en, exact=True).set_input_files(
                files=[{"name": f"{m.code}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% test\n"}]
            )
            row.get_by_role("button", name="Upload").click()
            expect(page.locator("body")).to_contain_text(f"{m.code}.pdf uploaded as version 1.")
        # the eligibility check, explained, before submitting
        eligibility = page.locator("#eligibility")
        expect(eligibility.get_by_role("heading", name="Eligibility")).to_be_visible()
        expect(eligibility.locator(".rule").first).to_be_visible()
        expect(eligibility).to_contain_text("No rule fails.")
        shot(page, "02-application")

        page.get_by_role("link", name="Back to the case").click()
        expect(page.locator(".notice-warn", has_text="still needs")).to_have_count(0)
        page.get_by_role("button", name="Submit the application").click()
        expect(page.locator("h1")).to_contain_text("Submit the application")  # the confirmation step
        page.get_by_role("button", name="Yes, submit the application").click()
        expect(page.locator("body")).to_contain_text(f"The application is submitted to {cb.name}.")
        expect(page.locator("h1 .case-status")).to_have_text("submitted, awaiting review")

    # ------------------------------------------- 2. the reviewer reviews, accepts, records the contract
    with person(browser, live_server, "reviewer") as page:
        open_case(page, ref)
        expect(page.locator("#eligibility")).to_be_visible()
        review = page.locator("#review")
        review.get_by_label("Audit mode").select_option("on_site")
        review.get_by_label("Industry risk class").select_option("medium")
        review.get_by_label("Scope confirmed").check()
        with page.expect_response(re.compile(r"/cases/\d+/review/$")):
            review.get_by_role("button", name="Save the review and calculate man-days").click()
        review = page.locator("#review")
        expect(review.get_by_role("caption")).to_have_text("Man-day calculation")
        expect(review.locator("dl.facts")).to_contain_text("on-site audit")
        review.get_by_label("Travel estimate (yuan)").fill("1500")
        review.get_by_role("button", name="Accept", exact=True).click()
        expect(page.locator("body")).to_contain_text("The application is accepted and the quotation issued.")
        quotation = page.locator("#quotation")
        expect(quotation).to_contain_text("¥")
        with page.expect_response(lambda r: r.url.endswith("/quotation.pdf")) as response:
            quotation.get_by_role("link", name="Quotation (PDF)").click()
        assert response.value.status == 200
        assert response.value.headers["content-type"] == "application/pdf"
        assert page.request.get(response.value.url).body().startswith(b"%PDF-")
        page.goto(page.base + f"/cases/{case.pk}/")
        contract = page.locator("#contract")
        contract.get_by_label("Signed by (for the enterprise)").fill("张伟")
        contract.get_by_role("button", name="Record the contract as signed").click()
        expect(page.locator("body")).to_contain_text("The contract is recorded as signed.")
        expect(page.locator("h1 .case-status")).to_have_text("contract signed")
        shot(page, "03-case-reviewer-contracted")

        # ---------------------------------- 3. the reviewer plans the audit with an impartial team
        page.get_by_role("link", name="Plan the audit").click()
        start = today - timedelta(days=2)  # the audit took place: the report is not dated before its last day
        page.get_by_label("Audit mode").select_option("on_site")
        page.get_by_label("First day").fill(start.isoformat())
        page.get_by_label("Last day").fill((start + timedelta(days=1)).isoformat())
        expect(page.get_by_label("Sites and service outlets visited (one a line)")).to_contain_text("总部服务中心")
        page.get_by_label("Activity").first.fill("首次会议")
        page.get_by_label("When").first.fill("09:00")
        page.get_by_label("Who").first.fill("全体")
        page.get_by_role("button", name="Save the plan").click()
        expect(page.locator(".messages")).to_contain_text("The plan is saved.")
        refused = page.locator("tr").filter(has_text=CONFLICTED_NAME)
        expect(refused.locator(".refused")).to_be_visible()
        expect(refused.get_by_role("radio", name="Team leader")).to_be_disabled()
        allowed = page.locator("tr").filter(has_text=LEADER_NAME)
        expect(allowed).to_contain_text("no conflict")
        shot(page, "04-plan-picker")
        allowed.get_by_role("radio", name="Team leader").check()
        page.get_by_role("button", name="Choose this team").click()
        expect(page.locator(".messages")).to_contain_text("The audit team is chosen.")
        page.get_by_role("button", name="Send the plan to the enterprise").click()
        expect(page.locator("h1 .case-status")).to_have_text("audit planned")

    # ---------------------------------- 4. the team leader reviews the documents and audits
    items = [i.code for i in scheme_of(flow["gbt"]).items]
    with person(browser, live_server, "auditor") as page:
        open_case(page, ref)
        page.get_by_role("button", name="Start the document review").click()
        page.wait_for_url(re.compile(r"/audit/scoring/$"))
        page.goto(page.base + f"/cases/{case.pk}/")
        page.get_by_role("button", name="Start the audit").click()
        page.wait_for_url(re.compile(r"/audit/scoring/$"))
        expect(page.locator(".meta .badge")).to_have_text("audit")
        # per-item save only (no bulk scoring on the page): every item "conform"
        for code in items:
            group = page.get_by_role("group", name=f"Result for {code}", exact=True)
            with page.expect_response(lambda r, c=code: r.url.endswith(f"/items/{c}/") and r.request.method == "POST"):
                group.get_by_role("radio", name="conform", exact=True).check()
            expect(page.locator(f"form[id='item-{code}'] input[name=version]")).not_to_have_value("0")
        # one minor nonconformity on 5.1.1.1
        tools = page.locator("details.evidence-add").filter(has_text="Evidence and findings for 5.1.1.1")
        tools.locator("summary").click()
        tools.get_by_label("Grade").select_option("minor")
        tools.get_by_label("Finding").fill("岗位职责文件未正式发布")
        tools.get_by_role("button", name="Record").click()
        expect(page.locator("form[id='item-5.1.1.1'] .finding-minor")).to_contain_text("岗位职责文件未正式发布")
        # the draft conclusion the final report will carry
        report = page.locator("#report")
        report.get_by_label("Conclusion").fill("售后服务体系运行有效，一项轻微不符合已纠正。")
        report.locator("select[name=recommended_level]").select_option("five_star")
        report.get_by_role("button", name="Save draft").click()
        expect(page.locator(".messages")).to_contain_text("The draft conclusion is saved.")
        expect(page.locator("#result-panel")).to_contain_text("100")
        shot(page, "05-scoring")
        open_case(page, ref)
        expect(page.locator("#audit")).to_contain_text(f"{len(items)} of {len(items)} items scored")
        page.get_by_role("button", name="Start rectification").click()
        page.wait_for_url(re.compile(r"/audit/rectification/$"))
        expect(page.locator(".meta .badge")).to_have_text("rectification")

    # ---------------------------------- 5. the enterprise answers, the leader accepts and reports
    with person(browser, live_server, "ent_admin") as page:
        open_case(page, ref)
        page.get_by_role("link", name="Open the nonconformities").click()
        card = page.locator("article.nc-card").filter(has_text="5.1.1.1")
        card.get_by_label("Cause").fill("发布流程遗漏")
        card.get_by_label("Correction (what was put right)").fill("岗位职责已正式发布")
        card.get_by_label("Corrective action (so it does not happen again)").fill("建立文件发布审批")
        card.get_by_label("Evidence file (optional)").set_input_files(
            files=[{"name": "发布记录.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% evidence\n"}]
        )
        card.get_by_role("button", name="Send the answer").click()
        expect(page.locator(".messages")).to_contain_text("Your answer is recorded")
        expect(page.locator("article.nc-card")).to_contain_text("发布记录.pdf")
        shot(page, "06-rectification-enterprise")

    with person(browser, live_server, "auditor") as page:
        open_case(page, ref)
        page.get_by_role("link", name="Open the nonconformities").click()
        card = page.locator("article.nc-card").filter(has_text="5.1.1.1")
        card.get_by_label("Verification").select_option("yes")
        card.get_by_role("button", name="Record").click()
        expect(page.locator("article.nc-card dl")).to_contain_text(LEADER_NAME)
        open_case(page, ref)
        page.get_by_role("button", name="Issue the final report").click()
        page.get_by_role("button", name="Yes, issue the final report").click()
        expect(page.locator("body")).to_contain_text("The final audit report is issued.")
        open_case(page, ref)
        expect(page.locator("h1 .case-status")).to_have_text("audit reported, awaiting decision")
        expect(page.locator("#audit")).to_contain_text("Final report No. 1")

    # ---------------------------------- 6. a committee member who was not on the team approves
    with person(browser, live_server, "committee") as page:
        open_case(page, ref)
        page.get_by_role("link", name="Decide").click()
        expect(page.locator("h1")).to_contain_text(enterprise.name)
        shot(page, "07-decision")
        page.get_by_role("radio", name="approve at the recommended level").check()
        page.get_by_label("Reasons (required)").fill("审核结论可信，不符合项已有效纠正，同意按推荐等级批准。")
        page.get_by_label(f"I declare that I have no conflict of interest with {enterprise.name} or this case.").check()
        page.get_by_role("button", name="Cast my vote").click()
        expect(page.locator(".messages")).to_contain_text("The decision is recorded.")
        expect(page.get_by_role("heading", name="approve at the recommended level: five-star")).to_be_visible()

    # ---------------------------------- 7. the enterprise sees the approved decision and the history
    with person(browser, live_server, "ent_admin") as page:
        page.get_by_role("navigation", name="Account").get_by_role("link", name="Certification cases").click()
        row = page.locator("tr").filter(has_text=ref)
        expect(row.locator(".case-status")).to_have_text("decided")
        row.get_by_role("link", name=ref).click()
        expect(page.locator("h1 .case-status")).to_have_text("decided")
        expect(page.locator("#audit")).to_contain_text("approve at the recommended level: five-star")
        events = page.locator("ol.events")
        for label in [  # the readable names of the steps (action codes are shown to the CB only)
            "application submitted",
            "application accepted, quotation issued",
            "contract recorded as signed",
            "audit plan sent to the enterprise",
            "document review started",
            "audit started",
            "rectification started",
            "final audit report issued",
            "certification approved",
        ]:
            expect(events).to_contain_text(label)
        expect(events).not_to_contain_text("finding recorded")  # CB-internal
        expect(events.locator("code.event-code")).to_have_count(0)
        shot(page, "08-case-enterprise-decided")

    case.refresh_from_db()
    assert case.status == Case.Status.DECIDED
    assert case.decisions.get().level == "five_star"
    assert case_chain_breaks(case) == []

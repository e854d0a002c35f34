"""What a person sees in zh-Hans (issue 23 §4, items 7, 11 and 12): the quotation on the case page
with separated amounts and its VAT statement; an answer to a request for more information sent with
a file, which the reviewer can open; the records page naming the return-visit share the CB asks for.

Each page is looked at 1280 px and 390 px wide; screenshots go to /tmp/e2e-shots/ (not the repo).
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.browser.people import PASSWORD, person

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture skips (or, in CI, fails) with the reason
    expect = None

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/e2e-shots")
WIDTHS = (1280, 390)


def shot(page, name: str, where) -> None:
    """The viewport with `where` scrolled into it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    where.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_size['width']}.png"))


@pytest.fixture
def people(world):
    for user in world["people"].values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return world["people"]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_case_page_shows_the_quotation_with_separated_amounts_and_vat(browser, live_server, world, people, width):
    from aftersales.certification.models import Case
    from tests.certification.helpers import make_case

    case = make_case(world, Case.Status.ACCEPTED)
    with person(browser, live_server, "ent_admin", width) as page:
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        quotation = page.locator("#quotation")
        expect(quotation).to_contain_text("¥17,500.00")
        expect(quotation).to_contain_text("¥12,000.00")
        expect(quotation).to_contain_text("以上金额均为含税价（增值税税率 6%）。")
        shot(page, "quotation", quotation)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_enterprise_answers_with_a_file_and_the_reviewer_opens_it(browser, live_server, world, people, width):
    from aftersales.certification.models import Case
    from tests.certification.helpers import make_case

    case = make_case(world, Case.Status.INFO_REQUESTED)
    item = case.info_items.order_by("id").first()
    with person(browser, live_server, "ent_admin", width) as page:
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        box = page.locator(f"#info-{item.pk}")
        expect(box.get_by_text("随答复上传的文件")).to_be_visible()
        box.locator("textarea").fill("已补充网点清单，见附件")
        box.locator("input[type=file]").set_input_files(
            files=[{"name": "网点清单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 sites"}]
        )
        box.get_by_role("button", name="答复", exact=True).click()
        expect(page.locator(f"#info-{item.pk} .info-files")).to_contain_text("网点清单.pdf")
        shot(page, "info-answer-files", page.locator(f"#info-{item.pk}"))
    with person(browser, live_server, "reviewer", width) as page:
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        link = page.locator(f"#info-{item.pk} .info-files a", has_text="网点清单.pdf")
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "网点清单.pdf"
        shot(page, "info-answer-files-reviewer", link)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_records_page_names_the_return_visit_share(browser, live_server, world, people, width):
    from aftersales.core.records.coverage import months_before
    from aftersales.records.models import Complaint, RecordImport, ReturnVisit, WorkOrder

    shanghai = ZoneInfo("Asia/Shanghai")
    months = months_before(timezone.localdate(), 3)
    ent = world["enterprise"]
    ri = RecordImport.objects.create(
        enterprise=ent,
        kind="work_order",
        file_name="x.csv",
        file_size=1,
        file_sha256="0" * 64,
        mapping_name="m",
        mapping_sha256="0" * 64,
        mapping_text="",
        created_by_label="t",
        status="done",
        finished_at=timezone.now(),
    )

    def day(n: int, hour: int) -> datetime:
        year, month = map(int, months[n % 3].split("-"))
        return datetime.combine(datetime(year, month, 1 + n % 28), time(hour), tzinfo=shanghai)

    common = {"enterprise": ent, "import_batch": ri}
    WorkOrder.objects.bulk_create(
        WorkOrder(**common, external_id=f"W{n}", received_at=day(n, 9), product="空调", status="resolved")
        for n in range(800)
    )
    Complaint.objects.bulk_create(Complaint(**common, external_id=f"C{n}", received_at=day(n, 10)) for n in range(3))
    ReturnVisit.objects.bulk_create(
        ReturnVisit(**common, external_id=f"V{n}", subject_kind="work_order", subject_id=f"W{n}", visited_at=day(n, 15))
        for n in range(10)
    )
    with person(browser, live_server, "ent_admin", width) as page:
        page.goto(f"{live_server.url}/records/{ent.pk}/")
        share = page.locator(".rec-visit-share")
        expect(share).to_contain_text("回访：10 次，同期受理的维修工单和投诉 803 件，回访比例 1.2%")
        expect(share).to_contain_text("认证机构要求不低于 10%")
        expect(page.locator(".rec-ready")).to_have_count(0)
        shot(page, "records-visit-share", share)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_import_page_names_the_row_of_a_visit_before_its_work_order(browser, live_server, world, people, width):
    from tests.records.test_import import _import
    from tests.records.test_return_visit_checks import visits_file

    assert _import(world, "work_order").status == "done"
    failed = _import(
        world,
        "return_visit",
        visits_file(
            "HF1,维修工单,WO202600001,2026/01/15 19:28,电话,已接通,满意",
            "HF2,维修工单,WO202600001,2026/01/10 08:00,电话,已接通,满意",
        ),
        filename="visits.csv",
    )
    with person(browser, live_server, "ent_admin", width) as page:
        page.goto(f"{live_server.url}/records/{world['enterprise'].pk}/imports/{failed.pk}/")
        problem = page.locator("tr", has_text="早于所回访记录")
        expect(problem).to_contain_text("“回访时间”（2026-01-10 08:00）")
        expect(problem).to_contain_text("（“对象单号”：WO202600001）的受理时间（2026-01-12 09:35）")
        expect(problem.locator("td").first).to_have_text("3")  # the file's row
        expect(problem.locator("td").nth(1)).to_have_text("回访时间")  # its column
        shot(page, "import-visit-before-order", problem)

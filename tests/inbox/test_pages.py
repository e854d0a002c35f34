"""The workspace is the inbox: each person's page lists what waits for them in zh-Hans, the
navigation's count comes from a small partial, and nobody sees another enterprise's steps."""

import pytest
from django.urls import reverse

from aftersales.certification.models import Case
from aftersales.inbox.selectors import inbox_for
from tests.certification.helpers import make_case

pytestmark = pytest.mark.django_db


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_workspace_lists_the_steps_waiting_for_the_viewer_in_chinese(client, world):
    case = make_case(world, Case.Status.SUBMITTED)
    page = _page(client, world["people"]["reviewer"])
    assert "评审认证申请" in page and case.reference in page and f'href="/cases/{case.pk}/#review"' in page
    assert "自评" not in page.split('id="inbox-title"')[0]  # the inbox comes first
    page = _page(client, world["people"]["ent_admin"])
    assert "评审认证申请" not in page and "目前没有等待您处理的事项" in page
    assert "开始新的自评" in page  # what the workspace showed before stays below the inbox


def test_another_enterprise_never_sees_the_steps_of_this_one(client, world):
    case = make_case(world, Case.Status.DRAFT)
    assert "完善并提交认证申请" in _page(client, world["people"]["ent_admin"])
    page = _page(client, world["people"]["other_admin"])
    assert case.reference not in page and "完善并提交认证申请" not in page


def test_the_count_partial_says_how_many_steps_wait_and_how_many_are_overdue(client, world):
    make_case(world, Case.Status.DRAFT)
    client.force_login(world["people"]["ent_admin"])
    body = client.get(reverse("inbox_count")).content.decode()
    assert 'class="inbox-count"' in body and ">1</span>" in body and "有 1 项待办" in body
    client.force_login(world["people"]["other_admin"])
    assert client.get(reverse("inbox_count")).content.decode().strip() == ""


def test_the_navigation_carries_the_count_slot_for_logged_in_people_only(client, world):
    assert "data-inbox-count" not in client.get(reverse("scheme_list")).content.decode()
    client.force_login(world["people"]["auditor"])
    assert f'data-inbox-count="{reverse("inbox_count")}"' in client.get(reverse("scheme_list")).content.decode()


def test_every_link_of_every_inbox_opens_for_its_viewer(client, world):
    """Each item links to a page its viewer may open: no 403 or 404 behind a to-do."""
    from tests.appeals.factories import appeal_in
    from tests.audits.factories import case_at
    from tests.certificates.factories import _application

    def at(status):  # case_at builds its cases without an application; the case page shows one
        case = case_at(world, status)
        _application(case, world["people"]["ent_admin"])
        return case

    make_case(world, Case.Status.ACCEPTED)
    for status in ("contracted", "planned", "document_review", "audit", "rectification", "reported"):
        at(status)
    appeal_in(world, "acknowledged", case=at("decided"))
    seen = set()
    for persona, user in world["people"].items():
        client.force_login(user)
        for item in inbox_for(user):
            seen.add(item.kind)
            assert client.get(item.url.split("#")[0]).status_code == 200, (persona, item.kind, item.url)
    assert seen >= {
        "contract.sign",
        "contract.record",
        "audit.plan",
        "plan.check",
        "audit.review_start",
        "audit.start",
        "audit.report",
        "finding.answer",
        "case.decide",
        "certificate.issue",
        "appeal.review",
    }, seen

"""The case pages through the browser's eyes: apply, review, quotation PDF, contract, history."""

import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import Organisation, Role, User
from aftersales.accounts.services import membership_grant, organisation_create
from aftersales.certification.models import Case, Material
from aftersales.core.materials import REQUIRED
from tests.conftest import make_code

from .helpers import make_case

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: cannot read the PDF's text")
    path = tmp_path / "quotation.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


APPLICATION = {
    "products": "空调\n冰箱",
    "services": "安装维修",
    "delivery_model": "own",
    "staff_total": "40",
    "staff_service_management": "10",
    "registered_on": "2020-01-01",
    "system_effective_on": "2025-01-01",
    "declared_no_incident": "on",
    "declared_not_blacklisted": "on",
    "site-0-name": "总部",
    "site-0-address": "杭州市",
    "site-0-kind": "own",
    "site-0-fixed": "on",
    "site-1-name": "",
    "site-1-address": "",
    "site-1-kind": "own",
    "exclusion-0-item": "5.2.6.1",
    "exclusion-0-reason": "不涉及回收",
    "manager-0-name": "王芳",
    "manager-0-certificate": "SM-1",
}


def test_it_takes_an_application_from_draft_to_contract_through_the_pages(client, world, tmp_path):
    people = world["people"]
    client.force_login(people["ent_member"])
    response = client.post(reverse("case_new"), {"cb": world["cb"].pk, "scheme": world["gbt"].pk})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("case_application", args=[case.pk])
    assert client.get(response["Location"]).status_code == 200
    # a row refers to an item that cannot be excluded: nothing saved, the problem named
    bad = APPLICATION | {"exclusion-0-item": "5.1.2.2"}
    response = client.post(reverse("case_application", args=[case.pk]), bad)
    assert response.status_code == 400
    assert "删减第 1 行：条款 5.1.2.2 不可删减" in response.content.decode()
    response = client.post(reverse("case_application", args=[case.pk]), APPLICATION)
    assert response.status_code == 302
    for code in REQUIRED:
        client.post(
            reverse("case_material_upload", args=[case.pk]),
            {"material_type": code, "file": SimpleUploadedFile(f"{code}.pdf", b"%PDF-1.4 x")},
        )
    assert Material.objects.filter(case=case).count() == len(REQUIRED)
    # only the admin submits
    assert client.post(reverse("case_submit", args=[case.pk])).status_code == 403
    client.force_login(people["ent_admin"])
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "eligibility" in page and "不符合" in page  # rules in the page language (zh-Hans by default)
    client.post(reverse("case_submit", args=[case.pk]), {"confirm": "yes"})
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED

    client.force_login(people["reviewer"])
    exclusion = case.application.exclusions.get()
    review = {
        "audit_mode": "mixed",
        "risk_class": "high",
        "outlets_visited": "1",
        "scope_confirmed": "on",
        f"exclusion-{exclusion.pk}": "confirm",
    }
    response = client.post(reverse("case_review", args=[case.pk]), review, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="review"')
    # staff 40 → ≤ 50, high 2.5; 2 categories → 0.25; 1 outlet → 0.5; 3.25 → 3.5
    assert "3.50" in html and "3.25" in html
    client.post(reverse("case_accept", args=[case.pk]), {"travel_estimate": "800"})
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED
    assert str(case.quotation.total) == "15300.00"  # 1000 + 3.5 × 3000 + 1000 + 2000 + 800

    client.force_login(people["ent_member"])
    response = client.get(reverse("case_quotation_pdf", args=[case.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")

    client.force_login(people["cb_admin"])
    client.post(
        reverse("case_contract", args=[case.pk]),
        {"signed_on": "2026-01-05", "signed_by": "张伟", "file": SimpleUploadedFile("合同.pdf", b"%PDF-1.4 c")},
    )
    case.refresh_from_db()
    assert case.status == Case.Status.CONTRACTED
    assert client.get(reverse("case_contract_file", args=[case.pk])).status_code == 200


def test_it_renders_the_quotation_pdf_in_chinese_with_the_case_number(client, world, tmp_path):
    case = make_case(world, Case.Status.ACCEPTED)
    client.force_login(world["people"]["ent_member"])
    response = client.get(reverse("case_quotation_pdf", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f'filename="quotation-{case.reference}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    # 1000 + 4 × 3000 + 1000 + 2000 + 1500 travel = 17500
    assert "初次认证" in text and "现场审核" in text and "行业风险中" in text
    assert case.reference in text and "认证报价单" in text and "¥17,500.00" in text and "审核人日计算" in text


def test_it_has_no_quotation_before_acceptance(client, world):
    case = make_case(world, Case.Status.SUBMITTED)
    client.force_login(world["people"]["reviewer"])
    assert client.get(reverse("case_quotation_pdf", args=[case.pk])).status_code == 404


def test_it_shows_the_enterprise_only_public_events(client, world):
    case = make_case(world, Case.Status.ACCEPTED)
    client.force_login(world["people"]["ent_admin"])
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "认证申请已受理，已出具报价单" in page  # "application accepted, quotation issued"
    assert "application.accepted" not in page  # action codes are for the CB
    assert "评审已保存" not in page and "review.saved" not in page  # the internal review step
    assert "Application review" not in page
    client.force_login(world["people"]["reviewer"])
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "review.saved" in page and "internal" in page


def test_it_returns_the_events_partial_to_htmx(client, world):
    case = make_case(world, Case.Status.SUBMITTED)
    client.force_login(world["people"]["ent_admin"])
    response = client.get(reverse("case_detail", args=[case.pk]) + "?part=events", headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<section id="events"')


def test_it_answers_an_info_item_with_a_partial(client, world):
    case = make_case(world, Case.Status.INFO_REQUESTED)
    item = case.info_items.first()
    client.force_login(world["people"]["ent_admin"])
    response = client.post(
        reverse("case_info_answer", args=[case.pk, item.pk]), {"answer": "已补充"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<li id="info-{item.pk}"')
    assert "已补充" in response.content.decode()


def test_it_names_the_illegal_step_on_the_page(client, world):
    case = make_case(world, Case.Status.REFUSED)
    client.force_login(world["people"]["reviewer"])
    response = client.post(reverse("case_accept", args=[case.pk]), {"travel_estimate": "0"}, follow=True)
    assert f"案卷 {case.reference} 处于“不予受理”状态" in response.content.decode()


def test_it_filters_the_cb_list_by_status(client, world):
    make_case(world, Case.Status.SUBMITTED)
    client.force_login(world["people"]["reviewer"])
    assert "AS-" in client.get(reverse("case_list") + "?status=submitted").content.decode()
    assert "AS-" not in client.get(reverse("case_list") + "?status=refused").content.decode()


def _more_cases(world, start, n):
    for i in range(start, start + n):
        ent = organisation_create(
            kind=Organisation.Kind.ENTERPRISE,
            name=f"企业{i}",
            credit_code=make_code(100 + i),
            by_label="t",
        )
        admin = User.objects.create_user(username=f"admin{i}", password="x-pass-12345")
        membership_grant(user=admin, organisation=ent, role=Role.ENTERPRISE_ADMIN, by_label="t")
        make_case(world, Case.Status.SUBMITTED, enterprise=ent)


def test_it_lists_cases_with_a_query_count_that_does_not_grow(client, world):
    client.force_login(world["people"]["reviewer"])
    _more_cases(world, 0, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("case_list")).status_code == 200
    _more_cases(world, 1, 4)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("case_list"))
    assert response.content.decode().count("/cases/") >= 5
    assert len(many) == len(few)

"""The audit report PDF: drafts watermarked 草稿, the final one prints the frozen record's hash."""

import pytest
from django.urls import reverse

from aftersales.audits.models import AuditReport
from aftersales.certification.models import Case
from tests.assessments.test_report import pdf_text

from .factories import case_at

pytestmark = pytest.mark.django_db
S = Case.Status


def pdf(client, world, case, persona="auditor"):
    client.force_login(world["people"][persona])
    response = client.get(reverse("audit_report_pdf", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_it_watermarks_a_draft(client, world, tmp_path):
    case = case_at(world, S.AUDIT)
    text = pdf_text(pdf(client, world, case), tmp_path)
    assert "草稿" in text
    assert "甲企业" in text and "岗位职责未发布" in text


def test_it_prints_the_hash_of_the_frozen_record_on_the_final_report(client, world, tmp_path):
    case = case_at(world, S.REPORTED)
    report = AuditReport.objects.get(audit__case=case)
    text = pdf_text(pdf(client, world, case, "ent_admin"), tmp_path).replace("\n", "")
    assert report.sha256 in text
    assert "草稿" not in text
    assert "体系运行有效" in text  # the conclusion


def test_it_keeps_printing_the_frozen_report_after_the_decision(client, world, tmp_path):
    case = case_at(world, S.DECIDED)
    report = AuditReport.objects.get(audit__case=case)
    assert report.sha256 in pdf_text(pdf(client, world, case, "committee"), tmp_path).replace("\n", "")

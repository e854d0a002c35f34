"""Every upload path refuses hostile files with a message naming the file, and stores nothing
(issue 21 item 10: rectification evidence had only its first 16 bytes checked)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.appeals.models import AppealFile
from aftersales.appeals.services import AppealRefused, appeal_lodge
from aftersales.assessments.evidence import EvidenceRefused, evidence_add
from aftersales.assessments.models import Evidence
from aftersales.audits import findings
from aftersales.audits.models import RectificationFile
from aftersales.audits.scoring import audit_evidence_add
from aftersales.audits.services import AuditRefused
from aftersales.certification import review
from aftersales.certification.materials import material_upload
from aftersales.certification.models import Case, Contract, Material
from aftersales.certification.services import StepRefused
from tests.audits.factories import case_at
from tests.certification.helpers import make_case

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"


def zip_with_exe() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("setup.exe", EXE)
    return buffer.getvalue()


HOSTILE = {
    "zip-exe": ("整改报告.docx", zip_with_exe(), "not a real .docx file"),
    "nul-early": ("说明.txt", b"plain text for the first bytes\x00\x01\x02 then binary", "not a text file"),
    "nul-late": ("清单.csv", b"a,b\n" * 2000 + b"\x00MZ", "not a text file"),
}


def hostile(key: str) -> tuple[SimpleUploadedFile, str, str]:
    name, data, why = HOSTILE[key]
    return SimpleUploadedFile(name, data), name, why


def refused(kind: type[Exception], call, name: str, why: str) -> None:
    with pytest.raises(kind) as caught:
        call()
    assert name in str(caught.value) and why in str(caught.value)


KEYS = sorted(HOSTILE)


@pytest.mark.parametrize("key", KEYS)
def test_assessment_evidence_refuses_hostile_files(world, key):
    upload, name, why = hostile(key)
    call = lambda: evidence_add(  # noqa: E731
        assessment=world["assessment"], item_code="5.1.1.1", upload=upload, by=world["people"]["ent_admin"]
    )
    refused(EvidenceRefused, call, name, why)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("key", KEYS)
def test_audit_evidence_refuses_hostile_files(world, key):
    case = case_at(world, Case.Status.AUDIT, with_nc=False)
    upload, name, why = hostile(key)
    call = lambda: audit_evidence_add(  # noqa: E731
        audit=case.audit, item_code="5.1.1.1", upload=upload, by=world["people"]["auditor"]
    )
    refused(EvidenceRefused, call, name, why)
    assert not Evidence.objects.filter(assessment=case.audit.assessment).exists()


@pytest.mark.parametrize("status", [Case.Status.DRAFT, Case.Status.INFO_REQUESTED])
@pytest.mark.parametrize("key", KEYS)
def test_case_materials_and_information_request_answers_refuse_hostile_files(world, key, status):
    case = make_case(world, status)
    before = Material.objects.filter(case=case).count()
    upload, name, why = hostile(key)
    call = lambda: material_upload(  # noqa: E731
        case=case, material_type="business_licence", upload=upload, by=world["people"]["ent_admin"]
    )
    refused(StepRefused, call, name, why)
    assert Material.objects.filter(case=case).count() == before


@pytest.mark.parametrize("key", KEYS)
def test_the_signed_contract_refuses_hostile_files(world, key):
    case = make_case(world, Case.Status.ACCEPTED)
    upload, name, why = hostile(key)
    call = lambda: review.contract_record(  # noqa: E731
        case=case, signed_on=date(2026, 1, 5), signed_by="张伟", by=world["people"]["reviewer"], upload=upload
    )
    refused(StepRefused, call, name, why)
    assert not Contract.objects.filter(case=case).exists()


@pytest.mark.parametrize("key", KEYS)
def test_rectification_evidence_refuses_hostile_files(world, key):
    case = case_at(world, Case.Status.RECTIFICATION)
    upload, name, why = hostile(key)
    finding = case.audit.findings.get()
    call = lambda: findings.finding_file_add(finding=finding, upload=upload, by=world["people"]["ent_member"])  # noqa: E731
    refused(AuditRefused, call, name, why)
    assert not RectificationFile.objects.exists()


@pytest.mark.parametrize("key", KEYS)
def test_appeal_files_refuse_hostile_files(world, key):
    case = case_at(world, Case.Status.DECIDED)
    upload, name, why = hostile(key)
    call = lambda: appeal_lodge(  # noqa: E731
        case=case, kind="complaint", grounds="审核员态度粗暴", by=world["people"]["ent_admin"], uploads=[upload]
    )
    refused(AppealRefused, call, name, why)
    assert not AppealFile.objects.exists()


def test_the_rectification_page_says_which_file_was_refused(client, world):
    case = case_at(world, Case.Status.RECTIFICATION)
    finding = case.audit.findings.get()
    upload, name, _why = hostile("zip-exe")
    client.force_login(world["people"]["ent_member"])
    back = reverse("audit_rectification", args=[case.pk])
    url = reverse("audit_finding_file", args=[case.pk, finding.pk])
    page = client.post(url, {"file": upload, "next": back}, follow=True)
    assert page.redirect_chain[-1][0] == back
    assert f"{name} is not a real .docx file" in page.content.decode()
    assert not RectificationFile.objects.exists()

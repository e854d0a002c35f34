"""Evidence files: checked, hashed, private, frozen with the assessment."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.assessments import services
from aftersales.assessments.evidence import EvidenceRefused, evidence_add, evidence_remove
from aftersales.assessments.models import Evidence
from aftersales.events.models import Event
from aftersales.schemes.selectors import scheme_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n"


@pytest.fixture(autouse=True)
def _english():
    """The refusals are checked by their English text (zh-Hans is covered by the catalogue test)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def add(world, name="证明.pdf", data=PDF, code="5.1.1.1"):
    return evidence_add(
        assessment=world["assessment"],
        item_code=code,
        upload=SimpleUploadedFile(name, data),
        by=world["people"]["ent_admin"],
    )


def test_it_stores_the_file_with_its_hash_and_records_an_event(world):
    e = add(world)
    assert e.sha256 == hashlib.sha256(PDF).hexdigest() and e.size == len(PDF)
    assert e.original_name == "证明.pdf" and e.content_type == "application/pdf"
    with e.file.open("rb") as fh:
        assert fh.read() == PDF
    assert Event.objects.filter(action="assessment.evidence_added").get().data["sha256"] == e.sha256


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("tool.exe", b"MZ...", ".exe"),
        ("fake.pdf", b"<html>not a pdf</html>", "not a real .pdf"),
        ("empty.txt", b"", "empty"),
        ("binary.txt", b"ab\x00cd", "not a text file"),
    ],
)
def test_it_refuses_files_that_are_not_evidence(world, name, data, words):
    with pytest.raises(EvidenceRefused, match=words):
        add(world, name, data)
    assert not Evidence.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(world, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(EvidenceRefused, match="larger than"):
        add(world, data=PDF)
    assert not Evidence.objects.exists()


def test_it_refuses_an_unknown_item(world):
    with pytest.raises(EvidenceRefused, match=r"9\.9\.9"):
        add(world, code="9.9.9")


def test_it_keeps_evidence_unchangeable_once_the_assessment_is_finished(world):
    e = add(world)
    admin = world["people"]["ent_admin"]
    for item in scheme_of(world["gbt"]).items:
        services.answer_save(
            assessment=world["assessment"], item_code=item.code, kind="conform", expected_version=0, by=admin
        )
    services.assessment_finish(assessment=world["assessment"], by=admin)
    with pytest.raises(services.AssessmentFrozen):
        add(world)
    with pytest.raises(services.AssessmentFrozen):
        evidence_remove(evidence=e, by=admin)
    assert Evidence.objects.count() == 1


def test_it_removes_the_file_with_the_record(world, django_capture_on_commit_callbacks):
    e = add(world)
    storage, path = e.file.storage, e.file.name
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(evidence=e, by=world["people"]["ent_admin"])
    assert not Evidence.objects.exists() and not storage.exists(path)


def test_it_serves_the_file_only_to_the_enterprise(client, world):
    e = add(world)
    url = reverse("evidence_download", args=[world["assessment"].pk, e.pk])
    client.force_login(world["people"]["ent_member"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff" and "attachment" in response["Content-Disposition"]
    client.force_login(world["people"]["auditor"])
    assert client.get(url).status_code == 404


def test_it_lists_evidence_on_the_item_and_explains_a_refusal(client, world):
    add(world)
    client.force_login(world["people"]["ent_admin"])
    page = client.get(reverse("assessment_detail", args=[world["assessment"].pk])).content.decode()
    assert "证明.pdf" in page and hashlib.sha256(PDF).hexdigest()[:10] in page
    response = client.post(
        reverse("evidence_upload", args=[world["assessment"].pk, "5.1.1.1"]),
        {"file": SimpleUploadedFile("virus.exe", b"MZ")},
        follow=True,
    )
    assert ".exe" in response.content.decode()

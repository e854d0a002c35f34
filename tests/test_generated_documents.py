"""Generated PDFs are made once per version of what they show, kept in storage and served from it:
a second download renders nothing and returns the same bytes; a change of the source makes a new
document; access rules stay as they were."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from aftersales import pdf
from aftersales.certification.models import Case
from aftersales.generated import ROOT

from .assessments.test_report import fill
from .certificates.factories import issued
from .certification.helpers import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """How many times a PDF was rendered."""
    calls = []
    real = pdf.pdf_from_html

    def counting(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(pdf, "pdf_from_html", counting)
    return calls


def stored(folder: str) -> list[str]:
    path = f"{ROOT}/{folder}"
    return default_storage.listdir(path)[1] if default_storage.exists(path) else []


def download(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


def test_the_second_download_of_an_assessment_report_renders_nothing(client, world, renders):
    assessment, admin = world["assessment"], world["people"]["ent_admin"]
    url = reverse("assessment_report_pdf", args=[assessment.pk])
    first = download(client, admin, url)
    second = download(client, world["people"]["ent_member"], url)
    assert len(renders) == 1 and first == second and first.startswith(b"%PDF-")
    assert len(stored(f"assessment-report/{assessment.pk}")) == 1


def test_a_changed_assessment_makes_a_new_report_and_drops_the_old(client, world, renders):
    assessment, admin = world["assessment"], world["people"]["ent_admin"]
    url = reverse("assessment_report_pdf", args=[assessment.pk])
    first = download(client, admin, url)
    (old,) = stored(f"assessment-report/{assessment.pk}")
    fill(assessment, admin)
    second = download(client, admin, url)
    assert len(renders) == 2 and first != second
    (new,) = stored(f"assessment-report/{assessment.pk}")
    assert new != old


def test_each_language_has_its_own_report(client, world, renders):
    url = reverse("assessment_report_pdf", args=[world["assessment"].pk])
    client.force_login(world["people"]["ent_admin"])
    zh = client.get(url).content
    en = client.get(url, headers={"accept-language": "en"}).content
    assert len(renders) == 2 and zh != en
    assert len(stored(f"assessment-report/{world['assessment'].pk}")) == 2


def test_an_outsider_still_gets_404_once_the_report_is_stored(client, world, renders):
    url = reverse("assessment_report_pdf", args=[world["assessment"].pk])
    download(client, world["people"]["ent_admin"], url)
    client.force_login(world["people"]["other_admin"])
    assert client.get(url).status_code == 404


def test_the_quotation_is_made_once_and_again_when_it_changes(client, world, renders):
    case = make_case(world, Case.Status.ACCEPTED)
    url = reverse("case_quotation_pdf", args=[case.pk])
    first = download(client, world["people"]["ent_member"], url)
    assert download(client, world["people"]["reviewer"], url) == first
    assert len(renders) == 1
    quotation = case.quotation
    quotation.total = quotation.total + 100
    quotation.save()
    assert download(client, world["people"]["ent_member"], url) != first
    assert len(renders) == 2
    client.force_login(world["people"]["other_admin"])
    assert client.get(url).status_code == 404


def test_the_certificate_pdf_is_made_once_per_version_and_status(client, world, renders):
    from aftersales.certificates.services import certificate_suspend

    certificate = issued(world)
    url = reverse("certificate_pdf", args=[certificate.number])
    first = download(client, world["people"]["ent_admin"], url)
    assert download(client, world["people"]["ent_admin"], url) == first
    assert len(renders) == 1
    certificate_suspend(certificate=certificate, reason="监督审核逾期", by_label="t")
    assert download(client, world["people"]["cb_admin"], url) != first  # now watermarked
    assert len(renders) == 2
    client.force_login(world["people"]["other_admin"])
    assert client.get(url).status_code in (403, 404)


def test_a_storage_that_cannot_be_written_still_answers(client, world, renders, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("read-only file system")

    monkeypatch.setattr(default_storage, "save", refuse)
    url = reverse("assessment_report_pdf", args=[world["assessment"].pk])
    assert download(client, world["people"]["ent_admin"], url).startswith(b"%PDF-")


def test_the_checklist_workbooks_are_written_once(client, world, monkeypatch):
    from aftersales import generated

    written = []
    real = generated.write_xlsx
    monkeypatch.setattr(generated, "write_xlsx", lambda *a, **k: written.append(1) or real(*a, **k))
    gbt = world["gbt"]
    url = reverse("scheme_checklist", args=[gbt.scheme_id, gbt.version])
    assert client.get(url).content == client.get(url).content
    assert len(written) == 1
    export = reverse("assessment_export", args=[world["assessment"].pk])
    client.force_login(world["people"]["ent_admin"])
    first = client.get(export).content
    assert client.get(export).content == first and len(written) == 2
    fill(world["assessment"], world["people"]["ent_admin"])
    assert client.get(export).content != first and len(written) == 3
    client.force_login(world["people"]["other_admin"])
    assert client.get(export).status_code == 404

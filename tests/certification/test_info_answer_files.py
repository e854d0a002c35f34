"""Answering a request for more information with a text and files (checked as every upload, one
transaction, one event), and the optional "其他材料" material slot."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.certification import services
from aftersales.certification.info_files import MAX_FILES
from aftersales.certification.materials import material_upload
from aftersales.certification.models import Case, InfoAttachment, InfoItem, Material
from aftersales.core.materials import BY_CODE, REQUIRED
from aftersales.uploads import UploadRefused
from tests.security.test_upload_paths import HOSTILE, hostile

from .helpers import make_case

pytestmark = pytest.mark.django_db


def pdf(name: str = "网点清单.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 answer")


def asked(world) -> tuple[Case, InfoItem]:
    case = make_case(world, Case.Status.INFO_REQUESTED)
    return case, case.info_items.order_by("id").first()


def test_it_stores_the_files_with_the_answer_and_records_them_in_the_event(world):
    case, item = asked(world)
    admin = world["people"]["ent_admin"]
    services.info_answer(item=item, answer="见附件", files=[pdf(), pdf("委托协议.pdf")], by=admin)
    item.refresh_from_db()
    assert item.answer == "见附件" and item.answered_by == admin
    stored = list(item.attachments.order_by("id"))
    assert [a.original_name for a in stored] == ["网点清单.pdf", "委托协议.pdf"]
    assert stored[0].file.read() == b"%PDF-1.4 answer" and len(stored[0].sha256) == 64
    event = case.events.filter(action="application.info_answered").get()
    assert [f["file"] for f in event.data["files"]] == ["网点清单.pdf", "委托协议.pdf"]
    assert event.data["files"][0]["sha256"] == stored[0].sha256


def test_a_file_that_is_not_what_it_says_refuses_the_whole_answer(world):
    case, item = asked(world)
    fake = SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(UploadRefused) as refused:
        services.info_answer(item=item, answer="见附件", files=[pdf(), fake], by=world["people"]["ent_admin"])
    assert "伪装.pdf" in str(refused.value)
    item.refresh_from_db()
    assert item.answered_at is None and item.answer == ""  # nothing written: no answer, no file, no event
    assert not InfoAttachment.objects.exists()
    assert not case.events.filter(action="application.info_answered").exists()


def test_it_refuses_more_files_than_an_answer_takes(world):
    _case, item = asked(world)
    with pytest.raises(UploadRefused, match=str(MAX_FILES)):
        services.info_answer(
            item=item, answer="见附件", files=[pdf(f"{i}.pdf") for i in range(MAX_FILES + 1)], by=item.asked_by
        )


def test_the_page_answers_with_a_file_and_links_it_for_the_reviewer(client, world):
    case, item = asked(world)
    client.force_login(world["people"]["ent_admin"])
    response = client.post(
        reverse("case_info_answer", args=[case.pk, item.pk]), {"answer": "已补充网点清单", "files": [pdf()]}
    )
    assert response.status_code == 302
    attachment = InfoAttachment.objects.get()
    client.force_login(world["people"]["reviewer"])
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    link = reverse("case_info_file_download", args=[case.pk, attachment.pk])
    assert link in page and "网点清单.pdf" in page
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 answer"


def test_the_answer_form_takes_files(client, world):
    case, _item = asked(world)
    client.force_login(world["people"]["ent_admin"])
    page = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="files" multiple' in page
    assert "随答复上传的文件" in page


def test_there_is_an_optional_other_materials_slot(client, world):
    assert BY_CODE["other"].title.zh == "其他材料" and "other" not in REQUIRED
    case = make_case(world, Case.Status.DRAFT)
    client.force_login(world["people"]["ent_admin"])
    assert "其他材料" in client.get(reverse("case_application", args=[case.pk])).content.decode()
    m = material_upload(case=case, material_type="other", upload=pdf("补充说明.pdf"), by=world["people"]["ent_admin"])
    assert (m.material_type, m.version) == ("other", 1)
    assert Material.objects.filter(case=case, material_type="other").count() == 1


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_a_hostile_file_with_an_answer_is_refused_by_name(world, key):
    _case, item = asked(world)
    upload, name, why = hostile(key)
    with pytest.raises(UploadRefused) as refused:
        services.info_answer(item=item, answer="见附件", files=[upload], by=world["people"]["ent_admin"])
    assert name in str(refused.value) and why in str(refused.value)
    assert not InfoAttachment.objects.exists()

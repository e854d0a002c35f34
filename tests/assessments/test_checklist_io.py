"""Export a self-assessment as a checklist, edit it offline, import it back."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.assessments import services
from aftersales.assessments.selectors import assessment_score

pytestmark = pytest.mark.django_db


def export(client, a) -> bytes:
    response = client.get(reverse("assessment_export", args=[a.pk]))
    assert response.status_code == 200
    return response.content


def set_result(data: bytes, changes: dict[str, dict[int, object]]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    for row in ws.iter_rows(min_row=2):
        for col, value in changes.get(row[0].value, {}).items():
            row[col].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, a, data: bytes, name="filled.xlsx"):
    return client.post(reverse("assessment_import", args=[a.pk]), {"file": SimpleUploadedFile(name, data)})


def test_it_round_trips_answers_and_special_findings(client, world):
    a, admin = world["assessment"], world["people"]["ent_admin"]
    services.answer_save(
        assessment=a,
        item_code="5.1.2.2",
        kind="sampled",
        sampled=10,
        nonconforming=3,
        reason="3 人无证",
        expected_version=0,
        by=admin,
    )
    services.special_add(assessment=a, type="deduction", kind="law", reason="未公示三包", by=admin)
    client.force_login(admin)
    before = assessment_score(a).result.score
    response = upload(client, a, export(client, a))
    assert response.status_code == 302
    a.refresh_from_db()
    assert assessment_score(a).result.score == before
    answer = a.answers.get(item_code="5.1.2.2")
    assert (answer.kind, answer.sampled, answer.nonconforming, answer.reason, answer.version) == (
        "sampled",
        10,
        3,
        "3 人无证",
        2,
    )
    assert list(a.specials.values_list("kind", "reason")) == [("law", "未公示三包")]


def test_it_imports_answers_filled_in_offline(client, world):
    a = world["assessment"]
    client.force_login(world["people"]["ent_member"])
    data = set_result(export(client, a), {"5.1.1.1": {3: "符合"}, "5.2.6.1": {3: "不适用", 7: "无实物商品"}})
    assert upload(client, a, data).status_code == 302
    assert dict(a.answers.values_list("item_code", "kind")) == {"5.1.1.1": "conform", "5.2.6.1": "na"}


def test_it_lists_every_problem_by_row_and_writes_nothing(client, world):
    a, admin = world["assessment"], world["people"]["ent_admin"]
    services.answer_save(assessment=a, item_code="5.1.1.1", kind="conform", expected_version=0, by=admin)
    client.force_login(admin)
    data = set_result(export(client, a), {"5.1.1.2": {3: "maybe"}, "5.1.3.1": {3: "不适用", 7: "x"}})
    response = upload(client, a, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "2 处问题" in html or "2 problems" in html
    assert "第 5 行，列 result" in html and "maybe" in html and "第 10 行" in html and "不可删减" in html
    assert list(a.answers.values_list("item_code", "version")) == [("5.1.1.1", 1)]


def test_it_refuses_a_file_that_is_not_a_checklist(client, world):
    client.force_login(world["people"]["ent_admin"])
    response = upload(client, world["assessment"], b"not a spreadsheet", name="notes.txt")
    assert response.status_code == 400 and ".txt" in response.content.decode()
    response = upload(client, world["assessment"], b"PK broken zip", name="broken.xlsx")
    assert response.status_code == 400


def test_it_refuses_to_import_into_a_finished_assessment(client, world):
    a, admin = world["assessment"], world["people"]["ent_admin"]
    client.force_login(admin)
    data = export(client, a)
    for item in assessment_score(a).scheme.items:
        services.answer_save(assessment=a, item_code=item.code, kind="conform", expected_version=0, by=admin)
    services.assessment_finish(assessment=a, by=admin)
    assert upload(client, a, data).status_code == 400
    assert a.answers.count() == 42

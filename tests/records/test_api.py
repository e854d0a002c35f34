import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.records.models import Complaint

from .conftest import sample_file

pytestmark = pytest.mark.django_db


def test_it_imports_through_the_api_and_reports_the_status(client, world):
    client.force_login(world["people"]["ent_admin"])
    ent = world["enterprise"].pk
    name, data = sample_file("complaint")
    response = client.post(
        reverse("api:records_api_import", args=[ent]),
        {"kind": "complaint", "mapping": "complaints-event-log-utf8bom", "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "done" and body["inserted"] == Complaint.objects.count() > 0
    status = client.get(reverse("api:records_api_import_status", args=[ent, body["id"]])).json()
    assert status["inserted"] == body["inserted"]
    listing = client.get(reverse("api:records_api_list", args=[ent, "complaint"]), {"page_size": 5}).json()
    assert listing["count"] == body["inserted"] and len(listing["results"]) == 5


def test_it_returns_every_problem_through_the_api_and_writes_nothing(client, world):
    client.force_login(world["people"]["ent_admin"])
    name, data = sample_file("complaint")
    bad = data.decode("utf-8-sig").replace("处理中", "搁置", 1).encode("utf-8-sig")
    body = client.post(
        reverse("api:records_api_import", args=[world["enterprise"].pk]),
        {"kind": "complaint", "mapping": "complaints-event-log-utf8bom", "file": SimpleUploadedFile(name, bad)},
    ).json()
    assert body["status"] == "failed" and Complaint.objects.count() == 0
    assert {(p["row"], p["column"]) for p in body["problems"]} == {(3, "处理状态")}


def test_it_draws_reproducible_samples_through_the_api(client, world, imported):
    client.force_login(world["people"]["ent_member"])
    url = reverse("api:records_api_sample_draw", args=[world["enterprise"].pk])
    one, two = (client.post(url, {"kind": "work_order", "n": 3, "seed": "k"}).json() for _ in range(2))
    assert [e["record"] for e in one["entries"]] == [e["record"] for e in two["entries"]]
    assert one["frame_hash"] == two["frame_hash"]

"""The self-assessment pages: live result, htmx partials, conflicts, no N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.assessments import services
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of

pytestmark = pytest.mark.django_db


def fill(assessment, user):
    for item in scheme_of(assessment.scheme_version).items:
        kind = "partial" if item.partial else "conform"
        services.answer_save(
            assessment=assessment,
            item_code=item.code,
            kind=kind,
            awarded=item.points if item.partial else None,
            expected_version=0,
            by=user,
        )


def test_it_renders_the_page_in_a_constant_number_of_queries(client, world):
    admin = world["people"]["ent_admin"]
    small = services.assessment_start(
        enterprise=world["enterprise"], scheme_version=SchemeVersion.objects.get(scheme_id="sbt10401-2006-a2"), by=admin
    )
    large = world["assessment"]
    fill(small, admin)
    fill(large, admin)
    services.special_add(assessment=small, type="deduction", kind="law", reason="x", by=admin)
    services.special_add(assessment=large, type="deduction", kind="law", reason="x", by=admin)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftersales.assessments.evidence import evidence_add

    for a in (small, large):  # one file on every item
        for item in scheme_of(a.scheme_version).items:
            evidence_add(
                assessment=a, item_code=item.code, by=admin, upload=SimpleUploadedFile(f"{item.code}.txt", b"record")
            )
    client.force_login(admin)
    client.get(reverse("assessment_detail", args=[small.pk]))  # warm the parsed-scheme cache
    client.get(reverse("assessment_detail", args=[large.pk]))
    with CaptureQueriesContext(connection) as five_items:
        assert client.get(reverse("assessment_detail", args=[small.pk])).status_code == 200
    with CaptureQueriesContext(connection) as many_items:
        assert client.get(reverse("assessment_detail", args=[large.pk])).status_code == 200
    assert len(scheme_of(large.scheme_version).items) == 42
    assert len(many_items) == len(five_items)


def test_it_returns_the_item_and_the_new_result_panel_to_htmx(client, world):
    client.force_login(world["people"]["ent_admin"])
    url = reverse("answer_save", args=[world["assessment"].pk, "5.1.2.2"])
    response = client.post(url, {"kind": "conform", "version": "0"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="item-5.1.2.2"' in html and 'hx-swap-oob="true"' in html
    assert ">5.00<" in html  # the score panel shows the new score
    assert "<html" not in html  # a partial, not the page


def test_it_shows_the_other_persons_answer_on_a_conflict(client, world):
    a = world["assessment"]
    services.answer_save(
        assessment=a, item_code="5.1.1.1", kind="conform", expected_version=0, by=world["people"]["ent_admin"]
    )
    client.force_login(world["people"]["ent_member"])
    response = client.post(
        reverse("answer_save", args=[a.pk, "5.1.1.1"]),
        {"kind": "nonconform", "version": "0", "reason": "my view"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "ent_admin" in html and "符合" in html and 'role="alert"' in html
    assert 'value="my view"' in html  # the member's input is kept in the form
    assert 'name="version" value="1"' in html  # saving again replaces knowingly


def test_it_explains_a_bad_answer_next_to_the_item(client, world):
    client.force_login(world["people"]["ent_admin"])
    response = client.post(
        reverse("answer_save", args=[world["assessment"].pk, "5.1.2.2"]),
        {"kind": "sampled", "sampled": "5", "nonconforming": "7", "version": "0"},
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )
    assert "must be an integer from 0 to the sample size 5" in response.content.decode()


def test_it_saves_without_javascript_and_comes_back_to_the_item(client, world):
    client.force_login(world["people"]["ent_admin"])
    a = world["assessment"]
    response = client.post(reverse("answer_save", args=[a.pk, "5.1.1.1"]), {"kind": "conform", "version": "0"})
    assert response.status_code == 302 and response["Location"].endswith("#item-5.1.1.1")
    assert a.answers.get().kind == "conform"


def test_it_shows_a_finished_assessment_read_only(client, world):
    admin = world["people"]["ent_admin"]
    fill(world["assessment"], admin)
    services.assessment_finish(assessment=world["assessment"], by=admin)
    client.force_login(admin)
    html = client.get(reverse("assessment_detail", args=[world["assessment"].pk])).content.decode()
    assert "hx-post" not in html and "disabled" in html and "五星" in html


def test_it_uses_argon2_in_the_real_settings():
    import aftersales.settings as real

    assert real.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")

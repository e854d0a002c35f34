"""Issue 21: an application the enterprise has not submitted is its own. CB reviewers and admins
could open a draft case, its application and its materials; now every CB role gets 404 until the
enterprise submits (and for good on a case withdrawn before it was ever submitted)."""

import pytest
from django.urls import reverse

from aftersales.certification import services
from aftersales.certification.models import Case
from tests.certification.helpers import make_case

pytestmark = pytest.mark.django_db

STAFF = ("cb_admin", "reviewer", "auditor", "committee")


def _urls(case):
    material = case.materials.first()
    return [
        reverse("case_detail", args=[case.pk]),
        reverse("case_material_download", args=[case.pk, material.pk]),
        reverse("api:case_api_get", args=[case.pk]),
        reverse("api:case_api_events", args=[case.pk]),
        reverse("api:case_api_eligibility", args=[case.pk]),
    ]


def _listed(client, case) -> bool:
    return case.reference in client.get(reverse("case_list")).content.decode() or any(
        row["reference"] == case.reference for row in client.get(reverse("api:case_api_list")).json()
    )


def test_it_hides_a_draft_application_and_its_materials_from_every_cb_role(client, world):
    draft = make_case(world, Case.Status.DRAFT)
    for persona in STAFF:
        client.force_login(world["people"][persona])
        assert [client.get(u).status_code for u in _urls(draft)] == [404] * 5, persona
        assert not _listed(client, draft), persona
    client.force_login(world["people"]["ent_member"])
    assert [client.get(u).status_code for u in _urls(draft)] == [200] * 5


def test_it_shows_the_case_to_cb_staff_once_submitted(client, world):
    case = make_case(world, Case.Status.DRAFT)
    services.application_submit(case=case, by=world["people"]["ent_admin"])
    for persona in ("cb_admin", "reviewer"):
        client.force_login(world["people"][persona])
        assert [client.get(u).status_code for u in _urls(case)] == [200] * 5, persona
        assert _listed(client, case), persona


def test_it_keeps_a_case_withdrawn_before_submission_hidden(client, world):
    never = make_case(world, Case.Status.WITHDRAWN)
    later = make_case(world, Case.Status.SUBMITTED)
    services.case_withdraw(case=later, reason="暂不申请", by=world["people"]["ent_admin"])
    client.force_login(world["people"]["reviewer"])
    assert client.get(reverse("case_detail", args=[never.pk])).status_code == 404
    assert client.get(reverse("case_detail", args=[later.pk])).status_code == 200
    assert not _listed(client, never) and _listed(client, later)

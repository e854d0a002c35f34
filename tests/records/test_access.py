"""The records rows of the persona matrix, run on their own (the full matrix also runs them)."""

import pytest

from tests.web.personas import PERSONAS
from tests.web.routes_records import routes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_persona_as_the_records_rows_say(client, world, persona):
    got, want = {}, {}
    for name, (method, url, data, headers, statuses) in routes(world).items():
        client.logout()
        if persona != "anonymous":
            client.force_login(world["people"][persona])
        response = getattr(client, method)(url, data, headers=headers)
        got[name], want[name] = response.status_code, statuses[persona]
    assert got == want


def test_it_hides_records_from_cb_staff_without_a_case(client, world):
    from django.urls import reverse

    client.force_login(world["people"]["auditor"])
    assert client.get(reverse("records_enterprise", args=[world["enterprise"].pk])).status_code == 404
    assert client.get(reverse("api:records_api_kpis", args=[world["enterprise"].pk])).status_code == 404


def _case_in(world, status):
    from aftersales.certification.models import Case, CaseEvent

    case = Case.objects.create(
        reference=f"C-{status}",
        enterprise=world["enterprise"],
        cb=world["cb"],
        scheme_version=world["gbt"],
        created_by=world["people"]["ent_admin"],
        status=status,
    )
    if status != Case.Status.DRAFT:  # it was submitted once (a withdrawal may come before that)
        CaseEvent.objects.create(
            case=case,
            seq=1,
            at="2026-01-01T00:00:00Z",
            actor_label="t",
            action="t",
            to_status="submitted",
            prev_hash="0",
            hash=f"h-{status}",
        )
    return case


@pytest.mark.parametrize("status", ["draft", "withdrawn", "refused", "decided"])
def test_it_hides_records_from_every_cb_role_when_no_case_is_live(client, world, status):
    """Issue 21: a draft, withdrawn, refused or decided case no longer opens the enterprise's records."""
    from django.urls import reverse

    _case_in(world, status)
    for persona in ("cb_admin", "reviewer", "auditor", "auditor_other", "committee"):
        client.force_login(world["people"][persona])
        assert client.get(reverse("records_enterprise", args=[world["enterprise"].pk])).status_code == 404, persona
        assert (
            client.get(reverse("api:records_api_list", args=[world["enterprise"].pk, "complaint"])).status_code == 404
        )
        assert world["enterprise"].name not in client.get(reverse("records_home")).content.decode(), persona


def test_it_shows_records_only_to_the_people_working_the_live_case(client, world):
    from django.urls import reverse

    _case_in(world, "submitted")  # no audit team yet, not before the committee
    url = reverse("records_enterprise", args=[world["enterprise"].pk])
    got = {}
    for persona in ("cb_admin", "reviewer", "auditor", "auditor_other", "committee"):
        client.force_login(world["people"][persona])
        got[persona] = client.get(url).status_code
    assert got == {"cb_admin": 200, "reviewer": 200, "auditor": 404, "auditor_other": 404, "committee": 404}

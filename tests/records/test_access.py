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

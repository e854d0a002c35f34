"""Issue 21: a checklist import replaced the whole assessment while saying "imported 1 answer".
Now the page says what the file would clear or replace, and imports only once that is confirmed."""

import re

import pytest
from django.urls import reverse

from aftersales.assessments import services
from tests.assessments.test_checklist_io import export, set_result, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked(client, world):
    """Three saved answers and a special finding; an exported checklist holding one answer only."""
    a, admin = world["assessment"], world["people"]["ent_admin"]
    client.force_login(admin)
    blank = export(client, a)
    for code in ("5.1.1.1", "5.1.1.2", "5.1.2.1"):
        services.answer_save(assessment=a, item_code=code, kind="conform", expected_version=0, by=admin)
    services.special_add(assessment=a, type="deduction", kind="law", reason="未公示三包", by=admin)
    return a, set_result(blank, {"5.1.1.1": {3: "不符合"}})


def _token(html: str) -> str:
    return re.search(r'name="confirm" value="([^"]+)"', html).group(1)


def test_it_says_what_the_import_clears_and_changes_nothing_before_confirmation(client, worked):
    a, data = worked
    response = upload(client, a, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "5.1.1.2" in html and "5.1.2.1" in html  # the answers it would clear, named
    assert 'name="confirm"' in html
    assert sorted(a.answers.values_list("item_code", "kind")) == [
        ("5.1.1.1", "conform"),
        ("5.1.1.2", "conform"),
        ("5.1.2.1", "conform"),
    ]
    assert a.specials.count() == 1


def test_it_replaces_the_assessment_once_confirmed_and_says_what_it_cleared(client, worked):
    a, data = worked
    token = _token(upload(client, a, data).content.decode())
    response = client.post(reverse("assessment_import", args=[a.pk]), {"confirm": token, "name": "filled.xlsx"})
    assert response.status_code == 302
    assert list(a.answers.values_list("item_code", "kind")) == [("5.1.1.1", "nonconform")]
    assert a.specials.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "2" in page and ("cleared" in page or "清除" in page)


def test_it_asks_again_when_the_assessment_changed_since(client, world, worked):
    a, data = worked
    token = _token(upload(client, a, data).content.decode())
    answer = a.answers.get(item_code="5.1.1.2")
    services.answer_save(
        assessment=a,
        item_code="5.1.1.2",
        kind="nonconform",
        reason="网点未覆盖西区",
        expected_version=answer.version,
        by=world["people"]["ent_member"],
    )
    response = client.post(reverse("assessment_import", args=[a.pk]), {"confirm": token, "name": "filled.xlsx"})
    assert response.status_code == 400
    assert a.answers.get(item_code="5.1.1.2").kind == "nonconform"


def test_it_refuses_a_token_of_another_user(client, world, worked):
    a, data = worked
    token = _token(upload(client, a, data).content.decode())
    client.force_login(world["people"]["ent_member"])
    response = client.post(reverse("assessment_import", args=[a.pk]), {"confirm": token, "name": "x"})
    assert response.status_code == 400 and a.answers.count() == 3

"""The navigation offers the CB's pages (certificate cycle, regulator report, appeals) to exactly
the roles those pages answer, and every link it shows opens (issue 23 §4.8)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .personas import PERSONAS

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="usernav"[^>]*>(.*?)</nav>', re.S)
ROLE_LINKS = {
    "certificate_list": {"ent_admin", "ent_member", "other_admin", "cb_admin", "reviewer", "committee"},
    "cycle_dashboard": {"cb_admin", "reviewer", "committee"},
    "regulator_home": {"cb_admin"},
    "appeal_list": {"ent_admin", "other_admin", "cb_admin", "reviewer", "auditor", "auditor_other", "committee"},
}


def _nav_hrefs(client) -> list[str]:
    html = client.get(reverse("dashboard")).content.decode()
    return re.findall(r'href="([^"]+)"', NAV.search(html).group(1))


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_it_shows_each_role_the_cb_pages_it_may_open_and_they_open(client, world, persona):
    client.force_login(world["people"][persona])
    hrefs = _nav_hrefs(client)
    shown = {name for name in ROLE_LINKS if reverse(name) in hrefs}
    assert shown == {name for name, roles in ROLE_LINKS.items() if persona in roles}
    for href in hrefs:
        assert client.get(href, follow=True).status_code == 200, href


def test_the_role_links_cost_one_query_and_none_for_a_public_page(client, world):
    client.force_login(world["people"]["cb_admin"])
    with CaptureQueriesContext(connection) as q:
        client.get(reverse("organisation_home"))
    assert sum("accounts_membership" in x["sql"] and "DISTINCT" in x["sql"] for x in q.captured_queries) == 1
    client.logout()
    with CaptureQueriesContext(connection) as q:
        assert client.get(reverse("registry_search")).status_code == 200
    assert not any("accounts_membership" in x["sql"] for x in q.captured_queries)

"""Every page × every persona: who gets the page, who gets 404 (or 403, or the login page).

The matrix must name every URL pattern of the project: a new view without a row fails here.
"""

import pytest
from django.urls import get_resolver, reverse

from aftersales.assessments.models import SpecialFinding

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "ent_admin", "ent_member", "other_admin", "cb_admin", "auditor", "committee"]
OWN = {"ent_admin", "ent_member"}
LOGGED_IN = set(PERSONAS) - {"anonymous"}
ENTERPRISE = {"ent_admin", "ent_member", "other_admin"}


def expect(ok: set[str], ok_status: int, *, forbidden: set[str] = frozenset(), anonymous: int = 302) -> dict:
    """Status per persona: ok → ok_status, forbidden → 403, anonymous → login redirect, others → 404."""
    out = {}
    for persona in PERSONAS:
        if persona == "anonymous" and persona not in ok:
            out[persona] = anonymous
        elif persona in ok:
            out[persona] = ok_status
        elif persona in forbidden:
            out[persona] = 403
        else:
            out[persona] = 404
    return out


def routes(world):
    a = world["assessment"]
    finding = SpecialFinding.objects.create(
        assessment=a, type="bonus", reason="x", created_by=world["people"]["ent_admin"]
    )
    gbt = ("gbt27922-2011", "ref-2026.1")
    htmx = {"HX-Request": "true"}
    answer = {"kind": "conform", "version": "0"}
    return {
        "scheme_list": ("get", reverse("scheme_list"), {}, {}, expect(set(PERSONAS), 200)),
        "scheme_detail": ("get", reverse("scheme_detail", args=gbt), {}, {}, expect(set(PERSONAS), 200)),
        "scheme_checklist": ("get", reverse("scheme_checklist", args=gbt), {}, {}, expect(set(PERSONAS), 200)),
        "scheme_source": ("get", reverse("scheme_source", args=gbt), {}, {}, expect(set(PERSONAS), 200)),
        "login": ("get", reverse("login"), {}, {}, expect(set(PERSONAS), 200)),
        "logout": ("post", reverse("logout"), {}, {}, expect(set(PERSONAS), 302)),
        "set_language": (
            "post",
            reverse("set_language"),
            {"language": "en", "next": "/"},
            {},
            expect(set(PERSONAS), 302),
        ),
        "dashboard": ("get", reverse("dashboard"), {}, {}, expect(LOGGED_IN, 200)),
        "assessment_new": ("post", reverse("assessment_new"), {"scheme": world["gbt"].pk}, {}, expect(ENTERPRISE, 302)),
        "assessment_detail": ("get", reverse("assessment_detail", args=[a.pk]), {}, {}, expect(OWN, 200)),
        "answer_save": ("post", reverse("answer_save", args=[a.pk, "5.1.1.1"]), answer, htmx, expect(OWN, 200)),
        "special_add": (
            "post",
            reverse("special_add", args=[a.pk]),
            {"type": "deduction", "kind": "law", "reason": "x"},
            {},
            expect(OWN, 302),
        ),
        "special_remove": ("post", reverse("special_remove", args=[a.pk, finding.pk]), {}, {}, expect(OWN, 302)),
        "assessment_finish": (
            "post",
            reverse("assessment_finish", args=[a.pk]),
            {},
            {},
            expect({"ent_admin"}, 302, forbidden={"ent_member"}),
        ),
    }


def url_names() -> set[str]:
    names = set()

    def walk(resolver):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                walk(p)
            elif p.name:
                names.add(p.name)

    walk(get_resolver())
    return names


def test_it_has_a_row_for_every_url(world):
    assert url_names() == set(routes(world))


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_each_persona_as_the_matrix_says(client, world, persona):
    from aftersales.assessments.models import Answer

    got, want = {}, {}
    for name, (method, url, data, headers, statuses) in routes(world).items():
        Answer.objects.filter(assessment=world["assessment"]).delete()  # keep version 0 valid for each try
        client.logout()
        if persona != "anonymous":
            client.force_login(world["people"][persona])
        response = getattr(client, method)(url, data, headers=headers)
        got[name], want[name] = response.status_code, statuses[persona]
        if statuses[persona] == 302 and persona == "anonymous" and name not in {"logout", "set_language"}:
            assert reverse("login") in response["Location"], name
    assert got == want

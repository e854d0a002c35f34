"""Every page × every persona: who gets the page, who gets 404 (or 403, or the login page).

The matrix must name every URL pattern of the project: a new view without a row fails here.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from aftersales.accounts.services import invitation_create
from aftersales.assessments.evidence import evidence_add
from aftersales.assessments.models import SpecialFinding

from .personas import ENTERPRISE, LOGGED_IN, OWN, PERSONAS, expect
from .routes_appeals import routes as appeal_routes
from .routes_audits import routes as audit_routes
from .routes_certificates import routes as certificate_routes
from .routes_certification import routes as certification_routes
from .routes_cycle import routes as cycle_routes
from .routes_inbox import routes as inbox_routes
from .routes_notifications import routes as notification_routes
from .routes_ops import routes as ops_routes
from .routes_records import routes as record_routes
from .routes_registry import routes as registry_routes
from .routes_regulator import routes as regulator_routes
from .routes_security import routes as security_routes

pytestmark = pytest.mark.django_db


def routes(world):
    return {
        **base_routes(world),
        **api_routes(world),
        **record_routes(world),
        **certification_routes(world),
        **audit_routes(world),
        **certificate_routes(world),
        **cycle_routes(world),
        **inbox_routes(world),
        **registry_routes(world),
        **regulator_routes(world),
        **appeal_routes(world),
        **ops_routes(world),
        **notification_routes(world),
        **security_routes(world),
    }


def api_routes(world):
    return {
        # the API description is public; the data behind it is not
        "api:openapi-json": ("get", "/api/openapi.json", {}, {}, expect(set(PERSONAS), 200)),
        "api:openapi-view": ("get", "/api/docs", {}, {}, expect(set(PERSONAS), 200)),
        "api:api-root": ("get", "/api/", {}, {}, expect(set(PERSONAS), 404)),
    }


def base_routes(world):
    a = world["assessment"]
    finding = SpecialFinding.objects.create(
        assessment=a, type="bonus", reason="x", created_by=world["people"]["ent_admin"]
    )
    evidence = evidence_add(
        assessment=a,
        item_code="5.1.1.1",
        by=world["people"]["ent_admin"],
        upload=SimpleUploadedFile("组织机构图.pdf", b"%PDF-1.4 test"),
    )
    gbt = ("gbt27922-2011", "ref-2026.1")
    htmx = {"HX-Request": "true"}
    answer = {"kind": "conform", "version": "0"}
    ent = world["enterprise"].pk
    (_, token), (to_revoke, _) = (
        invitation_create(
            organisation=world["enterprise"],
            email=email,
            role="enterprise_member",
            by=world["people"]["ent_admin"],
            site_url="http://testserver",
        )
        for email in ("new@example.cn", "to-revoke@example.cn")
    )
    invite = {"email": "other@example.cn", "role": "enterprise_member"}
    return {
        "scheme_list": ("get", reverse("scheme_list"), {}, {}, expect(set(PERSONAS), 200)),
        "scheme_detail": ("get", reverse("scheme_detail", args=gbt), {}, {}, expect(set(PERSONAS), 200)),
        "scheme_checklist": ("get", reverse("scheme_checklist", args=gbt), {}, {}, expect(set(PERSONAS), 200)),
        "scheme_source": ("get", reverse("scheme_source", args=gbt), {}, {}, expect(set(PERSONAS), 200)),
        "login": (
            "get",
            reverse("login"),
            {},
            {},
            {**expect(set(PERSONAS), 302), "anonymous": 200},
        ),  # signed in: on to the workspace
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
        "assessment_remaining_conform": (
            "post",
            reverse("assessment_remaining_conform", args=[a.pk]),
            {},
            {},
            expect(OWN, 302),
        ),
        "assessment_finish": (
            "post",
            reverse("assessment_finish", args=[a.pk]),
            {"confirm": "yes"},
            {},
            expect({"ent_admin"}, 302, forbidden={"ent_member"}),
        ),
        "assessment_report_pdf": ("get", reverse("assessment_report_pdf", args=[a.pk]), {}, {}, expect(OWN, 200)),
        "assessment_export": ("get", reverse("assessment_export", args=[a.pk]), {}, {}, expect(OWN, 200)),
        # no file attached: the enterprise's users get the page with the problem (400), others 404
        "assessment_import": ("post", reverse("assessment_import", args=[a.pk]), {}, {}, expect(OWN, 400)),
        "evidence_upload": (
            "post",
            reverse("evidence_upload", args=[a.pk, "5.1.1.2"]),
            {"file": SimpleUploadedFile("清单.txt", "服务网点清单".encode())},
            {},
            expect(OWN, 302),
        ),
        "evidence_download": ("get", reverse("evidence_download", args=[a.pk, evidence.pk]), {}, {}, expect(OWN, 200)),
        "evidence_delete": ("post", reverse("evidence_delete", args=[a.pk, evidence.pk]), {}, {}, expect(OWN, 302)),
        "password_reset": ("get", reverse("password_reset"), {}, {}, expect(set(PERSONAS), 200)),
        "password_reset_done": ("get", reverse("password_reset_done"), {}, {}, expect(set(PERSONAS), 200)),
        # a made-up link: everyone gets the "this link no longer works" page
        "password_reset_confirm": (
            "get",
            reverse("password_reset_confirm", args=["MQ", "bad-token"]),
            {},
            {},
            expect(set(PERSONAS), 200),
        ),
        "password_reset_complete": ("get", reverse("password_reset_complete"), {}, {}, expect(set(PERSONAS), 200)),
        "profile": ("get", reverse("profile"), {}, {}, expect(LOGGED_IN, 200)),
        # every persona belongs to exactly one organisation: redirected to its page
        "organisation_home": ("get", reverse("organisation_home"), {}, {}, expect(LOGGED_IN, 302)),
        "organisation_detail": ("get", reverse("organisation_detail", args=[ent]), {}, {}, expect(OWN, 200)),
        "invitation_new": (
            "post",
            reverse("invitation_new", args=[ent]),
            invite,
            {},
            expect({"ent_admin"}, 302, forbidden={"ent_member"}),
        ),
        "invitation_revoke": (
            "post",
            reverse("invitation_revoke", args=[ent, to_revoke.pk]),
            {},
            {},
            expect({"ent_admin"}, 302, forbidden={"ent_member"}),
        ),
        # the link is the credential: anyone holding it gets the page (sign-up form or "join" button)
        "invitation_accept": ("get", reverse("invitation_accept", args=[token]), {}, {}, expect(set(PERSONAS), 200)),
    }


def url_names() -> set[str]:
    """Every named URL pattern, with its namespace ("api:…") where it has one."""
    names = set()

    def walk(resolver, namespace=""):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                walk(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif p.name:
                names.add(namespace + p.name)

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
        headers = dict(headers)
        extra = {"content_type": headers.pop("content_type")} if "content_type" in headers else {}
        response = getattr(client, method)(url, data, headers=headers, **extra)
        got[name], want[name] = response.status_code, statuses[persona]
        if statuses[persona] == 302 and persona == "anonymous" and name not in {"logout", "set_language"}:
            assert reverse("login") in response["Location"], name
    assert got == want

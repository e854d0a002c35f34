"""Rows of the persona × URL matrix for the certification pages and API endpoints (see test_persona_matrix).

Who sees a case of 甲企业 before the audit: its members and, once the application is submitted,
the CB's cb_admin and reviewer (a draft application and its materials are the enterprise's own:
every CB role gets 404 on them). Auditors (not on an audit team) and the committee (case not
reported) get 404, like outsiders.
A write by someone who sees the case but lacks the role gets 403. Each write acts on a case of
its own (built here through the services) so the order of the rows does not matter.
"""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.certification.models import Case, Exclusion
from aftersales.certification.review import contract_record
from aftersales.certification.services import info_answer
from tests.certification.helpers import make_case, review_complete

from .personas import ENTERPRISE, LOGGED_IN, OWN, expect

VIEWERS = OWN | {"cb_admin", "reviewer"}
STAFF = {"cb_admin", "reviewer"}
JSON = "application/json"


def routes(world) -> dict:
    S = Case.Status
    reviewer = world["people"]["reviewer"]

    def case(status, **kw):
        return make_case(world, status, direct=True, **kw)

    draft = case(S.DRAFT)
    material = draft.materials.first()
    submit_me, withdraw_me, api_submit_me, api_withdraw_me = (case(S.DRAFT) for _ in range(4))
    info, api_info, info_files = case(S.INFO_REQUESTED), case(S.INFO_REQUESTED), case(S.INFO_REQUESTED)
    answered = info_answer(
        item=info_files.info_items.first(),
        answer="见附件",
        files=[SimpleUploadedFile("说明.pdf", b"%PDF-1.4 i")],
        by=world["people"]["ent_admin"],
    )
    to_review, to_ask, to_refuse, to_accept = (case(S.SUBMITTED) for _ in range(4))
    api_review, api_ask, api_refuse, api_accept = (case(S.SUBMITTED) for _ in range(4))
    for c in (to_accept, api_accept):
        review_complete(c, reviewer)
    accepted, api_accepted = case(S.ACCEPTED), case(S.ACCEPTED)
    signed = case(S.ACCEPTED)
    contract_record(
        case=signed,
        signed_on=date(2026, 1, 5),
        signed_by="张伟",
        by=reviewer,
        upload=SimpleUploadedFile("合同.pdf", b"%PDF-1.4 c"),
    )
    excl = {f"exclusion-{e.pk}": "confirm" for e in Exclusion.objects.filter(application__case=to_review)}
    review_form = {"audit_mode": "on_site", "risk_class": "low", "outlets_visited": "1", "scope_confirmed": "on"}
    api_review_body = {
        "audit_mode": "remote",
        "risk_class": "low",
        "outlets_visited": 0,
        "scope_confirmed": True,
        "exclusions": {"5.2.6.1": True},
    }

    def url(name, *args):
        return reverse(name, args=args)

    def api(name, *args):
        return reverse(f"api:{name}", args=args)

    writes_ent_admin = expect({"ent_admin"}, 302, forbidden={"ent_member"} | STAFF)
    draft_ent_admin = expect({"ent_admin"}, 302, forbidden={"ent_member"})  # staff: 404 on a draft
    writes_ent = expect(OWN, 302)  # on the draft: staff 404
    writes_staff = expect(STAFF, 302, forbidden=OWN)
    api_anon = 401
    return {
        "case_list": ("get", url("case_list"), {}, {}, expect(LOGGED_IN, 200)),
        "case_new": ("get", url("case_new"), {}, {}, expect(ENTERPRISE, 200)),
        "case_detail": ("get", url("case_detail", draft.pk), {}, {}, expect(OWN, 200)),
        "case_application": ("get", url("case_application", draft.pk), {}, {}, expect(OWN, 200)),
        "case_material_upload": (
            "post",
            url("case_material_upload", draft.pk),
            {"material_type": "permits", "file": SimpleUploadedFile("许可.pdf", b"%PDF-1.4 p")},
            {},
            writes_ent,
        ),
        "case_material_download": (
            "get",
            url("case_material_download", draft.pk, material.pk),
            {},
            {},
            expect(OWN, 200),
        ),
        "case_submit": ("post", url("case_submit", submit_me.pk), {"confirm": "yes"}, {}, draft_ent_admin),
        "case_withdraw": ("post", url("case_withdraw", withdraw_me.pk), {"reason": "x"}, {}, draft_ent_admin),
        "case_info_answer": (
            "post",
            url("case_info_answer", info.pk, info.info_items.first().pk),
            {"answer": "已补充"},
            {},
            writes_ent_admin,
        ),
        "case_info_file_download": (
            "get",
            url("case_info_file_download", info_files.pk, answered.attachments.get().pk),
            {},
            {},
            expect(VIEWERS, 200),
        ),
        "case_review": ("post", url("case_review", to_review.pk), review_form | excl, {}, writes_staff),
        "case_request_info": ("post", url("case_request_info", to_ask.pk), {"questions": "请补充"}, {}, writes_staff),
        "case_refuse": ("post", url("case_refuse", to_refuse.pk), {"reason": "不符合"}, {}, writes_staff),
        "case_accept": ("post", url("case_accept", to_accept.pk), {"travel_estimate": "0"}, {}, writes_staff),
        "case_contract": (
            "post",
            url("case_contract", accepted.pk),
            {"signed_on": "2026-01-05", "signed_by": "张伟"},
            {},
            writes_staff,
        ),
        "case_contract_file": ("get", url("case_contract_file", signed.pk), {}, {}, expect(VIEWERS, 200)),
        "case_quotation_pdf": ("get", url("case_quotation_pdf", accepted.pk), {}, {}, expect(VIEWERS, 200)),
        # JSON API
        "api:case_api_list": ("get", api("case_api_list"), {}, {}, expect(LOGGED_IN, 200, anonymous=api_anon)),
        # other_admin's enterprise opens its own case; CB staff have no enterprise (404). Both
        # enterprises hold a live certificate in this world (routes_certificates, routes_cycle): an
        # initial application is refused (409, certificates/holding.py), after access was granted
        "api:case_api_open": (
            "post",
            api("case_api_open"),
            f'{{"cb": {world["cb"].pk}, "scheme": {world["gbt"].pk}}}',
            {"content_type": JSON},
            expect({"other_admin"}, 409, anonymous=api_anon) | {"ent_admin": 409, "ent_member": 409},
        ),
        "api:case_api_get": ("get", api("case_api_get", draft.pk), {}, {}, expect(OWN, 200, anonymous=api_anon)),
        "api:case_api_application": (
            "put",
            api("case_api_application", draft.pk),
            _json(
                {
                    "products": ["空调"],
                    "sites": [{"name": "总部", "address": "杭州", "kind": "own", "fixed_outlet": True}],
                }
            ),
            {"content_type": JSON},
            expect(OWN, 200, anonymous=api_anon),
        ),
        "api:case_api_eligibility": (
            "get",
            api("case_api_eligibility", draft.pk),
            {},
            {},
            expect(OWN, 200, anonymous=api_anon),
        ),
        "api:case_api_submit": (
            "post",
            api("case_api_submit", api_submit_me.pk),
            {},
            {},
            expect({"ent_admin"}, 409, forbidden={"ent_member"}, anonymous=api_anon),  # a holder: see above
        ),
        "api:case_api_withdraw": (
            "post",
            api("case_api_withdraw", api_withdraw_me.pk),
            '{"reason": "x"}',
            {"content_type": JSON},
            expect({"ent_admin"}, 200, forbidden={"ent_member"}, anonymous=api_anon),
        ),
        "api:case_api_answer": (
            "post",
            api("case_api_answer", api_info.pk, api_info.info_items.first().pk),
            '{"answer": "好"}',
            {"content_type": JSON},
            expect({"ent_admin"}, 200, forbidden={"ent_member"} | STAFF, anonymous=api_anon),
        ),
        "api:case_api_review": (
            "post",
            api("case_api_review", api_review.pk),
            _json(api_review_body),
            {"content_type": JSON},
            expect(STAFF, 200, forbidden=OWN, anonymous=api_anon),
        ),
        "api:case_api_request_info": (
            "post",
            api("case_api_request_info", api_ask.pk),
            '{"questions": ["请补充"]}',
            {"content_type": JSON},
            expect(STAFF, 200, forbidden=OWN, anonymous=api_anon),
        ),
        "api:case_api_refuse": (
            "post",
            api("case_api_refuse", api_refuse.pk),
            '{"reason": "不符合"}',
            {"content_type": JSON},
            expect(STAFF, 200, forbidden=OWN, anonymous=api_anon),
        ),
        "api:case_api_accept": (
            "post",
            api("case_api_accept", api_accept.pk),
            '{"travel_estimate": "0"}',
            {"content_type": JSON},
            expect(STAFF, 200, forbidden=OWN, anonymous=api_anon),
        ),
        "api:case_api_quotation": (
            "get",
            api("case_api_quotation", accepted.pk),
            {},
            {},
            expect(VIEWERS, 200, anonymous=api_anon),
        ),
        "api:case_api_contract": (
            "post",
            api("case_api_contract", api_accepted.pk),
            '{"signed_on": "2026-01-05", "signed_by": "张伟"}',
            {"content_type": JSON},
            expect(STAFF, 200, forbidden=OWN, anonymous=api_anon),
        ),
        "api:case_api_events": (
            "get",
            api("case_api_events", draft.pk),
            {},
            {},
            expect(OWN, 200, anonymous=api_anon),
        ),
    }


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)

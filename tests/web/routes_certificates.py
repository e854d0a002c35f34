"""Rows of the persona × URL matrix for the certificate pages and API (see test_persona_matrix).

Who sees a certificate: the members of the enterprise that holds it and the issuing CB's cb_admin,
reviewers and committee; auditors (like any outsider) get 404 and see certificates only in the
public registry. Only the cb_admin acts (other viewers 403).

The certificates here are held by 乙企业, so its admin (`other_admin`) is the holder and 甲企业's
members are the outsiders: 甲企业's one live certificate under the scheme belongs to the cycle rows
(tests/web/routes_cycle.py). The API writes act on a certificate of an enterprise without personas
so the order of the rows does not matter (each certificate gets one status change and one new version,
which pass in either order).
"""

from django.urls import reverse

from tests.certificates.factories import decided, issued, new_enterprise

from .personas import LOGGED_IN, expect

HOLDER = {"other_admin"}
CB_VIEW = {"cb_admin", "reviewer", "committee"}
VIEWERS = HOLDER | CB_VIEW
JSON = "application/json"


def routes(world) -> dict:
    held = issued(world, enterprise=world["other"])
    api_target = issued(world, enterprise=new_enterprise("接口企业"))
    # a decided case of the holder: issuing is refused (it holds a live certificate) but reached
    case = decided(world, enterprise=world["other"]).case
    n, api_n = held.number, api_target.number
    v = held.versions.get()
    cb_acts = expect({"cb_admin"}, 302, forbidden=VIEWERS - {"cb_admin"})
    api_anon = 401
    return {
        "certificate_list": ("get", reverse("certificate_list"), {}, {}, expect(LOGGED_IN, 200)),
        "certificate_detail": ("get", reverse("certificate_detail", args=[n]), {}, {}, expect(VIEWERS, 200)),
        "certificate_status": (
            "post",
            reverse("certificate_status", args=[n]),
            {"action": "suspend", "reason": "标志误用", "effective_on": held.status_since.isoformat()},
            {},
            cb_acts,
        ),
        "certificate_change": (
            "post",
            reverse("certificate_change", args=[n]),
            {
                "level": v.level,
                "name": v.enterprise_name,
                "address": "杭州市滨江区新址 8 号",
                "scope": v.scope,
                "sites": "\n".join(f"{s['name']} | {s['address']}" for s in v.sites),
                "reason": "address",
                "note": "企业搬迁",
            },
            {},
            cb_acts,
        ),
        "certificate_pdf": ("get", reverse("certificate_pdf", args=[n]) + "?lang=en", {}, {}, expect(VIEWERS, 200)),
        "certificate_mark": ("get", reverse("certificate_mark", args=[n, "svg"]), {}, {}, expect(VIEWERS, 200)),
        # the audit team's leader ("auditor") sees the case but may not issue
        "case_certificate_issue": (
            "post",
            reverse("case_certificate_issue", args=[case.pk]),
            {"confirm": "yes"},
            {},
            expect({"cb_admin"}, 302, forbidden=VIEWERS - {"cb_admin"} | {"auditor"}),
        ),
        "api:certificate_api_list": (
            "get",
            reverse("api:certificate_api_list"),
            {},
            {},
            expect(LOGGED_IN, 200, anonymous=api_anon),
        ),
        "api:certificate_api_detail": (
            "get",
            reverse("api:certificate_api_detail", args=[n]),
            {},
            {},
            expect(VIEWERS, 200, anonymous=api_anon),
        ),
        "api:certificate_api_status": (
            "post",
            reverse("api:certificate_api_status", args=[api_n]),
            {"action": "suspend", "reason": "标志误用"},
            {"content_type": JSON},
            expect({"cb_admin"}, 200, forbidden=CB_VIEW - {"cb_admin"}, anonymous=api_anon),
        ),
        "api:certificate_api_change": (
            "post",
            reverse("api:certificate_api_change", args=[api_n]),
            {"reason": "level", "note": "复核降级", "level": "four_star"},
            {"content_type": JSON},
            expect({"cb_admin"}, 201, forbidden=CB_VIEW - {"cb_admin"}, anonymous=api_anon),
        ),
    }

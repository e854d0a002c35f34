"""Rows of the persona × URL matrix for the records pages and API endpoints (see test_persona_matrix).

甲企业 has a live certification case with the CB "认证机构", reported to the committee, with
"auditor" on its audit team: the people working it (cb_admin, reviewer, auditor, committee) may see
its records, KPIs and samples and draw/judge samples; "auditor_other", on no team of 甲企业, gets 404
(so would every CB role if 甲企业's only cases were drafts, withdrawn, refused or decided). Only
甲企业's admin imports and publishes commitments (403 for its member). 乙企业's admin is an outsider
(404). The API answers 401 to anonymous callers.
"""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.certification.models import Case
from aftersales.core.records.mapping import shipped_mappings
from aftersales.records.services import records_import, sample_draw
from tests.audits.factories import case_at

from .personas import CB_STAFF, ENTERPRISE, OWN, expect

SAMPLES = Path(__file__).resolve().parents[2] / "aftersales" / "core" / "records" / "samples"


def routes(world) -> dict:
    ent, p = world["enterprise"], world["people"]
    case_at(world, Case.Status.REPORTED)
    data = (SAMPLES / "crm-work-orders-gbk.csv").read_bytes()
    mapping = shipped_mappings()["crm-work-orders-gbk"].read_bytes()
    ri = records_import(
        enterprise=ent,
        kind="work_order",
        data=data,
        filename="crm-work-orders-gbk.csv",
        mapping=mapping,
        mapping_name="crm-work-orders-gbk",
        by=p["ent_admin"],
    )
    sample = sample_draw(enterprise=ent, kind="work_order", n=3, seed="matrix", method="simple", by=p["ent_admin"])
    entry = sample.entries.first()
    e = ent.pk
    seen = OWN | (CB_STAFF - {"auditor_other"})
    view = expect(seen, 200)
    api_view = expect(seen, 200, anonymous=401)
    htmx = {"HX-Request": "true"}

    home = expect(ENTERPRISE | CB_STAFF, 200)  # auditor_other: the page, with 甲企业 not on it
    for persona in ENTERPRISE:
        home[persona] = 302  # one enterprise of their own: straight to its records

    def upload():
        return SimpleUploadedFile("crm-work-orders-gbk.csv", data)

    return {
        "records_home": ("get", reverse("records_home"), {}, {}, home),
        "records_enterprise": ("get", reverse("records_enterprise", args=[e]), {}, {}, view),
        "records_import": (
            "get",
            reverse("records_import", args=[e]),
            {},
            {},
            expect({"ent_admin"}, 200, forbidden={"ent_member"}),
        ),
        "records_import_detail": ("get", reverse("records_import_detail", args=[e, ri.pk]), {}, {}, view),
        "records_kpis": ("get", reverse("records_kpis", args=[e]), {}, {}, view),
        "records_commitments": ("get", reverse("records_commitments", args=[e]), {}, {}, view),
        "records_samples": ("get", reverse("records_samples", args=[e]), {}, {}, view),
        "records_sample_detail": ("get", reverse("records_sample_detail", args=[e, sample.pk]), {}, {}, view),
        "records_verdict": (
            "post",
            reverse("records_verdict", args=[e, sample.pk, entry.pk]),
            {"verdict": "conform"},
            htmx,
            view,
        ),
        "records_list": ("get", reverse("records_list", args=[e, "work_order"]), {}, {}, view),
        "api:records_api_list": ("get", reverse("api:records_api_list", args=[e, "work_order"]), {}, {}, api_view),
        "api:records_api_kpis": ("get", reverse("api:records_api_kpis", args=[e]), {}, {}, api_view),
        "api:records_api_import": (
            "post",
            reverse("api:records_api_import", args=[e]),
            {"kind": "work_order", "mapping": "crm-work-orders-gbk", "file": upload(), "dry_run": "true"},
            {},
            expect({"ent_admin"}, 202, forbidden={"ent_member"}, anonymous=401),
        ),
        "api:records_api_import_status": (
            "get",
            reverse("api:records_api_import_status", args=[e, ri.pk]),
            {},
            {},
            api_view,
        ),
        "api:records_api_sample_draw": (
            "post",
            reverse("api:records_api_sample_draw", args=[e]),
            {"kind": "work_order", "n": "2", "seed": "x"},
            {},
            expect(seen, 201, anonymous=401),
        ),
        "api:records_api_sample": ("get", reverse("api:records_api_sample", args=[e, sample.pk]), {}, {}, api_view),
        "api:records_api_verdict": (
            "post",
            reverse("api:records_api_verdict", args=[e, sample.pk, entry.pk]),
            {"verdict": "nonconform"},
            {},
            api_view,
        ),
    }

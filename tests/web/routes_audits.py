"""Rows of the persona × URL matrix for the audits pages and API endpoints (see test_persona_matrix).

Every case is 甲企业's, built by tests/audits/factories.case_at with the persona "auditor" as the
team leader; "auditor_other" is a registered auditor not on any team (404 like an outsider).
The committee sees a case only once it is reported. Each write acts on a case of its own, so the
order of the rows does not matter; a refused step redirects (302) with its message like a done one.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales.audits import findings, plan, scoring
from aftersales.certification.models import Case
from tests.audits.factories import auditor_of, case_at

from .personas import CB_STAFF, OWN, expect

S = Case.Status
STAFF = {"cb_admin", "reviewer"}
TEAM = {"auditor"}
BEFORE_REPORT = OWN | STAFF | TEAM  # who sees a case before it is reported
JSON = "application/json"


def routes(world) -> dict:
    p = world["people"]

    def at(status, **kw):
        return case_at(world, status, **kw)

    def url(name, *args):
        return reverse(name, args=args)

    def api(name, *args):
        return reverse(f"api:{name}", args=args)

    contracted, planned = at(S.CONTRACTED), at(S.PLANNED)
    objected = at(S.PLANNED)
    objection = plan.objection_raise(case=objected, member=objected.audit.team.get(), reason="x", by=p["ent_admin"])
    audit = at(S.AUDIT)
    evidence = scoring.audit_evidence_add(
        audit=audit.audit,
        item_code="5.1.1.1",
        by=p["auditor"],
        upload=SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\nxx"),
    )
    special = scoring.audit_special_add(audit=audit.audit, type="bonus", reason="x", by=p["auditor"])
    finding = audit.audit.findings.get()
    rect = at(S.RECTIFICATION)
    nc = rect.audit.findings.get()
    rect_file = findings.finding_file_add(
        finding=nc, upload=SimpleUploadedFile("整改.txt", "已整改".encode()), by=p["ent_member"]
    )
    answered = at(S.RECTIFICATION)
    findings.finding_answer(
        finding=answered.audit.findings.get(), cause="a", correction="b", corrective_action="c", by=p["ent_member"]
    )
    api_objected = at(S.PLANNED)
    api_objection = plan.objection_raise(
        case=api_objected, member=api_objected.audit.team.get(), reason="x", by=p["ent_admin"]
    )
    api_rect = at(S.RECTIFICATION)
    api_answered = at(S.RECTIFICATION)
    findings.finding_answer(
        finding=api_answered.audit.findings.get(), cause="a", correction="b", corrective_action="c", by=p["ent_member"]
    )
    to_object = at(S.PLANNED)
    reported = at(S.REPORTED)
    decided = at(S.DECIDED)
    auditor_of(world, "auditor_other")

    def one(status, **kw):
        """A fresh case for a write."""
        return at(status, **kw)

    htmx = {"HX-Request": "true"}
    after_report = OWN | STAFF | TEAM | {"committee"}
    writes_review = expect(STAFF, 302, forbidden=OWN | TEAM)
    writes_team = expect(TEAM, 302, forbidden=OWN | STAFF)
    writes_ent = expect(OWN, 302, forbidden=STAFF | TEAM)
    cb_pages = expect(STAFF, 200, forbidden=CB_STAFF - STAFF)
    cb_writes = expect(STAFF, 302, forbidden=CB_STAFF - STAFF)
    cb_admin_writes = expect({"cb_admin"}, 302, forbidden=CB_STAFF - {"cb_admin"})
    api_anon = 401
    c_api = {"content_type": JSON}
    plan_body = (
        '{"mode": "remote", "start_date": "2026-12-07", "end_date": "2026-12-08", "man_days": "1.5",'
        ' "sites": ["总部"], "agenda": [{"activity": "首次会议"}], "sampling": []}'
    )
    return {
        # pages
        "audit_plan": ("get", url("audit_plan", planned.pk), {}, {}, expect(BEFORE_REPORT, 200)),
        "audit_team_set": (
            "post",
            url("audit_team_set", one(S.CONTRACTED).pk),
            {"leader": auditor_of(world).pk},
            {},
            writes_review,
        ),
        "audit_plan_send": ("post", url("audit_plan_send", one(S.CONTRACTED).pk), {}, {}, writes_review),
        "audit_objection_raise": (
            "post",
            url("audit_objection_raise", to_object.pk),
            {"member": to_object.audit.team.get().pk, "reason": "x"},
            {},
            expect({"ent_admin"}, 302, forbidden={"ent_member"} | STAFF | TEAM),
        ),
        "audit_objection_answer": (
            "post",
            url("audit_objection_answer", objected.pk, objection.pk),
            {"answer": "keep", "reason": "无利益冲突"},
            {},
            writes_review,
        ),
        "audit_review_start": ("post", url("audit_review_start", one(S.PLANNED).pk), {}, {}, writes_team),
        "audit_start": ("post", url("audit_start", one(S.DOCUMENT_REVIEW).pk), {}, {}, writes_team),
        "audit_scoring": ("get", url("audit_scoring", audit.pk), {}, {}, expect(STAFF | TEAM, 200)),
        "audit_answer_save": (
            "post",
            url("audit_answer_save", audit.pk, "5.1.1.2"),
            {"kind": "conform", "version": "1"},
            htmx,
            expect(TEAM, 200, forbidden=OWN | STAFF),
        ),
        "audit_evidence_upload": (
            "post",
            url("audit_evidence_upload", audit.pk, "5.1.1.2"),
            {"file": SimpleUploadedFile("记录.txt", "记录".encode())},
            {},
            writes_team,
        ),
        "audit_evidence_download": (
            "get",
            url("audit_evidence_download", audit.pk, evidence.pk),
            {},
            {},
            expect(STAFF | TEAM, 200),
        ),
        "audit_finding_add": (
            "post",
            url("audit_finding_add", audit.pk, "5.1.1.2"),
            {"grade": "observation", "description": "x"},
            {},
            writes_team,
        ),
        "audit_special_add": (
            "post",
            url("audit_special_add", audit.pk),
            {"type": "deduction", "kind": "law", "reason": "x"},
            {},
            writes_team,
        ),
        "audit_remaining_conform": ("post", url("audit_remaining_conform", one(S.AUDIT).pk), {}, {}, writes_team),
        "audit_special_remove": ("post", url("audit_special_remove", audit.pk, special.pk), {}, {}, writes_team),
        "audit_finding_remove": ("post", url("audit_finding_remove", audit.pk, finding.pk), {}, {}, writes_team),
        "audit_rectification_start": (
            "post",
            url("audit_rectification_start", one(S.AUDIT).pk),
            {},
            {},
            writes_team,
        ),
        "audit_rectification": ("get", url("audit_rectification", rect.pk), {}, {}, expect(BEFORE_REPORT, 200)),
        "audit_finding_answer": (
            "post",
            url("audit_finding_answer", rect.pk, nc.pk),
            {"cause": "a", "correction": "b", "corrective_action": "c"},
            {},
            writes_ent,
        ),
        "audit_finding_file": (
            "post",
            url("audit_finding_file", rect.pk, nc.pk),
            {"file": SimpleUploadedFile("整改2.txt", "照片说明".encode())},
            {},
            writes_ent,
        ),
        "audit_finding_file_download": (
            "get",
            url("audit_finding_file_download", rect.pk, rect_file.pk),
            {},
            {},
            expect(BEFORE_REPORT, 200),
        ),
        "audit_finding_verify": (
            "post",
            url("audit_finding_verify", answered.pk, answered.audit.findings.get().pk),
            {"accept": "yes"},
            {},
            writes_team,
        ),
        "audit_report_save": (
            "post",
            url("audit_report_save", one(S.AUDIT, with_nc=False).pk),
            {"action": "issue", "conclusion": "有效", "recommended_level": "four_star", "confirm": "yes"},
            {},
            writes_team,
        ),
        "audit_report_pdf": ("get", url("audit_report_pdf", reported.pk), {}, {}, expect(after_report, 200)),
        "audit_decision": ("get", url("audit_decision", decided.pk), {}, {}, expect(after_report, 200)),
        "auditor_list": ("get", url("auditor_list"), {}, {}, cb_pages),
        "auditor_register": (
            "post",
            url("auditor_register"),
            {"user": p["auditor"].pk, "registration": "ASC-9", "valid_until": "2030-01-01"},
            {},
            cb_admin_writes,
        ),
        "conflict_declare": (
            "post",
            url("conflict_declare"),
            {"auditor": auditor_of(world).pk, "enterprise": world["other"].pk, "kind": "other", "start": "2020-01-01"},
            {},
            cb_admin_writes,
        ),
        "audit_overdue": ("get", url("audit_overdue"), {}, {}, cb_pages),
        "audit_overdue_escalate": ("post", url("audit_overdue_escalate"), {}, {}, cb_writes),
        # JSON API
        "api:audit_api_get": (
            "get",
            api("audit_api_get", planned.pk),
            {},
            {},
            expect(BEFORE_REPORT, 200, anonymous=api_anon),
        ),
        "api:audit_api_plan": (
            "put",
            api("audit_api_plan", one(S.CONTRACTED).pk),
            plan_body,
            c_api,
            expect(STAFF, 200, forbidden=OWN | TEAM, anonymous=api_anon),
        ),
        "api:audit_api_team": (
            "put",
            api("audit_api_team", one(S.CONTRACTED).pk),
            f'{{"leader": {auditor_of(world, "auditor_other").pk}}}',
            c_api,
            expect(STAFF, 200, forbidden=OWN | TEAM, anonymous=api_anon),
        ),
        "api:audit_api_picker": (
            "get",
            api("audit_api_picker", contracted.pk),
            {},
            {},
            expect(STAFF, 200, forbidden=OWN | TEAM, anonymous=api_anon),
        ),
        "api:audit_api_send": (
            "post",
            api("audit_api_send", one(S.CONTRACTED).pk),
            {},
            {},
            expect(STAFF, 200, forbidden=OWN | TEAM, anonymous=api_anon),
        ),
        "api:audit_api_review_start": (
            "post",
            api("audit_api_review_start", one(S.PLANNED).pk),
            {},
            {},
            expect(TEAM, 200, forbidden=OWN | STAFF, anonymous=api_anon),
        ),
        "api:audit_api_start": (
            "post",
            api("audit_api_start", one(S.DOCUMENT_REVIEW).pk),
            {},
            {},
            expect(TEAM, 200, forbidden=OWN | STAFF, anonymous=api_anon),
        ),
        "api:audit_api_rectification": (
            "post",
            api("audit_api_rectification", one(S.AUDIT).pk),
            {},
            {},
            expect(TEAM, 200, forbidden=OWN | STAFF, anonymous=api_anon),
        ),
        "api:audit_api_object": (
            "post",
            api("audit_api_object", planned.pk),
            f'{{"member": {planned.audit.team.get().pk}, "reason": "曾任顾问"}}',
            c_api,
            expect({"ent_admin"}, 201, forbidden={"ent_member"} | STAFF | TEAM, anonymous=api_anon),
        ),
        "api:audit_api_answer_objection": (
            "post",
            api("audit_api_answer_objection", api_objected.pk, api_objection.pk),
            '{"keep": true, "reason": "无利益冲突"}',
            c_api,
            expect(STAFF, 200, forbidden=OWN | TEAM, anonymous=api_anon),
        ),
        "api:audit_api_items": (
            "get",
            api("audit_api_items", audit.pk),
            {},
            {},
            expect(STAFF | TEAM, 200, anonymous=api_anon),
        ),
        "api:audit_api_item": (
            "put",
            api("audit_api_item", audit.pk, "5.1.2.1"),
            '{"kind": "nonconform", "version": 1, "reason": "资格证过期"}',
            c_api,
            expect(TEAM, 200, forbidden=OWN | STAFF, anonymous=api_anon),
        ),
        "api:audit_api_findings": (
            "get",
            api("audit_api_findings", rect.pk),
            {},
            {},
            expect(BEFORE_REPORT, 200, anonymous=api_anon),
        ),
        "api:audit_api_finding_add": (
            "post",
            api("audit_api_finding_add", audit.pk),
            '{"item": "5.1.3.1", "grade": "minor", "description": "备用金无记录"}',
            c_api,
            expect(TEAM, 201, forbidden=OWN | STAFF, anonymous=api_anon),
        ),
        "api:audit_api_finding_answer": (
            "post",
            api("audit_api_finding_answer", api_rect.pk, api_rect.audit.findings.get().pk),
            '{"cause": "a", "correction": "b", "corrective_action": "c"}',
            c_api,
            expect(OWN, 200, forbidden=STAFF | TEAM, anonymous=api_anon),
        ),
        "api:audit_api_finding_verify": (
            "post",
            api("audit_api_finding_verify", api_answered.pk, api_answered.audit.findings.get().pk),
            '{"accept": false, "reason": "证据不足"}',
            c_api,
            expect(TEAM, 200, forbidden=OWN | STAFF, anonymous=api_anon),
        ),
        "api:audit_api_report": (
            "post",
            api("audit_api_report", one(S.AUDIT, with_nc=False).pk),
            '{"conclusion": "有效", "recommended_level": "five_star"}',
            c_api,
            expect(TEAM, 201, forbidden=OWN | STAFF, anonymous=api_anon),
        ),
        "api:audit_api_decision": (
            "post",
            api("audit_api_decision", one(S.REPORTED).pk),
            '{"outcome": "approve", "reasons": "结论可信", "no_conflict": true}',
            c_api,
            expect({"committee"}, 201, forbidden=OWN | STAFF | TEAM, anonymous=api_anon),
        ),
        "api:audit_api_chain": (
            "get",
            api("audit_api_chain", decided.pk),
            {},
            {},
            expect(after_report, 200, anonymous=api_anon),
        ),
    }

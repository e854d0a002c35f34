"""The audit pages: scoring with the self-assessment beside it, htmx saves, access, no N+1."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.assessments import services as assessments
from aftersales.audits import findings, plan, scoring, steps
from aftersales.certification.models import Case
from aftersales.schemes.models import SchemeVersion
from aftersales.schemes.selectors import scheme_of
from tests.policy import install_policy

from .factories import case_at, contracted_case, score_all

pytestmark = pytest.mark.django_db
S = Case.Status


def finish_self_assessment(world, *, nonconform=("5.1.1.1",)):
    a, admin = world["assessment"], world["people"]["ent_admin"]
    for item in scheme_of(a.scheme_version).items:
        kind = "nonconform" if item.code in nonconform else "partial" if item.partial else "conform"
        assessments.answer_save(
            assessment=a,
            item_code=item.code,
            kind=kind,
            awarded=item.points if kind == "partial" else None,
            expected_version=0,
            by=admin,
        )
    assessments.assessment_finish(assessment=a, by=admin)


def test_it_shows_the_self_assessment_beside_each_item_with_differences_marked(client, world):
    finish_self_assessment(world)
    case = case_at(world, S.AUDIT)
    client.force_login(world["people"]["auditor"])
    html = client.get(reverse("audit_scoring", args=[case.pk])).content.decode()
    assert html.count('class="self-score differs"') == 1  # 5.1.1.1: nonconform in the self-assessment
    assert 'hx-post="/cases/' in html


def test_it_saves_an_item_by_htmx_and_detects_a_conflict(client, world):
    case = case_at(world, S.AUDIT, with_nc=False)
    client.force_login(world["people"]["auditor"])
    url = reverse("audit_answer_save", args=[case.pk, "5.1.1.1"])
    htmx = {"HX-Request": "true"}
    response = client.post(url, {"kind": "nonconform", "version": "1", "note": "访谈客服主管"}, headers=htmx)
    assert response.status_code == 200 and 'id="result-panel"' in response.content.decode()
    answer = case.audit.assessment.answers.get(item_code="5.1.1.1")
    assert (answer.kind, answer.note, answer.version) == ("nonconform", "访谈客服主管", 2)
    stale = client.post(url, {"kind": "conform", "version": "1"}, headers=htmx).content.decode()
    assert "item-error" in stale and 'role="alert"' in stale
    assert case.audit.assessment.answers.get(item_code="5.1.1.1").kind == "nonconform"


def test_it_refuses_saving_once_the_case_left_the_audit(client, world):
    case = case_at(world, S.RECTIFICATION)
    client.force_login(world["people"]["auditor"])
    url = reverse("audit_answer_save", args=[case.pk, "5.1.1.1"])
    response = client.post(url, {"kind": "nonconform", "version": "1"}, headers={"HX-Request": "true"})
    assert 'role="alert"' in response.content.decode()
    assert case.audit.assessment.answers.get(item_code="5.1.1.1").kind == "conform"


@pytest.mark.parametrize(("status", "code"), [(S.AUDIT, 404), (S.REPORTED, 200)])
def test_it_shows_the_enterprise_the_audit_scores_only_after_the_report(client, world, status, code):
    case = case_at(world, status)
    client.force_login(world["people"]["ent_member"])
    assert client.get(reverse("audit_scoring", args=[case.pk])).status_code == code
    assert client.get(reverse("audit_report_pdf", args=[case.pk])).status_code == code


def test_it_keeps_audits_out_of_the_self_assessment_pages(client, world):
    case = case_at(world, S.AUDIT)
    client.force_login(world["people"]["ent_admin"])
    assert client.get(reverse("assessment_detail", args=[case.audit.assessment_id])).status_code == 404
    client.force_login(world["people"]["auditor"])
    assert client.get(reverse("assessment_detail", args=[case.audit.assessment_id])).status_code == 404


def test_it_renders_the_scoring_page_in_a_constant_number_of_queries(client, world):
    """A 5-item scheme with few rows and the 42-item one with evidence, findings on every item."""
    small_scheme = SchemeVersion.objects.get(scheme_id="sbt10401-2006-a2")
    auditor = world["people"]["auditor"]
    small = case_at(world, S.DOCUMENT_REVIEW)
    small.scheme_version = small_scheme
    small.save()
    a = small.audit.assessment
    a.scheme_version = small_scheme
    a.save()
    large = case_at(world, S.DOCUMENT_REVIEW)
    for case in (small, large):
        score_all(case, auditor)
        for item in scheme_of(case.scheme_version).items:
            scoring.audit_evidence_add(
                audit=case.audit,
                item_code=item.code,
                by=auditor,
                upload=SimpleUploadedFile(f"{item.code}.txt", b"record"),
            )
            findings.finding_raise(audit=case.audit, item_code=item.code, grade="minor", description="x", by=auditor)
        scoring.audit_special_add(audit=case.audit, type="deduction", kind="law", reason="x", by=auditor)
    client.force_login(auditor)
    client.get(reverse("audit_scoring", args=[small.pk]))
    client.get(reverse("audit_scoring", args=[large.pk]))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("audit_scoring", args=[small.pk])).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("audit_scoring", args=[large.pk])).status_code == 200
    assert len(scheme_of(small.scheme_version).items) < 10 < len(scheme_of(large.scheme_version).items)
    assert len(many) == len(few)


def test_it_walks_the_plan_page_to_the_enterprise(client, world):
    case = contracted_case(world)
    from .factories import auditor_of

    leader = auditor_of(world)
    client.force_login(world["people"]["reviewer"])
    plan = {
        "mode": "on_site",
        "start_date": "2026-12-07",
        "end_date": "2026-12-08",
        "man_days": "2",
        "sites": "总部",
        "agenda_when": ["09:00", ""],
        "agenda_activity": ["首次会议", ""],
        "agenda_who": ["全体", ""],
        "sampling_item": ["5.3.2.1"],
        "sampling_size": ["20"],
        "sampling_what": ["投诉"],
    }
    assert client.post(reverse("audit_plan", args=[case.pk]), plan).status_code == 302
    page = client.get(reverse("audit_plan", args=[case.pk])).content.decode()
    assert "no conflict" in page or "无利益冲突" in page or leader.registration in page
    client.post(reverse("audit_team_set", args=[case.pk]), {"leader": leader.pk})
    client.post(reverse("audit_plan_send", args=[case.pk]))
    case.refresh_from_db()
    assert case.status == S.PLANNED
    bad = dict(plan, sampling_item=["9.9"])
    client.post(reverse("audit_plan", args=[case.pk]), bad)  # planned: refused, nothing changes
    assert case.audit.sampling == [{"item": "5.3.2.1", "size": 20, "what": "投诉"}]


def test_it_renders_the_case_panel_for_each_role(world):
    case = case_at(world, S.RECTIFICATION)
    template = Template('{% include "audits/_case_panel.html" %}')
    for persona, seen, hidden in [
        ("ent_admin", "岗位职责未发布", "audit_scoring"),
        ("auditor", "岗位职责未发布", None),
        ("reviewer", "岗位职责未发布", None),
    ]:
        request = RequestFactory().get("/")
        request.user = world["people"][persona]
        html = template.render(Context({"case": case, "request": request}))
        assert seen in html, persona
        if hidden:
            assert reverse("audit_scoring", args=[case.pk]) not in html


def test_it_refuses_a_decision_without_reasons_on_the_page(client, world):
    case = case_at(world, S.REPORTED)
    client.force_login(world["people"]["committee"])
    page = client.get(reverse("audit_decision", args=[case.pk])).content.decode()
    assert 'name="reasons"' in page
    response = client.post(reverse("audit_decision", args=[case.pk]), {"outcome": "approve", "reasons": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.REPORTED


def test_it_keeps_the_typed_plan_and_names_the_bad_row(client, world):
    case = contracted_case(world)
    client.force_login(world["people"]["reviewer"])
    plan = {
        "mode": "on_site",
        "start_date": "2026-12-07",
        "end_date": "2026-12-08",
        "sites": "总部",
        "sampling_item": ["5.3.2.1", "9.9"],
        "sampling_size": ["20", "5"],
        "sampling_what": ["投诉", "工单"],
    }
    response = client.post(reverse("audit_plan", args=[case.pk]), plan)
    html = response.content.decode()
    assert response.status_code == 400 and "9.9" in html and 'value="工单"' in html
    from aftersales.audits.models import Audit

    assert not Audit.objects.filter(case=case).exists()


def test_it_refuses_an_answer_with_a_bad_file_and_keeps_nothing(client, world):
    case = case_at(world, S.RECTIFICATION)
    nc = case.audit.findings.get()
    client.force_login(world["people"]["ent_member"])
    client.post(
        reverse("audit_finding_answer", args=[case.pk, nc.pk]),
        {"cause": "a", "correction": "b", "corrective_action": "c", "file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    nc.refresh_from_db()
    assert nc.state == "open" and nc.cause == "" and not nc.files.exists()


def surveillance_in_audit(world) -> Case:
    """A surveillance case of a certificate issued from a decided initial case (its report: every
    item conform, 5.1.1.1 with a rectified minor finding), brought to "audit" with no item scored."""
    from django.utils import timezone

    from aftersales.certificates.cycle import services as cycle
    from aftersales.certificates.models import Surveillance
    from aftersales.certification.review import contract_record
    from tests.certificates.factories import issued

    from .factories import auditor_of, plan_input

    p = world["people"]
    certificate = issued(world)
    first = Surveillance.objects.filter(certificate=certificate).order_by("cycle", "n").first()
    case = cycle.surveillance_open(surveillance=first, by=p["cb_admin"])
    today = timezone.localdate()
    contract_record(case=case, signed_on=today, signed_by="张伟", by=p["reviewer"])
    plan.audit_plan_save(case=case, plan=plan_input(start_date=today, end_date=today), by=p["reviewer"])
    plan.team_set(case=case, leader=auditor_of(world), members=[], by=p["reviewer"])
    plan.plan_send(case=case, by=p["reviewer"])
    steps.review_start(case=case, by=p["auditor"])
    steps.audit_start(case=case, by=p["auditor"])
    case.refresh_from_db()
    return case


def test_it_shows_the_last_audit_beside_each_item_of_a_surveillance(client, world, settings):
    from aftersales.core.scoring import RESULT_TEXT, ResultKind

    install_policy(settings, {"impartiality.max_consecutive_leads": 10**6})
    case = surveillance_in_audit(world)
    items = scheme_of(case.scheme_version).items
    client.force_login(world["people"]["auditor"])
    page = client.get(reverse("audit_scoring", args=[case.pk]))
    html = page.content.decode()
    assert html.count('class="last-audit"') == len(items)
    row = next(r["item"] for r in page.context["rows"] if "item" in r and r["item"]["node"].code == "5.1.1.1")
    conform = RESULT_TEXT[ResultKind.CONFORM]
    assert row["last_audit"]["text"] in {conform.get("en"), conform.get("zh-Hans")}
    assert row["last_audit"]["applicable"] == row["points"] and row["last_audit"]["earned"] == row["points"]
    assert f"{row['last_audit']['text']} · {row['points']} / {row['points']}" in html
    # scored differently now: the htmx partial marks it
    saved = client.post(
        reverse("audit_answer_save", args=[case.pk, "5.1.1.1"]),
        {"kind": "nonconform", "version": "0", "reason": "岗位职责未更新"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'class="last-audit differs"' in saved


def test_an_initial_case_has_no_last_audit(client, world):
    case = case_at(world, S.AUDIT)
    client.force_login(world["people"]["auditor"])
    page = client.get(reverse("audit_scoring", args=[case.pk]))
    assert page.context["last_audit"] is None and 'class="last-audit' not in page.content.decode()


def test_the_surveillance_scoring_page_reads_the_last_audit_in_one_query(client, world, settings):
    """One item with evidence and a finding vs every item scored with both: the same count, the
    last audit's report read once."""
    install_policy(settings, {"impartiality.max_consecutive_leads": 10**6})
    auditor = world["people"]["auditor"]
    case = surveillance_in_audit(world)
    url = reverse("audit_scoring", args=[case.pk])
    first, *rest = scheme_of(case.scheme_version).items
    scoring.audit_evidence_add(
        audit=case.audit, item_code=first.code, by=auditor, upload=SimpleUploadedFile(f"{first.code}.txt", b"r")
    )
    findings.finding_raise(audit=case.audit, item_code=first.code, grade="minor", description="x", by=auditor)
    client.force_login(auditor)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    score_all(case, auditor)
    for item in rest:
        scoring.audit_evidence_add(
            audit=case.audit, item_code=item.code, by=auditor, upload=SimpleUploadedFile(f"{item.code}.txt", b"r")
        )
        findings.finding_raise(audit=case.audit, item_code=item.code, grade="minor", description="x", by=auditor)
    with CaptureQueriesContext(connection) as full:
        assert client.get(url).status_code == 200
    assert len(full) == len(few)
    reports = [q["sql"] for q in full.captured_queries if '"audits_auditreport"' in q["sql"]]
    assert len(reports) == 1

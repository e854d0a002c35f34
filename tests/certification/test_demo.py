"""The demo: a case at every stage from draft to decision and a certificate in every status, all
chains intact, idempotent; and service records that tell each enterprise's story: records for
every enterprise, none dated after the load, KPIs that match its level (computed by the project's
KPI suite), products of its own trade.

The demo is loaded once for the module (`demo`); each test's own changes are rolled back after it,
the demo itself at the end of the module."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import models, transaction
from django.db.models import Max
from django.test import override_settings
from django.utils import timezone

from aftersales.accounts.models import Organisation
from aftersales.certificates.models import Certificate, CertificateEvent, Reminder, Surveillance
from aftersales.certificates.services import certificate_chain_breaks
from aftersales.certification.cases import case_chain_breaks
from aftersales.certification.models import Case, CaseEvent
from aftersales.core.records.kpi_defs import NO_COMMITMENT
from aftersales.demo import cases, certificates
from aftersales.demo.stories import KITCHEN, STORIES, TRADE_PRODUCTS
from aftersales.records.models import RECORD_MODELS, Complaint, ReturnVisit, StatusEvent, WorkOrder
from aftersales.records.selectors import kpi_report

# one worker takes the whole module, so the demo is loaded once (make test runs with --dist loadgroup)
pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.xdist_group("demo")]

HAICHUAN, JINCHENG, HENGTAI = "杭州海川家电有限公司", "成都锦程电器销售有限公司", "佛山市顺德区恒泰厨具有限公司"
# what a record plans rather than records: an appointment or a deadline may lie ahead
PLANNED = {"promised_arrival_at", "deadline_at"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """`load_demo` once, as `make demo` runs it; yields the moment it finished."""
    folder = tmp_path_factory.mktemp("demo")
    private = override_settings(  # what the autouse fixtures of tests/conftest.py set for a test
        MEDIA_ROOT=folder / "media",
        RECORDS_CACHE_DIR=folder / "records-cache",
        CERT_SIGNING_KEY_FILE=folder / "keys" / "certificate-signing.pem",
        PUBLIC_BASE_URL="http://testserver",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), private, transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield timezone.now()
        transaction.set_rollback(True)


def _kpis(name: str):
    return kpi_report(Organisation.objects.get(name=name), date_from=None, date_to=None)


def test_it_loads_cases_at_every_stage_once(demo, db):
    cases.load(stdout=io.StringIO())
    statuses = set(Case.objects.values_list("status", flat=True))
    # the audits demo takes the contracted cases further; together every stage is shown
    assert statuses == set(Case.Status.values)
    advanced = Case.objects.filter(enterprise__name__in=cases.DEMO_CONTRACTED).values_list("status", flat=True)
    assert sorted(advanced) == sorted(["decided", "reported", "rectification", "audit", "planned", "document_review"])
    assert all(case_chain_breaks(c) == [] for c in Case.objects.all())
    before = (Case.objects.count(), CaseEvent.objects.count())
    out = io.StringIO()
    cases.load(stdout=out)
    assert (Case.objects.count(), CaseEvent.objects.count()) == before
    assert "already loaded" in out.getvalue()
    # certificates: one in every status, each chain intact; loading again adds nothing
    assert set(Certificate.objects.values_list("status", flat=True)) == set(Certificate.Status.values)
    assert all(certificate_chain_breaks(c) == [] for c in Certificate.objects.all())
    events = CertificateEvent.objects.count()
    certificates.load(stdout=io.StringIO())
    assert CertificateEvent.objects.count() == events
    # the daily cycle job ran once: 鹏达's surveillances past due are missed, proposing suspension
    pengda = Certificate.objects.get(enterprise__name="深圳鹏达电器有限公司")
    overdue = pengda.surveillances.filter(due_by__lt=timezone.localdate())
    assert overdue.exists()  # issued 2024-09-02: the first was due by 2025-09-02
    assert set(overdue.values_list("state", "proposal_answer")) == {(Surveillance.State.MISSED, "")}
    assert Reminder.objects.filter(certificate=pengda, kind=Reminder.Kind.SURVEILLANCE_MISSED).exists()
    # load_demo again (cycle job included) changes nothing
    before = (
        CertificateEvent.objects.count(),
        Reminder.objects.count(),
        sorted(Surveillance.objects.values_list("pk", "state", "proposal_answer")),
        Case.objects.count(),
    )
    call_command("load_demo", stdout=io.StringIO())
    after = (
        CertificateEvent.objects.count(),
        Reminder.objects.count(),
        sorted(Surveillance.objects.values_list("pk", "state", "proposal_answer")),
        Case.objects.count(),
    )
    assert after == before


# ------------------------------------------------------------------------- the records' truth


def test_every_demo_enterprise_has_the_records_its_story_gives(demo, db):
    enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    assert set(enterprises.values_list("name", flat=True)) == set(STORIES)  # every one has a story
    with_case = set(Case.objects.values_list("enterprise__name", flat=True))
    with_certificate = set(Certificate.objects.values_list("enterprise__name", flat=True))
    assert with_case | with_certificate == set(STORIES)
    for org in enterprises:
        story = STORIES[org.name]
        counts = {kind: model.objects.filter(enterprise=org).count() for kind, model in RECORD_MODELS.items()}
        assert counts["work_order"] >= story.work_orders * 9 // 10, (org.name, counts)
        assert counts["complaint"] >= story.complaints * 9 // 10, (org.name, counts)
        assert counts["survey"] > 0, (org.name, counts)
        assert (counts["return_visit"] > 0) == (story.return_visits > 0), (org.name, counts)
    # the README: 佛山恒泰 has no return visits; 杭州海川 has a few thousand records
    assert not ReturnVisit.objects.filter(enterprise__name=HENGTAI).exists()
    assert sum(m.objects.filter(enterprise__name=HAICHUAN).count() for m in RECORD_MODELS.values()) > 5000


def test_no_record_is_dated_after_the_load(demo, db):
    checked = 0
    for model in (*RECORD_MODELS.values(), StatusEvent):
        for f in model._meta.get_fields():
            if isinstance(f, models.DateTimeField) and f.name not in PLANNED:
                latest = model.objects.aggregate(m=Max(f.name))["m"]
                assert latest is None or latest <= demo, (model.__name__, f.name, latest, demo)
                checked += latest is not None
    assert checked >= 9  # received (2), responded, arrived, completed, closed, visited, answered, status events
    # a work order completed or a complaint closed was received before; never after the load
    assert not WorkOrder.objects.filter(completed_at__lt=models.F("received_at")).exists()
    assert not Complaint.objects.filter(closed_at__lt=models.F("received_at")).exists()


def test_the_five_star_candidate_keeps_its_promises(demo, db):
    report = _kpis(HAICHUAN)
    for kpi_id in ("first_response_on_time", "arrival_on_time", "completion_on_time", "complaint_closure_on_time",
                   "promised_arrival_kept"):  # fmt: skip
        kpi = report.get(kpi_id)
        assert kpi.denominator >= 300 and kpi.value >= Decimal("0.95"), (kpi_id, kpi.value, kpi.denominator)
    assert report.get("first_time_fix_rate").value >= Decimal("0.90")
    assert report.get("complaint_closure_rate").value >= Decimal("0.95")
    assert report.get("return_visit_rate").value >= Decimal("0.80")
    assert report.get("csat").value >= Decimal("0.90")
    assert report.get("nps").value >= 60
    assert report.get("repeat_repair_30d").value <= Decimal("0.02")


def test_the_kpis_follow_the_three_stories(demo, db):
    hc, jc, ht = _kpis(HAICHUAN), _kpis(JINCHENG), _kpis(HENGTAI)
    for kpi_id in ("promised_arrival_kept", "first_time_fix_rate", "complaint_closure_rate", "csat", "nps"):
        assert hc.get(kpi_id).value > jc.get(kpi_id).value > ht.get(kpi_id).value, kpi_id
    assert hc.get("repeat_repair_30d").value < jc.get("repeat_repair_30d").value < ht.get("repeat_repair_30d").value
    for kpi_id in ("arrival_time", "resolution_time", "first_response_time", "complaint_closure_time"):
        assert hc.get(kpi_id).median < jc.get(kpi_id).median < ht.get(kpi_id).median, kpi_id
    # 三星 is middling against its own (looser) commitments; 恒泰 publishes none
    for kpi_id in ("first_response_on_time", "arrival_on_time", "completion_on_time", "complaint_closure_on_time"):
        assert Decimal("0.60") <= jc.get(kpi_id).value < Decimal("0.90") < hc.get(kpi_id).value, kpi_id
        assert ht.get(kpi_id).value is None and ht.get(kpi_id).missing_reason == NO_COMMITMENT
    assert hc.get("return_visit_rate").value > jc.get("return_visit_rate").value > ht.get("return_visit_rate").value
    assert ht.get("return_visit_rate").value == 0


def test_every_enterprise_services_the_products_of_its_trade(demo, db):
    for org in Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE):
        trade = TRADE_PRODUCTS[org.industry]
        products = set(WorkOrder.objects.filter(enterprise=org).values_list("product", flat=True))
        products |= set(Complaint.objects.filter(enterprise=org).values_list("product", flat=True))
        assert products == set(STORIES[org.name].products), org.name
        assert products <= trade, (org.name, org.industry, products - trade)
    # the kitchenware maker: range hoods, gas hobs, dishwashers…, never a TV or a washing machine
    hengtai = set(WorkOrder.objects.filter(enterprise__name=HENGTAI).values_list("product", flat=True))
    assert hengtai <= set(KITCHEN) and not hengtai & {"电视机", "洗衣机", "空调", "冰箱"}

"""The demo: a case at every stage from draft to decision and a certificate in every status, all
chains intact, idempotent."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from aftersales.certificates.models import Certificate, CertificateEvent, Reminder, Surveillance
from aftersales.certificates.services import certificate_chain_breaks
from aftersales.certification.cases import case_chain_breaks
from aftersales.certification.models import Case, CaseEvent
from aftersales.demo import cases, certificates

pytestmark = pytest.mark.django_db(transaction=False)


def test_it_loads_cases_at_every_stage_once(db):
    call_command("load_demo", stdout=io.StringIO())
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

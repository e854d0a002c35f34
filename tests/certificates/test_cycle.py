"""The certificate cycle across three years, with frozen time: surveillance reminders, a
surveillance done on time, one missed (suspension proposed, suspended, restored by a late audit),
recertification (decided before expiry, or never: expired by the job), idempotent job runs."""

from datetime import date

import pytest
from django.core import mail
from django.utils import translation

from aftersales.certificates import services, versions
from aftersales.certificates.cycle import job
from aftersales.certificates.cycle import services as cycle
from aftersales.certificates.models import Certificate, CertificateCase, Reminder, Surveillance
from aftersales.certificates.surveillance import surveillance_plan
from aftersales.certification.models import Case, Quotation, Review
from tests.policy import install_policy

from .cycle_factories import decide, on
from .factories import certificate_in, issued

pytestmark = pytest.mark.django_db
S = Certificate.Status
SV = Surveillance.State
ISSUED = date(2026, 1, 15)


@pytest.fixture(autouse=True)
def _english(settings):
    install_policy(settings, {"reminder_lead_days": [60, 30, 7]})
    with translation.override("en"):
        yield


@pytest.fixture
def people(world):
    for name, user in world["people"].items():
        user.email = f"{name}@example.com"
        user.save(update_fields=["email"])
    return world["people"]


@pytest.fixture
def certificate(world, people):
    with on(ISSUED):
        return issued(world, today=ISSUED)


def run(day: date) -> job.CycleReport:
    with on(day):
        return job.cycle_run(today=day)


def surveillances(certificate):
    return list(Surveillance.objects.filter(certificate=certificate).order_by("cycle", "n"))


def test_it_plans_two_surveillances_a_year_apart_when_issued(certificate):
    assert certificate.expires_on == date(2029, 1, 14)
    rows = [(s.cycle, s.n, s.window_opens, s.due_by, s.state) for s in surveillances(certificate)]
    assert rows == [
        (1, 1, date(2026, 10, 15), date(2027, 1, 15), SV.PLANNED),
        (1, 2, date(2027, 10, 15), date(2028, 1, 15), SV.PLANNED),
    ]
    assert certificate.events.filter(action="surveillance.planned").count() == 1
    # planning the same cycle again changes nothing
    assert surveillance_plan(certificate=certificate, cycle=1, decided_on=ISSUED) == surveillances(certificate)


def test_it_reminds_enterprise_and_cb_at_each_lead_time_once(certificate):
    assert run(date(2026, 11, 15)).reminders == []
    first = run(date(2026, 11, 16))  # 60 days before 2027-01-15
    assert sorted(first.reminders) == sorted(
        f"surveillance:{surveillances(certificate)[0].pk}:60:{who}" for who in ("ent", "cb")
    )
    assert {tuple(m.to) for m in mail.outbox} == {("ent_admin@example.com",), ("cb_admin@example.com",)}
    again = run(date(2026, 11, 16))
    assert again.quiet and len(mail.outbox) == 2
    assert run(date(2026, 11, 20)).quiet  # still the 60-day reminder: sent
    assert len(run(date(2026, 12, 20)).reminders) == 2  # the 30-day one (missed day 30 exactly: still sent)
    assert len(run(date(2027, 1, 8)).reminders) == 2
    assert Reminder.objects.filter(kind=Reminder.Kind.SURVEILLANCE_DUE).count() == 6
    assert all(r.sent_at for r in Reminder.objects.all())


def test_a_surveillance_done_on_time_confirms_the_certificate(world, certificate, people):
    first = surveillances(certificate)[0]
    with on(date(2026, 11, 20)):
        case = cycle.surveillance_open(surveillance=first, by=people["cb_admin"])
    assert (case.kind, case.status, case.previous.kind) == (Case.Kind.SURVEILLANCE, Case.Status.ACCEPTED, "initial")
    assert case.events.get().action == "case.opened" and case.events.get().to_status == Case.Status.ACCEPTED
    assert CertificateCase.objects.filter(certificate=certificate, case=case).exists()
    first.refresh_from_db()
    assert (first.state, first.case) == (SV.OPENED, case)
    quotation, review = Quotation.objects.get(case=case), Review.objects.get(case=case)
    assert quotation.man_days == review.man_days == 1  # the initial audit's 2 man-days × 1/3, rounded up
    assert cycle.baseline_for(case) == case.previous.audit.reports.get()
    with on(date(2026, 12, 10)):
        decision = decide(world, case)
        done = cycle.surveillance_decided(decision=decision, by=people["committee"])
    assert (done.state, done.done_on) == (SV.DONE, date(2026, 12, 10))
    certificate.refresh_from_db()
    assert (certificate.status, certificate.level, certificate.version_count) == (S.VALID, "five_star", 1)
    event = certificate.events.get(action="surveillance.confirmed")
    assert event.public and event.data["case"] == case.reference and event.data["late"] is False
    assert run(date(2027, 1, 16)).missed == []
    assert services.certificate_chain_breaks(certificate) == []


def test_a_surveillance_at_a_lower_level_makes_a_new_version(world, certificate, people):
    with on(date(2026, 11, 20)):
        case = cycle.surveillance_open(surveillance=surveillances(certificate)[0], by=people["cb_admin"])
    with on(date(2026, 12, 10)):
        # the committee's decision applies itself (decision_record calls the cycle in its transaction)
        decision = decide(world, case, outcome="approve_lower", level="four_star")
    certificate.refresh_from_db()
    assert (certificate.level, certificate.version_count, certificate.status) == ("four_star", 2, S.VALID)
    version = certificate.versions.get(seq=2)
    assert (version.reason, version.case, version.decision) == ("surveillance", case, decision)
    assert version.expires_on == date(2029, 1, 14)


def test_a_refused_surveillance_suspends_the_certificate(world, certificate, people):
    with on(date(2026, 11, 20)):
        case = cycle.surveillance_open(surveillance=surveillances(certificate)[0], by=people["cb_admin"])
    with on(date(2026, 12, 10)):
        decide(world, case, outcome="refuse", reasons="售后体系未有效运行")
    certificate.refresh_from_db()
    assert certificate.status == S.SUSPENDED
    assert certificate.events.get(action="certificate.suspended").reason == "售后体系未有效运行"


def test_a_missed_surveillance_proposes_suspension_and_a_late_audit_restores(world, certificate, people):
    first, second = surveillances(certificate)
    first.state = SV.DONE  # the first one is covered by its own test
    first.save()
    mail.outbox.clear()
    assert run(date(2028, 1, 15)).missed == []  # due by today: not missed yet
    report = run(date(2028, 1, 16))
    assert report.missed == [f"{certificate.number} 1.2"]
    second.refresh_from_db()
    assert (second.state, second.missed_on, second.proposal_answer) == (SV.MISSED, date(2028, 1, 16), "")
    proposal = Reminder.objects.get(key=f"missed:{second.pk}:cb")
    assert proposal.kind == Reminder.Kind.SURVEILLANCE_MISSED and proposal.recipients == ["cb_admin@example.com"]
    assert run(date(2028, 1, 16)).quiet and run(date(2028, 1, 17)).missed == []
    with pytest.raises(cycle.CycleRefused, match="Only an admin"):
        cycle.surveillance_proposal_answer(surveillance=second, answer="suspend", reason="x", by=people["reviewer"])
    with pytest.raises(cycle.CycleRefused, match="Reason"):
        cycle.surveillance_proposal_answer(surveillance=second, answer="suspend", reason=" ", by=people["cb_admin"])
    with pytest.raises(cycle.CycleRefused, match="Answer: choose suspend, waive"):
        cycle.surveillance_proposal_answer(surveillance=second, answer="maybe", reason="x", by=people["cb_admin"])
    with on(date(2028, 1, 20)):
        cycle.surveillance_proposal_answer(
            surveillance=second, answer="suspend", reason="监督审核未按期进行", by=people["cb_admin"]
        )
        with pytest.raises(cycle.CycleRefused, match="no open suspension proposal"):
            cycle.surveillance_proposal_answer(surveillance=second, answer="waive", reason="x", by=people["cb_admin"])
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_since) == (S.SUSPENDED, date(2028, 1, 20))
    # the late surveillance audit
    with on(date(2028, 2, 1)):
        case = cycle.surveillance_open(surveillance=second, by=people["cb_admin"])
    with on(date(2028, 2, 20)):
        decision = decide(world, case)
        cycle.surveillance_decided(decision=decision, by=people["committee"])
    certificate.refresh_from_db()
    second.refresh_from_db()
    assert (certificate.status, second.state, second.done_on) == (S.VALID, SV.DONE, date(2028, 2, 20))
    assert certificate.events.get(action="surveillance.confirmed").data["late"] is True
    assert certificate.events.filter(action="certificate.restored").count() == 1


def test_the_cb_may_waive_the_proposal(certificate, people):
    first, _ = surveillances(certificate)
    run(date(2027, 1, 16))
    first.refresh_from_db()
    with on(date(2027, 1, 18)):
        cycle.surveillance_proposal_answer(
            surveillance=first, answer="waive", reason="审核已安排，企业因疫情延期", by=people["cb_admin"]
        )
    first.refresh_from_db()
    certificate.refresh_from_db()
    assert (first.proposal_answer, certificate.status) == ("waived", S.VALID)
    assert certificate.events.filter(action="surveillance.proposal_waived", public=False).count() == 1


def test_opening_a_surveillance_is_refused_when_not_possible(world, certificate, people):
    first, _ = surveillances(certificate)
    with pytest.raises(cycle.CycleRefused, match="Only an admin"):
        cycle.surveillance_open(surveillance=first, by=people["reviewer"])
    with on(date(2026, 11, 20)):
        cycle.surveillance_open(surveillance=first, by=people["cb_admin"])
        with pytest.raises(cycle.CycleRefused, match="cannot be opened"):
            cycle.surveillance_open(surveillance=first, by=people["cb_admin"])
    assert Case.objects.filter(kind=Case.Kind.SURVEILLANCE).count() == 1


def test_opening_a_surveillance_of_a_dead_certificate_is_refused(world, people):
    dead = certificate_in(world, S.WITHDRAWN)
    with pytest.raises(cycle.CycleRefused, match="no surveillance audit"):
        cycle.surveillance_open(surveillance=surveillances(dead)[0], by=people["cb_admin"])


def test_recertification_opens_three_months_before_expiry(world, certificate, people):
    assert not [k for k in run(date(2028, 10, 13)).reminders if k.startswith("recertification")]
    keys = run(date(2028, 10, 14)).reminders
    assert sorted(k for k in keys if k.startswith("recertification")) == [
        f"recertification:{certificate.number}:2029-01-14:cb",
        f"recertification:{certificate.number}:2029-01-14:ent",
    ]
    with on(date(2028, 10, 13)), pytest.raises(cycle.CycleRefused, match="from 2028-10-14 until 2029-01-14"):
        cycle.recertification_open(certificate=certificate, by=people["ent_admin"])
    with pytest.raises(cycle.CycleRefused, match="Only the enterprise"):
        cycle.recertification_open(certificate=certificate, by=people["reviewer"], today=date(2028, 10, 20))
    with on(date(2028, 10, 20)):
        case = cycle.recertification_open(certificate=certificate, by=people["ent_admin"])
    assert (case.kind, case.status, case.previous.kind) == (Case.Kind.RECERTIFICATION, Case.Status.DRAFT, "initial")
    assert CertificateCase.objects.filter(certificate=certificate, case=case).exists()
    # a recertification under way: no expiry reminders
    assert not [k for k in run(date(2028, 11, 15)).reminders if k.startswith("expiry")]


def test_a_recertification_decided_before_expiry_renews_the_certificate(world, certificate, people):
    with on(date(2028, 10, 20)):
        case = cycle.recertification_open(certificate=certificate, by=people["ent_admin"])
    with on(date(2028, 12, 1)):
        decision = decide(world, case)
        renewed = versions.certificate_issue(decision=decision, by=people["cb_admin"])
    assert renewed.pk == certificate.pk
    assert (renewed.issued_on, renewed.expires_on, renewed.version_count) == (
        date(2028, 12, 1),
        date(2032, 1, 14),
        2,
    )
    cycle2 = [(s.n, s.due_by) for s in surveillances(certificate) if s.cycle == 2]
    assert cycle2 == [(1, date(2030, 1, 15)), (2, date(2031, 1, 15))]
    assert run(date(2029, 1, 15)).expired == []
    certificate.refresh_from_db()
    assert certificate.status == S.VALID


def test_nothing_done_the_job_expires_the_certificate_the_day_after_expiry(certificate):
    run(date(2028, 1, 16))  # both surveillances missed by now
    assert run(date(2029, 1, 14)).expired == []
    mail.outbox.clear()
    report = run(date(2029, 1, 15))
    assert report.expired == [certificate.number]
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_since) == (S.EXPIRED, date(2029, 1, 15))
    assert {r.key for r in Reminder.objects.filter(kind=Reminder.Kind.EXPIRED)} == {
        f"expired:{certificate.number}:2029-01-14:ent",
        f"expired:{certificate.number}:2029-01-14:cb",
    }
    assert len(mail.outbox) == 2
    assert run(date(2029, 1, 15)).quiet and run(date(2029, 1, 16)).quiet
    assert len(mail.outbox) == 2
    assert services.certificate_chain_breaks(certificate) == []


def test_the_job_cancels_planned_surveillances_of_dead_certificates(world, people):
    with on(ISSUED):
        certificate = issued(world, today=ISSUED)
        services.certificate_suspend(certificate=certificate, reason="违规使用标志", by=people["cb_admin"])
        services.certificate_withdraw(certificate=certificate, reason="暂停期间未整改", by=people["cb_admin"])
    certificate.refresh_from_db()
    head = certificate.head_hash
    report = run(date(2026, 2, 1))
    assert len(report.cancelled) == 2
    assert {s.state for s in surveillances(certificate)} == {SV.CANCELLED}
    # an event (not public) moves the head: the registry's answers showing the next surveillance are stale
    certificate.refresh_from_db()
    last = certificate.events.order_by("-seq").first()
    assert (last.action, last.public, last.data["surveillances"]) == ("surveillance.cancelled", False, ["1.1", "1.2"])
    assert certificate.head_hash == last.hash != head
    assert services.certificate_chain_breaks(certificate) == []
    assert run(date(2026, 2, 2)).cancelled == []


def test_expiry_reminders_go_out_at_the_lead_times(certificate):
    keys = run(date(2028, 11, 15)).reminders  # 60 days before 2029-01-14
    assert sorted(k for k in keys if k.startswith("expiry")) == [
        f"expiry:{certificate.number}:2029-01-14:60:cb",
        f"expiry:{certificate.number}:2029-01-14:60:ent",
    ]


def test_a_decision_on_another_kind_of_case_is_not_the_cycle_s(world, certificate, people):
    decision = certificate.versions.get().decision
    assert cycle.surveillance_decided(decision=decision, by=people["committee"]) is None


def test_applying_a_surveillance_decision_twice_is_harmless(world, certificate, people):
    with on(date(2026, 11, 20)):
        case = cycle.surveillance_open(surveillance=surveillances(certificate)[0], by=people["cb_admin"])
    with on(date(2026, 12, 10)):
        decision = decide(world, case)
        first = cycle.surveillance_decided(decision=decision, by=people["committee"])
        second = cycle.surveillance_decided(decision=decision, by=people["committee"])
    assert first.pk == second.pk and second.state == SV.DONE
    assert certificate.events.filter(action="surveillance.confirmed").count() == 1


def test_only_one_surveillance_case_is_open_at_a_time(certificate, people):
    first, second = surveillances(certificate)
    with on(date(2026, 11, 20)):
        case = cycle.surveillance_open(surveillance=first, by=people["cb_admin"])
        with pytest.raises(cycle.CycleRefused, match=f"open surveillance case {case.reference}"):
            cycle.surveillance_open(surveillance=second, by=people["cb_admin"])


def test_a_failed_surveillance_of_a_suspended_certificate_is_recorded(world, certificate, people):
    with on(date(2026, 11, 20)):
        case = cycle.surveillance_open(surveillance=surveillances(certificate)[0], by=people["cb_admin"])
        services.certificate_suspend(certificate=certificate, reason="违规使用标志", by=people["cb_admin"])
    with on(date(2026, 12, 10)):
        decision = decide(world, case, outcome="refuse", reasons="整改未完成")
        cycle.surveillance_decided(decision=decision, by=people["committee"])
    certificate.refresh_from_db()
    assert certificate.status == S.SUSPENDED
    assert certificate.events.get(action="surveillance.failed").reason == "整改未完成"
    assert certificate.events.filter(action="certificate.restored").count() == 0


def test_recertification_of_a_dead_certificate_is_refused(world, people):
    dead = certificate_in(world, S.CANCELLED)
    with pytest.raises(cycle.CycleRefused, match="only a live certificate"):
        cycle.recertification_open(certificate=dead, by=people["cb_admin"], today=dead.expires_on)


def test_a_second_recertification_application_is_refused(certificate, people):
    with on(date(2028, 10, 20)):
        case = cycle.recertification_open(certificate=certificate, by=people["ent_admin"])
        with pytest.raises(cycle.CycleRefused, match=case.reference):
            cycle.recertification_open(certificate=certificate, by=people["cb_admin"])


def test_a_mail_that_fails_is_sent_again_by_the_next_run(certificate, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr("aftersales.certificates.notify.send_mail", broken)
    assert len(run(date(2026, 11, 16)).reminders) == 2
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 2
    monkeypatch.undo()
    assert run(date(2026, 11, 17)).retried == 2
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 0
    assert len(mail.outbox) == 2


def test_a_late_audit_does_not_lift_a_suspension_for_another_reason(world, certificate, people):
    first, _ = surveillances(certificate)
    with on(date(2026, 12, 1)):
        services.certificate_suspend(certificate=certificate, reason="违规使用标志", by=people["cb_admin"])
    run(date(2027, 1, 16))
    first.refresh_from_db()
    with on(date(2027, 1, 17)):
        cycle.surveillance_proposal_answer(surveillance=first, answer="suspend", reason="仍暂停", by=people["cb_admin"])
        case = cycle.surveillance_open(surveillance=first, by=people["cb_admin"])
    first.refresh_from_db()
    assert first.proposal_answer == "suspended"
    assert certificate.events.filter(action="surveillance.proposal_answered").count() == 1
    with on(date(2027, 2, 10)):
        cycle.surveillance_decided(decision=decide(world, case), by=people["committee"])
    certificate.refresh_from_db()
    assert certificate.status == S.SUSPENDED

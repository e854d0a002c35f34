"""Issuing, versions and the status chain of certificates."""

from datetime import date

import pytest
from django.utils import translation

from aftersales.certificates import services, versions
from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion
from aftersales.certificates.payload import version_payload
from aftersales.certificates.signing import published_keys, signature_valid
from aftersales.certification.models import Case
from aftersales.core.certnumber import number_valid

from .factories import certificate_in, decided, issued, new_enterprise

pytestmark = pytest.mark.django_db
S = Certificate.Status


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_it_issues_a_signed_certificate_from_an_approving_decision(world):
    certificate = issued(world, today=date(2026, 3, 1))
    assert number_valid(certificate.number) and certificate.number.startswith("ASC26SC")
    assert (certificate.status, certificate.level) == (S.VALID, "five_star")
    assert (certificate.issued_on, certificate.expires_on) == (date(2026, 3, 1), date(2029, 2, 28))
    assert certificate.name == "甲企业" and certificate.name_pinyin == "jiaqiye" and certificate.name_initials == "jqy"
    version = certificate.versions.get()
    assert version.reason == CertificateVersion.Reason.ISSUE and version.scheme_id == "gbt27922-2011"
    application = version.case.application
    assert version.sites == [{"name": s.name, "address": s.address} for s in application.sites.all()]
    assert version.sites and version.scope.splitlines()[0] == application.product_list[0]
    key = {k["kid"]: k["x"] for k in published_keys()}[version.key_id]
    assert signature_valid(version.payload, version.signature, key)
    assert not signature_valid({**version.payload, "level": "qualified"}, version.signature, key)
    assert services.certificate_chain_breaks(certificate) == []
    case = version.case
    assert case.events.filter(action="certificate.issued").exists()


def test_it_numbers_certificates_of_a_year_one_after_another(world):
    first = issued(world, today=date(2026, 3, 1))
    second = issued(world, enterprise=new_enterprise(), today=date(2026, 3, 2))
    assert first.number[:-1] == "ASC26SC00001" and second.number[:-1] == "ASC26SC00002"


def test_it_refuses_a_second_certificate_from_one_decision(world):
    decision = decided(world)
    versions.certificate_issue(decision=decision, by=world["people"]["cb_admin"])
    with pytest.raises(services.CertificateRefused, match="already issued"):
        versions.certificate_issue(decision=decision, by=world["people"]["cb_admin"])
    assert Certificate.objects.count() == 1


def test_it_issues_at_the_lower_level_the_committee_approved(world):
    certificate = issued(world, level="three_star")
    assert certificate.level == "three_star" and certificate.versions.get().level == "three_star"


def test_it_refuses_a_refusing_decision(world):
    from aftersales.audits import decisions
    from tests.audits.factories import case_at

    case = case_at(world, "reported")
    decision = decisions.decision_record(
        no_conflict=True, case=case, outcome="refuse", reasons="不符合", by=world["people"]["committee"]
    )
    with pytest.raises(services.CertificateRefused, match="does not approve"):
        versions.certificate_issue(decision=decision, by=world["people"]["cb_admin"])
    assert not Certificate.objects.exists()


def test_a_change_is_a_new_signed_version_and_the_old_one_stays(world):
    certificate = issued(world)
    v2 = versions.certificate_change(
        certificate=certificate, by=world["people"]["cb_admin"], reason="address", note="迁址", address="杭州市滨江区"
    )
    assert v2.seq == 2 and v2.address == "杭州市滨江区" and v2.level == "five_star"
    assert certificate.versions.get(seq=1).address != "杭州市滨江区"
    event = certificate.events.get(action="certificate.changed")
    assert event.data["changed"]["address"][1] == "杭州市滨江区"
    with pytest.raises(services.CertificateRefused, match="Nothing would change"):
        versions.certificate_change(
            certificate=certificate, by=world["people"]["cb_admin"], reason="address", note="x", address="杭州市滨江区"
        )
    with pytest.raises(ValueError, match="immutable"):
        v2.save()


@pytest.mark.parametrize("status", [S.SUSPENDED, S.WITHDRAWN, S.CANCELLED, S.EXPIRED])
def test_it_reaches_every_status_through_the_services(world, status):
    certificate = certificate_in(world, status)
    assert certificate.status == status
    assert services.certificate_chain_breaks(certificate) == []


def test_it_refuses_a_transition_the_machine_does_not_allow_and_writes_nothing(world):
    certificate = certificate_in(world, S.WITHDRAWN)
    events = CertificateEvent.objects.count()
    with pytest.raises(services.CertificateRefused, match="withdrawn"):
        services.certificate_suspend(certificate=certificate, reason="x", by=world["people"]["cb_admin"])
    assert CertificateEvent.objects.count() == events


def test_it_expires_only_after_the_last_valid_day(world):
    certificate = issued(world, today=date(2026, 3, 1))
    with pytest.raises(services.CertificateRefused, match="does not expire yet"):
        services.certificate_expire(certificate=certificate, today=date(2029, 2, 28))
    services.certificate_expire(certificate=certificate, today=date(2029, 3, 1))
    certificate.refresh_from_db()
    assert certificate.status == S.EXPIRED and certificate.status_since == date(2029, 3, 1)


def test_a_tampered_event_breaks_the_chain(world):
    certificate = certificate_in(world, S.SUSPENDED)
    CertificateEvent.objects.filter(certificate=certificate, seq=2).update(reason="nothing happened")
    assert [b.seq for b in services.certificate_chain_breaks(certificate)] == [2]


def test_the_payload_covers_what_the_certificate_states():
    payload = version_payload(
        number="ASC26SC000011",
        seq=1,
        enterprise_name="甲",
        credit_code="",
        address="a",
        scope="s",
        sites=[{"name": "n", "address": "b", "kind": "own"}],
        scheme_id="x",
        scheme_version="1",
        scheme_sha256="0" * 64,
        level="five_star",
        score="95.00",
        cb_name="cb",
        first_issued_on=date(2026, 1, 1),
        issued_on=date(2026, 1, 1),
        expires_on=date(2028, 12, 31),
        valid_from=date(2026, 1, 1),
    )
    assert payload["sites"] == [{"name": "n", "address": "b"}]
    assert payload["registry_url"].endswith("/registry/ASC26SC000011/")


def test_it_recertifies_as_a_new_version_of_the_same_certificate(world):
    from aftersales.certificates.models import CertificateCase

    certificate = issued(world, today=date(2026, 3, 1))
    decision = decided(world)
    case = decision.case
    Case.objects.filter(pk=case.pk).update(kind=Case.Kind.RECERTIFICATION, previous=certificate.versions.get().case)
    case.refresh_from_db()
    decision.case = case
    versions.certificate_issue(decision=decision, by=world["people"]["cb_admin"], today=date(2028, 12, 1))
    certificate.refresh_from_db()
    assert certificate.version_count == 2 and certificate.first_issued_on == date(2026, 3, 1)
    assert (certificate.issued_on, certificate.expires_on) == (date(2028, 12, 1), date(2032, 2, 29))
    assert CertificateCase.objects.filter(certificate=certificate).count() == 2

"""An enterprise that holds a live certificate under the scheme is refused a new initial
certification when it opens the case and when it submits it, with the way on offered: the
certificate page, where recertification is opened (in its window) and a change asked for
(issue 23 §2). The level a certificate states beside a score of a higher band is explained."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from aftersales.certificates.holding import CertificateHeld
from aftersales.certificates.models import Certificate
from aftersales.certificates.versions import certificate_issue
from aftersales.certification import services
from aftersales.certification.models import Case
from aftersales.registry.presenters import entry_json
from aftersales.registry.selectors import registry_entry
from tests.audits.factories import case_at
from tests.certification.helpers import make_case

from .factories import _application, issued

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_opening_an_initial_case_is_refused_to_a_holder_with_the_way_on(world):
    certificate = issued(world)
    with pytest.raises(CertificateHeld) as info:
        services.case_open(
            enterprise=world["enterprise"], cb=world["cb"], scheme_version=world["gbt"], by=world["people"]["ent_admin"]
        )
    assert certificate.number in str(info.value) and "recertification" in str(info.value)
    _label, url = info.value.offer
    assert url == reverse("certificate_detail", args=[certificate.number]) + "#cycle"
    assert not Case.objects.filter(kind=Case.Kind.INITIAL, status=Case.Status.DRAFT).exists()


def test_submitting_an_initial_case_is_refused_once_a_certificate_is_held(world):
    draft = make_case(world, direct=True)  # opened before the certificate was issued
    issued(world)
    with pytest.raises(CertificateHeld):
        services.application_submit(case=draft, by=world["people"]["ent_admin"])
    draft.refresh_from_db()
    assert draft.status == Case.Status.DRAFT


def test_the_new_case_page_links_to_the_certificate_from_the_refusal(client, world):
    certificate = issued(world)
    client.force_login(world["people"]["ent_admin"])
    response = client.post(reverse("case_new"), {"cb": world["cb"].pk, "scheme": world["gbt"].pk})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'href="/certificates/{certificate.number}/#cycle"' in page and "refusal-offer" in page


def test_the_certificate_page_offers_recertification_in_its_window_and_it_starts(client, world):
    certificate = issued(world, today=date(2026, 1, 10))
    client.force_login(world["people"]["ent_admin"])
    page = client.get(reverse("certificate_detail", args=[certificate.number])).content.decode()
    assert 'id="certificate-change-path"' in page
    assert reverse("cycle_recertification_open", args=[certificate.number]) not in page  # window not open
    in_window = datetime(2028, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(in_window, tick=False):
        client.force_login(world["people"]["ent_admin"])
        page = client.get(reverse("certificate_detail", args=[certificate.number])).content.decode()
        assert reverse("cycle_recertification_open", args=[certificate.number]) in page
        client.post(reverse("cycle_recertification_open", args=[certificate.number]))
    assert Case.objects.filter(kind=Case.Kind.RECERTIFICATION, enterprise=world["enterprise"]).exists()


def test_issuing_the_certificate_asks_for_confirmation(client, world):
    case = case_at(world, Case.Status.DECIDED)
    _application(case, world["people"]["ent_admin"])
    client.force_login(world["people"]["cb_admin"])
    url = reverse("case_certificate_issue", args=[case.pk])
    response = client.post(url)
    assert response.status_code == 200 and 'name="confirm" value="yes"' in response.content.decode()
    assert not Certificate.objects.filter(enterprise=world["enterprise"]).exists()
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302 and "/certificates/" in response["Location"]


def test_a_level_below_the_scores_band_is_explained_on_the_public_record(world):
    from aftersales.audits import decisions, reporting

    case = case_at(world, Case.Status.AUDIT, with_nc=False)
    reporting.report_issue(
        case=case,
        conclusion="有效",
        recommended_level="qualified",
        recommendation_reason="企业只申请达标级",
        by=world["people"]["auditor"],
    )
    decision = decisions.decision_record(
        case=case, outcome="approve", reasons="同意", by=world["people"]["committee"], no_conflict=True
    )
    _application(case, world["people"]["ent_admin"])
    certificate = certificate_issue(decision=decision, by=world["people"]["cb_admin"])
    version = certificate.versions.get()
    assert version.level == "qualified" and version.payload["level_reason"] == "企业只申请达标级"
    data = entry_json(registry_entry(certificate.number), as_of="now")
    assert data["level"] == "qualified" and data["level_reason"] == "企业只申请达标级"


def test_a_level_the_score_reaches_carries_no_explanation(world):
    certificate = issued(world)
    assert "level_reason" not in certificate.versions.get().payload

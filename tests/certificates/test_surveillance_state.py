"""A surveillance past its date reads the same everywhere (issue 23 §3): the cycle page, the CB's
certificate list and page, the certificates API, the registry page, its JSON and the verification
page all ask core.cycle.surveillance_state; the daily job moves the head of a certificate whose
surveillance passed its date, so the registry publishes it again; a certificate suspended already
is offered withdrawal, not a second suspension."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from aftersales.certificates import services
from aftersales.certificates.cycle import job
from aftersales.certificates.cycle import services as cycle
from aftersales.certificates.cycle.selectors import cycle_lists
from aftersales.certificates.models import Certificate, Surveillance
from aftersales.core.cycle import surveillance_state
from aftersales.ops.daily import daily_run
from aftersales.registry.models import Publication

from .cycle_factories import on
from .factories import issued, new_enterprise

pytestmark = pytest.mark.django_db
SV = Surveillance.State
ISSUED = date(2026, 1, 15)
DUE = date(2027, 1, 15)  # the first surveillance of a certificate issued on ISSUED


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def certificate(world):
    with on(ISSUED):
        return issued(world, today=ISSUED)


def missed(certificate, day: date = DUE + timedelta(days=1)):
    with on(day):
        job.cycle_run(today=day)
    return Surveillance.objects.get(certificate=certificate, cycle=1, n=1)


def registry_json(client, number: str) -> dict:
    return json.loads(client.get(f"/api/registry/{number}").content)


def test_the_cycle_lists_hold_exactly_the_rows_the_rule_finds_due_or_late(world, certificate):
    first = Surveillance.objects.get(certificate=certificate, n=1)
    for day in (first.window_opens - timedelta(days=1), first.window_opens, DUE, DUE + timedelta(days=1)):
        lists = cycle_lists(world["cb"], day)
        for s in Surveillance.objects.filter(certificate=certificate):
            state = surveillance_state([s], day)
            assert (s in lists["due"]) == (state.standing == "due" and state.window_open), (day, s)
            assert (s in lists["overdue"]) == state.late, (day, s)
    missed(certificate)
    first.refresh_from_db()
    assert first in cycle_lists(world["cb"], DUE + timedelta(days=2))["overdue"]
    assert surveillance_state([first], DUE + timedelta(days=2)).standing == "missed"


def test_a_missed_surveillance_is_overdue_with_its_date_on_every_page(client, world, certificate):
    """The 北京京华 case: missed on the cycle page, yet "next due" a year later everywhere else."""
    missed(certificate)
    later, due = (DUE + timedelta(days=5)), DUE.isoformat()
    next_year = (DUE.replace(year=DUE.year + 1)).isoformat()
    with on(later):  # signed in on the day (a session does not last a year)
        client.force_login(world["people"]["cb_admin"])
        cycle_page = client.get(reverse("cycle_dashboard"))
        listing = client.get(reverse("certificate_list"))
        detail = client.get(reverse("certificate_detail", args=[certificate.number]))
        api_list = client.get("/api/certificates/").json()
        client.logout()
        data = registry_json(client, certificate.number)
        page = client.get(f"/registry/{certificate.number}/?lang=en").content.decode()
        verify = client.get(reverse("registry_verify", args=[certificate.number])).content.decode()
        found = client.get(reverse("registry_search"), {"q": certificate.number, "lang": "en"}).content.decode()
    row = cycle_page.context["o"].overdue[0]
    assert (row.standing.standing, row.standing.due_by, row.standing.proposal) == ("missed", DUE, "pending")
    for html in (listing.content.decode(), detail.content.decode()):
        assert f"was due by {due}" in html and 'data-standing="missed"' in html and 'data-proposal="pending"' in html
        assert next_year not in html.split("cert-surveillances")[0]  # the table of all surveillances lists it
    (mine,) = [c for c in api_list if c["number"] == certificate.number]
    assert (mine["surveillance_state"], mine["next_surveillance_due"], mine["suspension_proposal"]) == (
        "missed",
        due,
        "pending",
    )
    assert data["status"] == "valid"
    assert data["surveillance"]["state"] == "overdue" and data["surveillance"]["next_due"] == due
    for html in (page, verify, found):  # the search's row too
        assert f"was due by {due}" in html and 'data-state="overdue"' in html and next_year not in html
    assert "proposal" not in json.dumps(data) and "pending" not in page  # the proposal is the CB's


def test_the_holder_sees_the_overdue_surveillance_but_not_the_cb_s_proposal(client, world, certificate):
    missed(certificate)
    with on(DUE + timedelta(days=3)):
        client.force_login(world["people"]["ent_admin"])
        html = client.get(reverse("certificate_detail", args=[certificate.number])).content.decode()
        (mine,) = [c for c in client.get("/api/certificates/").json() if c["number"] == certificate.number]
    assert f"was due by {DUE.isoformat()}" in html and "data-proposal" not in html
    assert (mine["surveillance_state"], mine["suspension_proposal"]) == ("missed", None)


def test_the_daily_job_republishes_the_certificates_whose_surveillance_passed_its_date(
    client, world, certificate, django_capture_on_commit_callbacks
):
    with on(ISSUED + timedelta(days=40)):
        quiet = issued(world, enterprise=new_enterprise(), today=ISSUED + timedelta(days=40))
    with on(DUE):
        daily_run(today=DUE)
        assert registry_json(client, certificate.number)["surveillance"]["state"] == "due"
        assert registry_json(client, quiet.number)["surveillance"]["state"] == "due"  # read: rendered, stored
        kept = {p.key: (p.stamp, p.published_at) for p in Publication.objects.filter(certificate=quiet)}
    assert kept  # published, and left alone below
    day = DUE + timedelta(days=1)
    with on(day), django_capture_on_commit_callbacks(execute=True):
        report, _ = daily_run(today=day)
    assert report.missed == [f"{certificate.number} 1.1"]
    certificate.refresh_from_db()
    fresh = Publication.objects.filter(certificate=certificate)
    assert fresh.filter(key__startswith="json").exists() and {p.stamp for p in fresh} == {certificate.head_hash}
    assert {p.key: (p.stamp, p.published_at) for p in Publication.objects.filter(certificate=quiet)} == kept
    with on(day):
        data = registry_json(client, certificate.number)
        page = client.get(f"/registry/{certificate.number}/?lang=en").content.decode()
    assert (data["surveillance"]["state"], data["surveillance"]["next_due"]) == ("overdue", DUE.isoformat())
    assert f"was due by {DUE.isoformat()}" in page


def test_a_suspended_certificate_is_offered_withdrawal_not_a_second_suspension(client, world, certificate):
    by = world["people"]["cb_admin"]
    with on(ISSUED + timedelta(days=100)):
        services.certificate_suspend(certificate=certificate, reason="标志使用不当", by=by)
    s = missed(certificate)
    with on(DUE + timedelta(days=400)):  # suspended for more than 13 months
        client.force_login(by)
        html = client.get(reverse("cycle_dashboard")).content.decode()
        assert 'value="withdraw"' in html and 'value="keep"' in html and 'value="suspend"' not in html
        url = reverse("cycle_proposal_answer", args=[s.pk])
        client.post(url, {"answer": "withdraw", "reason": "暂停期间未完成监督审核"})
    certificate.refresh_from_db()
    s.refresh_from_db()
    assert (certificate.status, s.proposal_answer) == (Certificate.Status.WITHDRAWN, "withdrawn")
    assert certificate.events.filter(action="certificate.withdrawn", public=True).count() == 1


def test_withdrawal_or_keeping_answers_only_a_suspended_certificate_s_proposal(world, certificate):
    s = missed(certificate)
    for answer in ("withdraw", "keep"):
        with pytest.raises(cycle.CycleRefused, match="only a suspended certificate"):
            cycle.surveillance_proposal_answer(
                surveillance=s, answer=answer, reason="x", by=world["people"]["cb_admin"]
            )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_keeping_a_suspension_notes_the_answer_and_changes_nothing_else(world, certificate):
    by = world["people"]["cb_admin"]
    with on(ISSUED + timedelta(days=100)):
        services.certificate_suspend(certificate=certificate, reason="标志使用不当", by=by)
    s = missed(certificate)
    with on(DUE + timedelta(days=3)):
        cycle.surveillance_proposal_answer(surveillance=s, answer="keep", reason="维持暂停", by=by)
    certificate.refresh_from_db()
    s.refresh_from_db()
    assert (certificate.status, s.proposal_answer) == (Certificate.Status.SUSPENDED, "suspended")
    assert surveillance_state([s], DUE + timedelta(days=3)).proposal == "suspended"

"""case_for and cases_visible_to: who sees a case, who may write, 404 vs 403."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from aftersales.accounts.models import Organisation, Role, User
from aftersales.accounts.services import membership_grant, organisation_create
from aftersales.certification import access
from aftersales.certification.access import case_for, cases_visible_to
from aftersales.certification.cases import case_transition
from aftersales.certification.models import Case

from .helpers import make_case

pytestmark = pytest.mark.django_db


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def sees(user, case) -> bool:
    try:
        case_for(request_as(user), case.pk)
    except Http404:
        return False
    return True


def to_reported(case):
    for to in ("contracted", "planned", "document_review", "audit", "reported"):
        if case.status != to:
            case_transition(case=case, to=to, action=f"test.{to}", by_label="test")


def test_it_shows_a_case_to_its_enterprise_and_the_cb_reviewers_only(world):
    case = make_case(world, Case.Status.SUBMITTED)
    p = world["people"]
    assert {name for name, user in p.items() if sees(user, case)} == {"ent_admin", "ent_member", "cb_admin", "reviewer"}
    assert set(cases_visible_to(p["reviewer"])) == {case}
    assert set(cases_visible_to(p["auditor"])) == set()
    assert set(cases_visible_to(p["other_admin"])) == set()


def test_it_hides_a_case_from_another_cbs_staff(world):
    case = make_case(world, Case.Status.SUBMITTED)
    other_cb = organisation_create(kind=Organisation.Kind.CERTIFICATION_BODY, name="另一机构", by_label="t")
    stranger = User.objects.create_user(username="stranger", password="x-pass-12345")
    membership_grant(user=stranger, organisation=other_cb, role=Role.CB_ADMIN, by_label="t")
    assert not sees(stranger, case)
    assert list(cases_visible_to(stranger)) == []


def test_it_shows_the_committee_only_reported_cases(world):
    case = make_case(world, Case.Status.ACCEPTED)
    committee = world["people"]["committee"]
    assert not sees(committee, case)
    to_reported(case)
    assert sees(committee, case)
    assert list(cases_visible_to(committee)) == [case]
    case_for(request_as(committee), case.pk, write=access.WRITE_DECIDE)


def test_it_shows_auditors_only_the_cases_of_their_team(world, monkeypatch):
    mine, other = make_case(world, Case.Status.ACCEPTED), make_case(world, Case.Status.SUBMITTED, direct=True)
    auditor = world["people"]["auditor"]
    monkeypatch.setattr(
        access,
        "team_case_ids",
        lambda user: (
            Case.objects.filter(pk=mine.pk).values_list("pk", flat=True)
            if user == auditor
            else Case.objects.none().values_list("pk", flat=True)
        ),
    )
    assert sees(auditor, mine) and not sees(auditor, other)
    assert not sees(world["people"]["auditor_other"], mine)
    assert list(cases_visible_to(auditor)) == [mine]
    case_for(request_as(auditor), mine.pk, write=access.WRITE_AUDIT)
    with pytest.raises(PermissionDenied):
        case_for(request_as(auditor), mine.pk, write=access.WRITE_REVIEW)


@pytest.mark.parametrize(
    ("persona", "write", "allowed"),
    [
        ("ent_admin", access.WRITE_ENTERPRISE_ADMIN, True),
        ("ent_member", access.WRITE_ENTERPRISE_ADMIN, False),
        ("ent_member", access.WRITE_ENTERPRISE, True),
        ("reviewer", access.WRITE_ENTERPRISE, False),
        ("reviewer", access.WRITE_REVIEW, True),
        ("cb_admin", access.WRITE_REVIEW, True),
        ("ent_admin", access.WRITE_REVIEW, False),
        ("cb_admin", access.WRITE_AUDIT, False),
        ("reviewer", access.WRITE_DECIDE, False),
    ],
)
def test_it_answers_403_to_a_viewer_without_the_role(world, persona, write, allowed):
    case = make_case(world, Case.Status.SUBMITTED)
    request = request_as(world["people"][persona])
    if allowed:
        assert case_for(request, case.pk, write=write) == case
    else:
        with pytest.raises(PermissionDenied):
            case_for(request, case.pk, write=write)


def test_it_answers_404_before_403_to_outsiders(world):
    case = make_case(world, Case.Status.SUBMITTED)
    with pytest.raises(Http404):
        case_for(request_as(world["people"]["other_admin"]), case.pk, write=access.WRITE_ENTERPRISE)
    with pytest.raises(Http404):
        case_for(request_as(world["people"]["auditor"]), case.pk, write=access.WRITE_REVIEW)
    with pytest.raises(Http404):
        case_for(request_as(world["people"]["ent_admin"]), 999999)

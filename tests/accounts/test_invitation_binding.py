"""Invitations are bound to the invited address, and one account never holds roles on both sides
(an enterprise and a certification body): issue 21, item 6."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aftersales.accounts import services
from aftersales.accounts.models import Invitation, Membership, Role, User
from aftersales.events.models import Event

pytestmark = pytest.mark.django_db

STURDY = "Sturdy-pass-2026"


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def invite_to_committee(world, email):
    return services.invitation_create(
        organisation=world["cb"],
        email=email,
        role=Role.COMMITTEE,
        by=world["people"]["cb_admin"],
        site_url="http://testserver",
    )


def test_a_link_sent_to_one_address_cannot_be_accepted_by_another_account(client, world):
    """The probe: the applicant's admin used a committee invitation meant for someone else."""
    admin = world["people"]["ent_admin"]
    admin.email = "admin@jia.cn"
    admin.save()
    invitation, token = invite_to_committee(world, "expert@cb.cn")
    client.force_login(admin)
    url = reverse("invitation_accept", args=[token])
    page = client.get(url).content.decode()
    assert "expert@cb.cn" in page and "admin@jia.cn" in page and "Log out" in page
    assert 'class="button">Join' not in page  # no button to accept
    refused = client.post(url)
    assert refused.status_code == 403
    assert "This invitation was sent to expert@cb.cn" in refused.content.decode()
    assert not Membership.objects.filter(user=admin, organisation=world["cb"]).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # still usable by the invited person


def test_the_service_refuses_another_address_too(world):
    invitation, _token = invite_to_committee(world, "expert@cb.cn")
    stranger = User.objects.create_user(username="stranger", password=STURDY, email="")
    with pytest.raises(ValidationError, match=r"sent to expert@cb\.cn"):
        services.invitation_accept(invitation=invitation, user=stranger)
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_enterprise_member_cannot_join_the_certification_body(client, world):
    """Even with the invitation sent to her own address: one account is on one side only."""
    admin = world["people"]["ent_admin"]
    admin.email = "admin@jia.cn"
    admin.save()
    invitation, token = invite_to_committee(world, "admin@jia.cn")
    client.force_login(admin)
    refused = client.post(reverse("invitation_accept", args=[token]))
    assert refused.status_code == 403
    assert "member of 甲企业" in refused.content.decode()
    assert not Membership.objects.filter(user=admin, organisation=world["cb"]).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize(
    ("person", "org", "role"),
    [
        ("ent_admin", "cb", Role.COMMITTEE),
        ("other_admin", "cb", Role.AUDITOR),
        ("committee", "enterprise", Role.ENTERPRISE_ADMIN),
        ("auditor", "other", Role.ENTERPRISE_MEMBER),
    ],
)
def test_one_account_never_holds_roles_on_both_sides(world, person, org, role):
    user = world["people"][person]
    with pytest.raises(ValidationError, match="cannot hold"):
        services.membership_grant(user=user, organisation=world[org], role=role, by=world["people"]["cb_admin"])
    assert not Membership.objects.filter(user=user, organisation=world[org]).exists()
    assert not Event.objects.filter(action="membership.granted", data__user=person, data__role=role).exists()


def test_a_new_account_from_the_link_gets_the_invited_address(client, world):
    _invitation, token = invite_to_committee(world, "expert@cb.cn")
    data = {"username": "expert", "display_name": "专家", "password1": STURDY, "password2": STURDY}
    assert client.post(reverse("invitation_accept", args=[token]), data).status_code == 302
    user = User.objects.get(username="expert")
    assert user.email == "expert@cb.cn"
    assert Membership.objects.filter(user=user, organisation=world["cb"], role=Role.COMMITTEE).exists()
    assert Invitation.objects.get().accepted_by == user

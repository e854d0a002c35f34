import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts import services
from aftersales.accounts.models import Invitation, Membership, Role, User
from aftersales.accounts.selectors import invitation_token_hash
from aftersales.events.models import Event

pytestmark = pytest.mark.django_db

STURDY = "Sturdy-pass-2026"


def invite(world, email="new@example.cn", role=Role.ENTERPRISE_MEMBER, org="enterprise", by="ent_admin"):
    return services.invitation_create(
        organisation=world[org], email=email, role=role, by=world["people"][by], site_url="http://testserver"
    )


def link_in(mail) -> str:
    return re.search(r"http://testserver(/invite/[^/\s]+/)", mail.body).group(1)


def test_it_sends_the_link_by_mail_and_stores_only_its_hash(world, mailoutbox):
    invitation, token = invite(world, email="  New@Example.CN ")
    assert invitation.email == "new@example.cn"
    assert invitation.token_hash == invitation_token_hash(token) != token
    assert invitation.expires_at - invitation.created_at == timedelta(days=7)
    [mail] = mailoutbox
    assert mail.to == ["new@example.cn"]
    assert link_in(mail) == reverse("invitation_accept", args=[token])
    assert "甲企业" in mail.subject
    assert "invites you to join 甲企业" in mail.body and "邀请您加入 甲企业" in mail.body  # both languages
    assert Event.objects.filter(action="invitation.created", subject_id=str(invitation.pk)).exists()


def test_it_takes_the_lifetime_from_the_settings(world, settings):
    settings.INVITATION_TTL_DAYS = 2
    invitation, _ = invite(world)
    assert invitation.expires_at - invitation.created_at == timedelta(days=2)


def test_it_invites_from_the_organisation_page(client, world, mailoutbox):
    client.force_login(world["people"]["ent_admin"])
    url = reverse("invitation_new", args=[world["enterprise"].pk])
    response = client.post(url, {"email": "li@example.cn", "role": "enterprise_admin"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="li@example.cn")
    assert (invitation.organisation, invitation.role) == (world["enterprise"], Role.ENTERPRISE_ADMIN)
    assert len(mailoutbox) == 1
    page = client.get(reverse("organisation_detail", args=[world["enterprise"].pk])).content.decode()
    assert "li@example.cn" in page


def test_it_lets_a_cb_admin_invite_an_auditor(world):
    invitation, _ = invite(world, org="cb", by="cb_admin", role=Role.AUDITOR)
    assert invitation.organisation == world["cb"]


@pytest.mark.parametrize(
    ("org", "by", "role"),
    [("enterprise", "ent_admin", Role.AUDITOR), ("cb", "cb_admin", Role.ENTERPRISE_MEMBER)],
)
def test_it_refuses_a_role_of_the_other_organisation_kind(world, org, by, role, mailoutbox):
    with pytest.raises(ValidationError) as exc:
        invite(world, org=org, by=by, role=role)
    assert "role" in exc.value.message_dict
    assert not Invitation.objects.exists() and mailoutbox == []


def test_it_offers_only_the_roles_of_the_organisation_kind(client, world):
    client.force_login(world["people"]["ent_admin"])
    url = reverse("invitation_new", args=[world["enterprise"].pk])
    response = client.post(url, {"email": "li@example.cn", "role": "auditor"})
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    page = client.get(reverse("organisation_detail", args=[world["enterprise"].pk])).content.decode()
    assert 'value="enterprise_member"' in page and 'value="auditor"' not in page


def test_it_refuses_a_second_pending_invitation_to_the_same_address(client, world):
    invite(world, email="li@example.cn")
    client.force_login(world["people"]["ent_admin"])
    url = reverse("invitation_new", args=[world["enterprise"].pk])
    response = client.post(url, {"email": "LI@example.cn", "role": "enterprise_member"})
    assert response.status_code == 400
    assert "pending" in response.content.decode() or "尚未" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_it_leaves_no_invitation_when_the_mail_cannot_be_sent(client, world, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(services, "send_mail", refuse)
    client.force_login(world["people"]["ent_admin"])
    url = reverse("invitation_new", args=[world["enterprise"].pk])
    response = client.post(url, {"email": "li@example.cn", "role": "enterprise_member"})
    assert response.status_code == 503
    assert not Invitation.objects.exists()
    assert not Event.objects.filter(action="invitation.created").exists()


def test_it_creates_an_account_from_the_invitation(client, world):
    invitation, token = invite(world)
    url = reverse("invitation_accept", args=[token])
    assert "User name" in client.get(url, headers={"accept-language": "en"}).content.decode()
    data = {"username": "lihua", "display_name": "李华", "password1": STURDY, "password2": STURDY}
    response = client.post(url, data)
    assert response.status_code == 302
    user = User.objects.get(username="lihua")
    assert (user.email, user.display_name) == ("new@example.cn", "李华")
    assert user.check_password(STURDY)
    assert Membership.objects.filter(user=user, organisation=world["enterprise"], role=Role.ENTERPRISE_MEMBER).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user and invitation.accepted_at is not None
    assert client.get(reverse("profile")).status_code == 200  # logged in as the new user
    assert Event.objects.filter(action="invitation.accepted", actor=user).exists()


@pytest.mark.parametrize(
    ("password", "username"),
    [("12345678", "lihua"), ("password", "lihua"), (STURDY, "ent_admin")],
    ids=["numeric", "common", "user-name-taken"],
)
def test_it_refuses_a_weak_password_or_a_taken_user_name(client, world, password, username):
    invitation, token = invite(world)
    data = {"username": username, "display_name": "李华", "password1": password, "password2": password}
    response = client.post(reverse("invitation_accept", args=[token]), data)
    assert response.status_code == 400
    assert not User.objects.filter(username="lihua").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_it_accepts_into_the_account_of_a_logged_in_user(client, world):
    user = User.objects.create_user(username="freelancer", password=STURDY, email="Freelancer@Example.cn")
    _, token = invite(world, org="cb", by="cb_admin", role=Role.REVIEWER, email="freelancer@example.cn")
    client.force_login(user)
    url = reverse("invitation_accept", args=[token])
    assert "freelancer" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Membership.objects.filter(user=user, organisation=world["cb"], role="reviewer")


def test_it_answers_404_to_an_unknown_link(client, world):
    response = client.get(reverse("invitation_accept", args=["no-such-token"]))
    assert response.status_code == 404
    assert "accounts/invitation_invalid.html" in [t.name for t in response.templates]


def test_it_refuses_an_expired_invitation(client, world):
    invitation, token = invite(world)
    now = timezone.now()
    earlier = {"created_at": now - timedelta(days=8), "expires_at": now - timedelta(seconds=1)}
    Invitation.objects.filter(pk=invitation.pk).update(**earlier)
    url = reverse("invitation_accept", args=[token])
    data = {"username": "lihua", "display_name": "李华", "password1": STURDY, "password2": STURDY}
    for response in (client.get(url, headers={"accept-language": "en"}), client.post(url, data)):
        assert response.status_code == 410
        assert response.context["reason"] == "expired"
    assert not User.objects.filter(username="lihua").exists()


def test_it_works_only_once(client, world):
    _, token = invite(world)
    world["people"]["other_admin"].email = "new@example.cn"  # the invited address
    world["people"]["other_admin"].save()
    client.force_login(world["people"]["other_admin"])
    url = reverse("invitation_accept", args=[token])
    assert client.post(url).status_code == 302
    client.force_login(world["people"]["auditor"])
    response = client.post(url)
    assert response.status_code == 410 and response.context["reason"] == "used"
    assert not Membership.objects.filter(user=world["people"]["auditor"], organisation=world["enterprise"]).exists()


def test_it_creates_no_account_when_the_invitation_was_used_meanwhile(world):
    invitation, _ = invite(world)
    world["people"]["other_admin"].email = "new@example.cn"
    services.invitation_accept(invitation=invitation, user=world["people"]["other_admin"])
    stale = Invitation.objects.get(pk=invitation.pk)
    stale.accepted_at = stale.accepted_by = None  # as another process read it a moment before
    with pytest.raises(services.InvitationUnusable):
        services.invitation_accept_new_user(invitation=stale, username="late", display_name="迟", password="x-Pass-987")
    assert not User.objects.filter(username="late").exists()


def test_it_revokes_a_pending_invitation(client, world):
    invitation, token = invite(world)
    client.force_login(world["people"]["ent_admin"])
    response = client.post(reverse("invitation_revoke", args=[world["enterprise"].pk, invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert Event.objects.filter(action="invitation.revoked", subject_id=str(invitation.pk)).exists()
    response = client.get(reverse("invitation_accept", args=[token]))
    assert response.status_code == 410 and response.context["reason"] == "revoked"
    with pytest.raises(services.InvitationUnusable):
        services.invitation_revoke(invitation=invitation, by=world["people"]["ent_admin"])


def test_it_lets_a_new_invitation_follow_a_revoked_one(world):
    invitation, _ = invite(world)
    services.invitation_revoke(invitation=invitation, by=world["people"]["ent_admin"])
    second, _ = invite(world)
    assert second.pk != invitation.pk


@pytest.mark.parametrize("persona", ["other_admin", "cb_admin", "auditor"])
def test_it_answers_404_to_outsiders(client, world, persona):
    invitation, _ = invite(world)
    ent = world["enterprise"].pk
    client.force_login(world["people"][persona])
    assert client.get(reverse("organisation_detail", args=[ent])).status_code == 404
    assert client.post(reverse("invitation_new", args=[ent]), {"email": "x@example.cn"}).status_code == 404
    assert client.post(reverse("invitation_revoke", args=[ent, invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_answers_403_to_members_who_are_not_admins(client, world):
    invitation, _ = invite(world)
    ent = world["enterprise"].pk
    client.force_login(world["people"]["ent_member"])
    page = client.get(reverse("organisation_detail", args=[ent]))
    assert page.status_code == 200 and "new@example.cn" not in page.content.decode()  # members, not invitations
    data = {"email": "x@example.cn", "role": "enterprise_member"}
    assert client.post(reverse("invitation_new", args=[ent]), data).status_code == 403
    assert client.post(reverse("invitation_revoke", args=[ent, invitation.pk])).status_code == 403
    assert Invitation.objects.count() == 1 and Invitation.objects.get().revoked_at is None


def test_it_answers_404_for_an_invitation_of_another_organisation(client, world):
    invitation, _ = invite(world, org="cb", by="cb_admin", role=Role.AUDITOR)
    client.force_login(world["people"]["ent_admin"])
    assert client.post(reverse("invitation_revoke", args=[world["enterprise"].pk, invitation.pk])).status_code == 404


def test_it_refuses_invitations_from_non_admins_in_the_service_too(world):
    with pytest.raises(PermissionDenied):
        invite(world, by="ent_member")

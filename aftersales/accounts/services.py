"""Writes for organisations, memberships, invitations, profiles and the login throttle."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from aftersales.core import credit_code
from aftersales.events.services import event_record

from .models import CB_ROLES, ENTERPRISE_ROLES, Invitation, LoginFailure, Membership, Organisation, User
from .selectors import invitation_token_hash, login_failure_window, login_locked_until, normalise_username, roles_of

log = logging.getLogger(__name__)


@transaction.atomic
def organisation_create(*, kind: str, name: str, by=None, by_label: str = "", **fields) -> Organisation:
    code = fields.pop("credit_code", None)
    if kind == Organisation.Kind.ENTERPRISE:
        code = credit_code.normalise(code or "")
        problems = credit_code.problems(code)
        if problems:
            lang = get_language()
            raise ValidationError({"credit_code": [p.message(lang) for p in problems]})
    org = Organisation(kind=kind, name=name, credit_code=code or None, **fields)
    org.full_clean()
    org.save()
    event_record(action="organisation.created", subject=org, by=by, by_label=by_label, data={"kind": kind})
    return org


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str, by=None, by_label: str = "") -> Membership:
    allowed = ENTERPRISE_ROLES if organisation.is_enterprise else CB_ROLES
    if role not in allowed:
        raise ValidationError({"role": f"role {role!r} does not exist in a {organisation.kind} organisation"})
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        event_record(
            action="membership.granted",
            subject=membership,
            by=by,
            by_label=by_label,
            data={"user": user.get_username(), "organisation": organisation.pk, "role": role},
        )
    return membership


# --- invitations -------------------------------------------------------------------------------


class InvitationUnusable(Exception):
    """The invitation was accepted, revoked or has expired (reason: "used", "revoked", "expired")."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, role: str, by: User, site_url: str, now: datetime | None = None
) -> tuple[Invitation, str]:
    """Invite `email` into `organisation` with `role` and send the link by e-mail; returns the
    invitation and its token (which is stored nowhere). The mail goes out inside the transaction:
    if it cannot be sent, no invitation is left behind."""
    now = now or timezone.now()
    if organisation.admin_role not in roles_of(by, organisation):
        raise PermissionDenied
    email = User.objects.normalize_email(email.strip()).lower()
    if role not in organisation.roles:
        raise ValidationError({"role": _("This role does not exist in this kind of organisation.")})
    pending = Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at=None, revoked_at=None, expires_at__gt=now
    )
    if pending.exists():
        raise ValidationError(
            {"email": _("An invitation to this address is still pending. Revoke it first to send a new one.")}
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=invitation_token_hash(token),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    event_record(
        action="invitation.created",
        subject=invitation,
        by=by,
        data={"organisation": organisation.pk, "email": email, "role": role},
    )
    link = site_url.rstrip("/") + reverse("invitation_accept", args=[token])
    context = {"invitation": invitation, "link": link, "inviter": by, "days": settings.INVITATION_TTL_DAYS}
    subject = render_to_string("accounts/invitation_subject.txt", context)
    send_mail(
        " ".join(subject.split()),
        render_to_string("accounts/invitation_email.txt", context),
        None,
        [email],
    )
    return invitation, token


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, now: datetime | None = None) -> Membership:
    """Use the invitation once: `user` becomes a member with the invited role."""
    now = now or timezone.now()
    # One conditional UPDATE: of two simultaneous acceptances (any process), exactly one wins.
    won = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=now).update(
        accepted_at=now, accepted_by=user
    )
    if not won:
        invitation.refresh_from_db()
        raise InvitationUnusable(invitation.state(now))
    invitation.accepted_at, invitation.accepted_by = now, user
    membership = membership_grant(user=user, organisation=invitation.organisation, role=invitation.role, by=user)
    event_record(
        action="invitation.accepted",
        subject=invitation,
        by=user,
        data={"organisation": invitation.organisation_id, "role": invitation.role},
    )
    return membership


@transaction.atomic
def invitation_accept_new_user(
    *, invitation: Invitation, username: str, display_name: str, password: str, now: datetime | None = None
) -> User:
    """Create the invitee's account and accept the invitation into it; neither happens without the other."""
    user = User.objects.create_user(
        username=username, email=invitation.email, password=password, display_name=display_name
    )
    event_record(action="user.created", subject=user, by=user, data={"invitation": invitation.pk})
    invitation_accept(invitation=invitation, user=user, now=now)
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User, now: datetime | None = None) -> Invitation:
    now = now or timezone.now()
    if invitation.organisation.admin_role not in roles_of(by, invitation.organisation):
        raise PermissionDenied
    won = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(revoked_at=now)
    if not won:
        invitation.refresh_from_db()
        raise InvitationUnusable(invitation.state(now))
    invitation.revoked_at = now
    event_record(action="invitation.revoked", subject=invitation, by=by, data={"email": invitation.email})
    return invitation


# --- profile -----------------------------------------------------------------------------------

LANGUAGE_CODES = {code for code, _name in User._meta.get_field("language").choices}


@transaction.atomic
def user_profile_update(*, user: User, display_name: str, language: str, by: User) -> User:
    if language and language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    changed = {}
    for field, value in (("display_name", display_name.strip()), ("language", language)):
        if getattr(user, field) != value:
            changed[field] = value
            setattr(user, field, value)
    if changed:
        user.full_clean(exclude=["password"])
        user.save(update_fields=list(changed))
        event_record(action="user.profile_updated", subject=user, by=by, data=changed)
    return user


def user_language_set(*, user: User, language: str, by: User) -> User:
    return user_profile_update(user=user, display_name=user.display_name, language=language, by=by)


# --- login throttle ----------------------------------------------------------------------------


@transaction.atomic
def login_failure_record(*, username: str, ip: str | None, now: datetime | None = None) -> datetime | None:
    """Count one failed login. Returns when logins unlock again if this failure reached the limit."""
    now = now or timezone.now()
    name = normalise_username(username)
    LoginFailure.objects.filter(at__lte=now - login_failure_window()).delete()  # keep the table small
    failure = LoginFailure.objects.create(username=name, ip=ip, at=now)
    log.info("login failed for user name %r from %s", name, ip)
    until = login_locked_until(username=name, ip=ip, now=now)
    if until is not None:
        log.warning("logins for user name %r or from %s refused until %s", name, ip, until.isoformat())
        event_record(
            action="login.locked",
            subject=failure,
            by_label="login-throttle",
            data={"username": name, "ip": ip, "until": until.isoformat()},
        )
    return until


@transaction.atomic
def login_failures_clear(*, username: str) -> int:
    """After a successful login (or a password reset) the user name starts from zero again."""
    deleted, _counts = LoginFailure.objects.filter(username=normalise_username(username)).delete()
    return deleted

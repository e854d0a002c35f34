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
from aftersales.core.refusal import Refused
from aftersales.events.services import event_record

from .models import (
    CB_ROLES,
    ENTERPRISE_ROLES,
    Invitation,
    LoginFailure,
    Membership,
    Organisation,
    PasswordResetRequest,
    User,
)
from .selectors import (
    invitation_token_hash,
    login_failure_window,
    login_throttle,
    normalise_username,
    password_reset_counts,
    password_reset_window,
    reset_address_hash,
    roles_of,
)

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


def side_conflict(*, user: User, organisation: Organisation) -> str:
    """Why `user` may not hold a role in `organisation` because of the other side ("" if they may).

    One account is on one side only: enterprise roles or certification-body roles, never both. An
    enterprise may become a client of any certification body at any time, so a person with both
    would sooner or later act for the CB on a case of their own enterprise (ISO/IEC 17065 §4.2).
    Such a person uses two accounts, and the CB declares the link (audits.ConflictDeclaration)."""
    other_kind = Organisation.Kind.CERTIFICATION_BODY if organisation.is_enterprise else Organisation.Kind.ENTERPRISE
    other = Organisation.objects.filter(memberships__user=user, kind=other_kind).order_by("name").first()
    if other is None:
        return ""
    return _(
        "%(user)s is a member of %(other)s, so this account cannot hold a role in %(organisation)s: "
        "one account is either an enterprise's or a certification body's, never both. Use another account."
    ) % {"user": user.get_username(), "other": other.name, "organisation": organisation.name}


def applicant_conflict(*, user, enterprise: Organisation) -> str:
    """Why `user` may take no certification-body step on a case of `enterprise` ("" if they may):
    they are one of its members. Enforced by certification.access.case_may for every CB write and
    again by the decision, certificate and appeal services."""
    if not Membership.objects.filter(user=user, organisation=enterprise).exists():
        return ""
    return _(
        "%(user)s is a member of %(enterprise)s, the applicant: a member of the applicant takes no "
        "step for the certification body on its case."
    ) % {"user": user.get_username(), "enterprise": enterprise.name}


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str, by=None, by_label: str = "") -> Membership:
    """Give `user` a role in `organisation`; refused across the sides (see side_conflict)."""
    allowed = ENTERPRISE_ROLES if organisation.is_enterprise else CB_ROLES
    if role not in allowed:
        raise ValidationError({"role": f"role {role!r} does not exist in a {organisation.kind} organisation"})
    User.objects.select_for_update().filter(pk=user.pk).first()  # two grants at once: one sees the other
    conflict = side_conflict(user=user, organisation=organisation)
    if conflict:
        raise ValidationError(conflict, code="both_sides")
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


def invitation_refusal(*, invitation: Invitation, user: User) -> str:
    """Why `user` may not accept `invitation` ("" if they may): the link is bound to the invited
    address (the account's e-mail must be it, letter case aside), and the role must not put the
    account on both sides (side_conflict)."""
    address = User.objects.normalize_email((user.email or "").strip()).lower()
    if address != invitation.email:
        return _(
            "This invitation was sent to %(invited)s, and you are signed in as %(user)s (%(email)s). "
            "Log out and open the link again to join with the invited address, or ask %(inviter)s "
            "for an invitation to your own address."
        ) % {
            "invited": invitation.email,
            "user": user.get_username(),
            "email": user.email or _("no e-mail address"),
            "inviter": invitation.invited_by,
        }
    return side_conflict(user=user, organisation=invitation.organisation)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User, now: datetime | None = None) -> Membership:
    """Use the invitation once: `user` becomes a member with the invited role (ValidationError
    with invitation_refusal's reason if they may not)."""
    now = now or timezone.now()
    refusal = invitation_refusal(invitation=invitation, user=user)
    if refusal:
        raise ValidationError(refusal, code="refused")
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
    """Count one failed login (password or code). Returns when this user name may try again from
    this address if the failure brought a wait (growing delays, selectors.login_throttle)."""
    now = now or timezone.now()
    name = normalise_username(username)
    LoginFailure.objects.filter(at__lte=now - login_failure_window()).delete()  # keep the table small
    failure = LoginFailure.objects.create(username=name, ip=ip, at=now)
    log.info("login failed for user name %r from %s", name, ip)
    failures, until = login_throttle(username=name, ip=ip, now=now)
    if until is not None:
        log.warning("logins for user name %r from %s delayed until %s", name, ip, until.isoformat())
        event_record(
            action="login.throttled",
            subject=failure,
            by_label="login-throttle",
            data={"username": name, "ip": ip, "failures": failures, "until": until.isoformat()},
        )
    return until


@transaction.atomic
def login_failures_clear(*, username: str) -> int:
    """After a successful login (or a password reset) the user name starts from zero again."""
    deleted, _counts = LoginFailure.objects.filter(username=normalise_username(username)).delete()
    return deleted


# --- password-reset requests -------------------------------------------------------------------


class ResetRefused(Refused):
    """Too many reset requests from this client address (the answer may say so: it tells nothing
    about any e-mail address)."""

    status = 429


@transaction.atomic
def password_reset_request(*, email: str, ip: str | None, now: datetime | None = None) -> bool:
    """May a reset mail go to `email` now? Counts the request and returns True, or returns False
    when the address had PASSWORD_RESET_LIMIT_PER_ADDRESS requests in the window (the caller then
    answers exactly as if a mail was sent). Raises ResetRefused when the client address had
    PASSWORD_RESET_LIMIT_PER_CLIENT. Known and unknown addresses are counted alike."""
    now = now or timezone.now()
    PasswordResetRequest.objects.filter(at__lte=now - password_reset_window()).delete()  # keep it small
    by_address, by_client = password_reset_counts(email=email, ip=ip, now=now)
    if ip and by_client >= settings.PASSWORD_RESET_LIMIT_PER_CLIENT:
        log.warning("password-reset requests from %s refused (limit reached)", ip)
        raise ResetRefused
    if by_address >= settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
        log.info("password-reset mail to address %s… not sent (limit reached)", reset_address_hash(email)[:12])
        return False
    request = PasswordResetRequest.objects.create(address_hash=reset_address_hash(email), ip=ip, at=now)
    if by_address + 1 == settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
        event_record(
            action="password_reset.limited",
            subject=request,
            by_label="password-reset-limit",
            data={"address_sha256": request.address_hash, "ip": ip, "requests": by_address + 1},
        )
    return True

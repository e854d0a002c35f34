"""Reads about who belongs where, with which role."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import Invitation, LoginFailure, Membership, Organisation, PasswordResetRequest, Role


def roles_of(user, organisation: Organisation) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, organisation=organisation).values_list("role", flat=True))


def enterprises_of(user) -> QuerySet[Organisation]:
    """Enterprises the user is a member of (any enterprise role)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        kind=Organisation.Kind.ENTERPRISE,
        memberships__user=user,
        memberships__role__in=[Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER],
    ).distinct()


def cb_administered(user) -> Organisation | None:
    """The certification body the user administers (cb_admin; the first by id), else None."""
    if not user.is_authenticated:
        return None
    m = (
        Membership.objects.filter(
            user=user, role=Role.CB_ADMIN, organisation__kind=Organisation.Kind.CERTIFICATION_BODY
        )
        .select_related("organisation")
        .order_by("organisation_id")
        .first()
    )
    return None if m is None else m.organisation


def organisations_of(user) -> QuerySet[Organisation]:
    """Every organisation the user belongs to, with any role."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("user__username", "role")


def invitations_open(organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations neither accepted nor revoked, newest first (expired ones included, to be revoked)."""
    return organisation.invitations.filter(accepted_at=None, revoked_at=None).select_related("invited_by")


def invitation_token_hash(token: str) -> str:
    """Only this hash is stored: a database leak does not leak working invitation links."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    token_hash = invitation_token_hash(token)
    return Invitation.objects.select_related("organisation", "invited_by").filter(token_hash=token_hash).first()


def normalise_username(username: str) -> str:
    """The throttle's key for a user name: case and surrounding blanks do not make a new one."""
    return (username or "").strip().lower()[:150]


def login_failure_window() -> timedelta:
    return timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def login_delay(failures: int, limit: int) -> timedelta:
    """The wait after the last failure once `failures` reach `limit`: LOGIN_DELAY_SECONDS, doubled
    for each failure beyond the limit, at most LOGIN_DELAY_MAX_MINUTES (zero below the limit)."""
    if failures < limit:
        return timedelta(0)
    longest = timedelta(minutes=settings.LOGIN_DELAY_MAX_MINUTES)
    doublings = min(failures - limit, 32)  # 2**32 times any first delay is past any longest
    return min(timedelta(seconds=settings.LOGIN_DELAY_SECONDS * 2**doublings), longest)


def _scope_until(scope, limit: int) -> tuple[int, datetime | None]:
    """(failures, when the scope may try again) for the failures in `scope` (newest first)."""
    failures = scope.count()
    if failures < limit:
        return failures, None
    last = scope.values_list("at", flat=True).first()
    return failures, last + login_delay(failures, limit)


def login_throttle(*, username: str, ip: str | None, now: datetime | None = None) -> tuple[int, datetime | None]:
    """(failures of the user name from this address, when an attempt is allowed again or None).

    Two scopes, each with growing delays once its limit is reached: the pair (user name, client
    address), LOGIN_FAILURE_LIMIT; the client address whatever the user names,
    LOGIN_ADDRESS_FAILURE_LIMIT. Failures from other addresses never delay this one, so nobody can
    keep an account's owner out by guessing from elsewhere. Failures older than
    LOGIN_FAILURE_WINDOW_MINUTES are forgotten."""
    now = now or timezone.now()
    recent = LoginFailure.objects.filter(at__gt=now - login_failure_window(), at__lte=now).order_by("-at")
    pair = (
        recent.filter(username=normalise_username(username), ip=ip)
        if ip
        else recent.filter(username=normalise_username(username), ip__isnull=True)
    )
    failures, until = _scope_until(pair, settings.LOGIN_FAILURE_LIMIT)
    unlocks = [until]
    if ip:
        unlocks.append(_scope_until(recent.filter(ip=ip), settings.LOGIN_ADDRESS_FAILURE_LIMIT)[1])
    later = [u for u in unlocks if u is not None and u > now]
    return failures, max(later, default=None)


def login_locked_until(*, username: str, ip: str | None, now: datetime | None = None) -> datetime | None:
    """When an attempt for this user name from this address is allowed again, or None if it is now."""
    return login_throttle(username=username, ip=ip, now=now)[1]


# --- password-reset requests -------------------------------------------------------------------


def reset_address_hash(email: str) -> str:
    """The key of an e-mail address for the reset limit: SHA-256 of its lower-cased form."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def password_reset_window() -> timedelta:
    return timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)


def password_reset_counts(*, email: str, ip: str | None, now: datetime) -> tuple[int, int]:
    """(requests let through for this address, from this client) within the window."""
    recent = PasswordResetRequest.objects.filter(at__gt=now - password_reset_window(), at__lte=now)
    by_address = recent.filter(address_hash=reset_address_hash(email)).count()
    by_client = recent.filter(ip=ip).count() if ip else 0
    return by_address, by_client

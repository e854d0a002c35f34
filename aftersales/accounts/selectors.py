"""Reads about who belongs where, with which role."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import Invitation, LoginFailure, Membership, Organisation, Role


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


def login_locked_until(*, username: str, ip: str | None, now: datetime | None = None) -> datetime | None:
    """When logins for this user name or from this IP are allowed again, or None if they are now.

    Locked while the user name, or the IP, has LOGIN_FAILURE_LIMIT failures in the last
    LOGIN_FAILURE_WINDOW_MINUTES; it unlocks when the oldest of those failures leaves the window.
    """
    now = now or timezone.now()
    window, limit = login_failure_window(), settings.LOGIN_FAILURE_LIMIT
    recent = LoginFailure.objects.filter(at__gt=now - window, at__lte=now).order_by("-at")
    scopes = [recent.filter(username=normalise_username(username))]
    if ip:
        scopes.append(recent.filter(ip=ip))
    unlocks = []
    for scope in scopes:
        times = list(scope.values_list("at", flat=True)[:limit])
        if len(times) >= limit:
            unlocks.append(times[-1] + window)
    return max(unlocks, default=None)

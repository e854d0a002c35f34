"""Reads about who belongs where, with which role."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Membership, Organisation, Role


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

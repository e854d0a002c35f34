"""The one way views reach an organisation or one of its invitations: 404 to outsiders."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from aftersales.core.access import Access

from .models import Invitation, Organisation
from .selectors import roles_of

WRITE_ADMIN = "admin"  # invite and manage members: the organisation's admin role


def organisation_access(request, pk: int, *, admin: bool = False) -> Access[Organisation]:
    """The organisation and what the user may do with it, if the user is one of its members (404
    otherwise); with admin=True the user must also hold its admin role (403 for its other members)."""
    if not request.user.is_authenticated:
        raise Http404
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise Http404
    roles = roles_of(request.user, organisation)
    if not roles:
        raise Http404
    access = Access(
        organisation, frozenset(roles), frozenset({WRITE_ADMIN} if organisation.admin_role in roles else ())
    )
    if admin and not access.can(WRITE_ADMIN):
        raise PermissionDenied
    return access


def organisation_for(request, pk: int, *, admin: bool = False) -> Organisation:
    """The organisation alone, by `organisation_access`'s rules."""
    return organisation_access(request, pk, admin=admin).obj


def invitation_for(request, organisation_pk: int, pk: int) -> Invitation:
    """An invitation of an organisation the user administers (404 to outsiders, 403 to other members)."""
    organisation = organisation_for(request, organisation_pk, admin=True)
    invitation = Invitation.objects.filter(pk=pk, organisation=organisation).first()
    if invitation is None:
        raise Http404
    invitation.organisation = organisation
    return invitation

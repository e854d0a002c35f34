"""The one way views reach an appeal: 404 to outsiders, 403 to viewers who lack the role for a write.

Who sees an appeal:
- members of its enterprise (enterprise admin and member);
- cb_admin and reviewer of its certification body;
- the handler assigned to it (whatever their CB role).
Anyone else (anonymous, other enterprises, another CB's staff, auditors and committee members
who do not handle it): 404.

What a write needs (`write=`); a viewer without it gets 403:
- ``"enterprise_admin"`` the enterprise admin (withdraw);
- ``"assign"``           the CB admin (assign the handler);
- ``"acknowledge"``      the CB admin or the handler;
- ``"handle"``           the handler (start the review, notes, outcome).
Whether *this* person may handle it (impartiality) is for `services.appeal_assign` to refuse.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from aftersales.accounts.models import ENTERPRISE_ROLES, Membership, Role
from aftersales.certification.access import CB_STAFF_ROLES
from aftersales.core.access import Access

from .models import Appeal

WRITE_ENTERPRISE_ADMIN = "enterprise_admin"
WRITE_ASSIGN = "assign"
WRITE_ACKNOWLEDGE = "acknowledge"
WRITE_HANDLE = "handle"
WRITES = (WRITE_ENTERPRISE_ADMIN, WRITE_ASSIGN, WRITE_ACKNOWLEDGE, WRITE_HANDLE)


def appeal_roles(user, appeal: Appeal) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, organisation_id__in=[appeal.enterprise_id, appeal.cb_id]).values_list(
            "role", flat=True
        )
    )


def appeal_visible(user, appeal: Appeal, roles: set[str]) -> bool:
    return bool(roles & ENTERPRISE_ROLES or roles & CB_STAFF_ROLES) or appeal.handler_id == user.pk


def appeal_may(user, appeal: Appeal, write: str, roles: set[str]) -> bool:
    handler = appeal.handler_id is not None and appeal.handler_id == user.pk
    if write == WRITE_ENTERPRISE_ADMIN:
        return Role.ENTERPRISE_ADMIN in roles
    if write == WRITE_ASSIGN:
        return Role.CB_ADMIN in roles
    if write == WRITE_ACKNOWLEDGE:
        return Role.CB_ADMIN in roles or handler
    if write == WRITE_HANDLE:
        return handler
    raise ValueError(f"unknown write kind {write!r}")


def appeal_access(request, pk: int, *, write: str | None = None) -> Access[Appeal]:
    """The appeal and what the user may do with it, if the user may see it (Http404 otherwise);
    with `write` the user must also hold the role for it (PermissionDenied otherwise). The handler
    holds WRITE_HANDLE."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    appeal = (
        Appeal.objects.select_related(
            "case",
            "enterprise",
            "cb",
            "handler",
            "lodged_by",
            "decided_by",
            "decision",
            "certificate_event__certificate",
        )
        .filter(pk=pk)
        .first()
    )
    if appeal is None:
        raise Http404
    roles = appeal_roles(user, appeal)
    if not appeal_visible(user, appeal, roles):
        raise Http404
    if write is not None and not appeal_may(user, appeal, write, roles):
        raise PermissionDenied
    return Access(appeal, frozenset(roles), frozenset(w for w in WRITES if appeal_may(user, appeal, w, roles)))


def appeal_for(request, pk: int, *, write: str | None = None) -> Appeal:
    """The appeal alone, by `appeal_access`'s rules."""
    return appeal_access(request, pk, write=write).obj


def appeals_visible_to(user) -> QuerySet[Appeal]:
    """Every appeal the user may see, by the same rules as `appeal_for` (one query)."""
    if not user.is_authenticated:
        return Appeal.objects.none()
    mine = Membership.objects.filter(user=user)
    enterprise_ids = mine.filter(role__in=ENTERPRISE_ROLES).values("organisation_id")
    staff_cb_ids = mine.filter(role__in=CB_STAFF_ROLES).values("organisation_id")
    return Appeal.objects.filter(Q(enterprise_id__in=enterprise_ids) | Q(cb_id__in=staff_cb_ids) | Q(handler=user))


def is_enterprise_viewer(access: Access[Appeal]) -> bool:
    """The viewer sees the appeal as the enterprise (no internal events, no handling forms)."""
    return access.only(ENTERPRISE_ROLES) and not access.can(WRITE_HANDLE)

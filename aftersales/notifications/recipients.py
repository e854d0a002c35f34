"""Who is told about a step: always people of the case's own enterprise and certification body (or
the appeal's handler), never anyone of another organisation."""

from __future__ import annotations

from django.db.models import QuerySet

from aftersales.accounts.models import ENTERPRISE_ROLES, Organisation, Role, User
from aftersales.certification.access import CB_STAFF_ROLES
from aftersales.certification.models import Case

ENTERPRISE = "enterprise"  # the enterprise's admins and members
CB_STAFF = "cb_staff"  # the CB's admins and application reviewers
CB_ADMINS = "cb_admins"
TEAM = "team"  # the case's audit team (active members)
COMMITTEE = "committee"  # the CB's committee members who are not on the case's audit team
HANDLER = "handler"  # the appeal's handler


def members(organisation_id: int, roles) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, memberships__organisation_id=organisation_id, memberships__role__in=list(roles)
    )


def team(case: Case) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, auditor_records__assignments__audit__case=case, auditor_records__assignments__active=True
    )


def people(audiences: tuple[str, ...], *, case: Case | None, enterprise: Organisation, cb: Organisation, handler=None):
    """The users of the named audiences, once each, ordered by id."""
    found: dict[int, User] = {}
    for audience in audiences:
        if audience == ENTERPRISE:
            users = members(enterprise.pk, ENTERPRISE_ROLES)
        elif audience == CB_STAFF:
            users = members(cb.pk, CB_STAFF_ROLES)
        elif audience == CB_ADMINS:
            users = members(cb.pk, {Role.CB_ADMIN})
        elif audience == TEAM:
            users = team(case) if case is not None else User.objects.none()
        elif audience == COMMITTEE:
            users = members(cb.pk, {Role.COMMITTEE})
            if case is not None:
                users = users.exclude(pk__in=team(case).values("pk"))
        elif audience == HANDLER:
            users = User.objects.filter(pk=handler.pk, is_active=True) if handler is not None else User.objects.none()
        else:
            raise ValueError(f"unknown audience {audience!r}")
        for user in users.distinct():
            found.setdefault(user.pk, user)
    return [found[pk] for pk in sorted(found)]

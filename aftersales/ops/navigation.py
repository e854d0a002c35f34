"""The navigation's links that depend on the user's roles: a template context processor.

A link is shown only to the roles its page answers (anyone else gets 404 there): the certificate
list to the enterprise and to the CB's staff who see certificates, the certificate cycle with its
calendar to those staff too, the regulator report to the cb_admin, appeals to the CB's people and
the enterprise admins who lodge them. One query, and only when a page draws the navigation for a
signed-in user (the public registry's pages for anonymous visitors pay nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

from aftersales.accounts.models import CB_ROLES, ENTERPRISE_ROLES, Membership, Role
from aftersales.certificates.access import CB_VIEW_ROLES


@dataclass(frozen=True)
class NavLinks:
    certificates: bool = False
    cycle: bool = False
    regulator: bool = False
    appeals: bool = False


def nav_links(user) -> NavLinks:
    if not user.is_authenticated:
        return NavLinks()
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True).distinct())
    return NavLinks(
        certificates=bool(roles & (ENTERPRISE_ROLES | CB_VIEW_ROLES)),
        cycle=bool(roles & CB_VIEW_ROLES),
        regulator=Role.CB_ADMIN in roles,
        appeals=bool(roles & (CB_ROLES | {Role.ENTERPRISE_ADMIN})),
    )


def navigation(request) -> dict:
    user = getattr(request, "user", None)  # none on a page drawn before authentication (500, 503)
    return {"nav": SimpleLazyObject(lambda: nav_links(user) if user is not None else NavLinks())}

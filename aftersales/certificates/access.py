"""The one way views reach a certificate (other than the public registry): 404 to outsiders.

Who sees a certificate here:
- members of the enterprise that holds it (enterprise admin and member);
- cb_admin, reviewers and review committee members of the issuing certification body.
Auditors see certificates only through the public registry, like anyone (404 here).
Who changes one: the issuing CB's cb_admin (`write=True`; other viewers get 403).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from aftersales.accounts.models import ENTERPRISE_ROLES, Membership, Role
from aftersales.core.access import Access

from .models import Certificate

CB_VIEW_ROLES = frozenset({Role.CB_ADMIN, Role.REVIEWER, Role.COMMITTEE})
WRITE_CHANGE = "change"  # change the status or issue a new version: the issuing CB's cb_admin


def certificates_visible_to(user) -> QuerySet[Certificate]:
    if not user.is_authenticated:
        return Certificate.objects.none()
    memberships = Membership.objects.filter(user=user)
    enterprises = memberships.filter(role__in=ENTERPRISE_ROLES).values("organisation_id")
    cbs = memberships.filter(role__in=CB_VIEW_ROLES).values("organisation_id")
    return Certificate.objects.filter(Q(enterprise_id__in=enterprises) | Q(cb_id__in=cbs))


def is_cb_admin(user, certificate: Certificate) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation_id=certificate.cb_id, role=Role.CB_ADMIN).exists()
    )


def is_cb_staff(user, certificate: Certificate) -> bool:
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation_id=certificate.cb_id, role__in=CB_VIEW_ROLES).exists()
    )


def certificate_roles(user, certificate: Certificate) -> frozenset[str]:
    """The user's roles that matter for the certificate: enterprise roles in its holder, the CB
    roles that see certificates in its issuing CB."""
    if not user.is_authenticated:
        return frozenset()
    mine = Membership.objects.filter(user=user).filter(
        Q(organisation_id=certificate.enterprise_id, role__in=ENTERPRISE_ROLES)
        | Q(organisation_id=certificate.cb_id, role__in=CB_VIEW_ROLES)
    )
    return frozenset(mine.values_list("role", flat=True))


def certificate_access(user, number: str, *, write: bool = False) -> Access[Certificate]:
    """The certificate `number` and what the user may do with it, if the user may see it (else
    Http404); with `write`, only for the issuing CB's cb_admin (other viewers: PermissionDenied)."""
    certificate = certificates_visible_to(user).select_related("enterprise", "cb").filter(number=number).first()
    if certificate is None:
        raise Http404
    roles = certificate_roles(user, certificate)
    access = Access(certificate, roles, frozenset({WRITE_CHANGE}) if Role.CB_ADMIN in roles else frozenset())
    if write and not access.can(WRITE_CHANGE):
        raise PermissionDenied
    return access


def certificate_for(user, number: str, *, write: bool = False) -> Certificate:
    """The certificate alone, by `certificate_access`'s rules."""
    return certificate_access(user, number, write=write).obj

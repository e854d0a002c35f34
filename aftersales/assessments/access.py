"""The one way views reach an assessment: 404 to anyone outside its enterprise."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from aftersales.accounts.models import ENTERPRISE_ROLES, Role
from aftersales.accounts.selectors import roles_of
from aftersales.core.access import Access

from .models import Assessment


def self_assessment_member(user, assessment: Assessment) -> bool:
    """True when the user belongs to the self-assessment's enterprise: who sees it and writes its
    answers (finishing it is the admin's). Audits: `audits.access.assessment_writable`."""
    return (
        user.is_authenticated
        and assessment.kind == Assessment.Kind.SELF
        and bool(roles_of(user, assessment.enterprise) & ENTERPRISE_ROLES)
    )


WRITE_ANSWER = "answer"  # answer items, add evidence and special findings: any member of the enterprise
WRITE_ADMIN = "admin"  # finish it: the enterprise's admin


def assessment_access(request, pk: int, *, admin: bool = False) -> Access[Assessment]:
    """The self-assessment and what the user may do with it, if the user belongs to its enterprise
    (404 otherwise); with admin=True the user must also be the enterprise's admin (403 for its other
    members). Audits (kind "audit") are never reached here: the audits app's access decides who
    sees them."""
    user = request.user
    if not user.is_authenticated:
        raise Http404
    assessment = (
        Assessment.objects.select_related("enterprise", "scheme_version")
        .filter(pk=pk, kind=Assessment.Kind.SELF)
        .first()
    )
    if assessment is None:
        raise Http404
    roles = frozenset(roles_of(user, assessment.enterprise))
    if not roles & ENTERPRISE_ROLES:
        raise Http404
    writes = {WRITE_ANSWER} | ({WRITE_ADMIN} if Role.ENTERPRISE_ADMIN in roles else set())
    access = Access(assessment, roles, frozenset(writes))
    if admin and not access.can(WRITE_ADMIN):
        raise PermissionDenied
    return access


def assessment_for(request, pk: int, *, admin: bool = False) -> Assessment:
    """The self-assessment alone, by `assessment_access`'s rules."""
    return assessment_access(request, pk, admin=admin).obj


def assessment_child_for(request, pk: int, model, child_id: int, *, admin: bool = False):
    """(assessment, child) for a row that belongs to the assessment (a special finding, an evidence
    file): the same 404/403 as the assessment, and 404 for a child of another assessment."""
    assessment = assessment_for(request, pk, admin=admin)
    child = model.objects.filter(pk=child_id, assessment=assessment).first()
    if child is None:
        raise Http404
    return assessment, child

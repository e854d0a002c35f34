"""{% case_appeals case as ca %}: what the appeals part of a case page needs."""

from __future__ import annotations

from django import template

from aftersales.accounts.models import Role
from aftersales.certification.access import case_roles
from aftersales.certification.models import Case

from ..selectors import case_appeals as case_appeals_of

register = template.Library()


@register.simple_tag(takes_context=True)
def case_appeals(context, case: Case) -> dict:
    """{"appeals": the case's appeals the viewer sees (with overdue flags), "can_lodge": the viewer
    (enterprise admin) may lodge one now}. Uses `case.viewer_roles` (set by `case_for`) when present."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    roles = getattr(case, "viewer_roles", None)
    if roles is None:
        roles = case_roles(user, case) if user is not None else set()
    appeals = case_appeals_of(case, user, roles) if user is not None else []
    return {
        "appeals": appeals,
        "can_lodge": Role.ENTERPRISE_ADMIN in roles and case.status != Case.Status.DRAFT,
    }

"""{% case_appeals case as ca %}: what the appeals part of a case page needs."""

from __future__ import annotations

from django import template

from aftersales.accounts.models import Role
from aftersales.certification.access import case_access_in
from aftersales.certification.models import Case

from ..selectors import case_appeals as case_appeals_of

register = template.Library()


@register.simple_tag(takes_context=True)
def case_appeals(context, case: Case) -> dict:
    """{"appeals": the case's appeals the viewer sees (with overdue flags), "can_lodge": the viewer
    (enterprise admin) may lodge one now}. Uses the page's `access` to the case when present."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    access = case_access_in(context, case)
    appeals = case_appeals_of(case, user, set(access.roles)) if user is not None else []
    return {
        "appeals": appeals,
        "can_lodge": access.holds(Role.ENTERPRISE_ADMIN) and case.status != Case.Status.DRAFT,
    }

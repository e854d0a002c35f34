"""The personal workspace: the inbox (what waits for me) above what the workspace offered before
(self-assessments, service records, applying; the CB's lists), and the count the navigation shows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aftersales.accounts.models import Role
from aftersales.accounts.selectors import enterprises_of
from aftersales.assessments.selectors import assessment_list
from aftersales.schemes.models import SchemeVersion

from .selectors import count_of, inbox_for


@login_required
@require_GET
def dashboard(request):
    items = inbox_for(request.user)
    enterprises = list(enterprises_of(request.user))
    memberships = list(request.user.memberships.select_related("organisation"))
    roles = {m.role for m in memberships}
    context = {
        "items": items,
        "count": count_of(items),
        "enterprises": enterprises,
        "assessments": assessment_list(enterprise_ids=[e.pk for e in enterprises]),
        "schemes": SchemeVersion.objects.defer("source").order_by("scheme_id", "-registered_at"),
        "memberships": memberships,
        "cb_staff": bool(roles & {Role.CB_ADMIN, Role.REVIEWER}),
    }
    return render(request, "inbox/dashboard.html", context)


@login_required
@require_GET
def inbox_count(request):
    """The navigation's badge: how many steps wait for me (and how many are overdue)."""
    return render(request, "inbox/_count.html", {"count": count_of(inbox_for(request.user))})

"""The CB's auditor registry, conflict declarations and the overdue nonconformities list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.refusals import redirect_on_refusal

from .. import auditors, findings, services
from ..forms import (
    AuditorForm,
    ConflictForm,
    form_errors,
)
from ..models import Auditor, ConflictDeclaration
from ..selectors import auditors_of, overdue_findings


def _cb_for(request, *, admin: bool = False) -> Organisation:
    """The user's certification body for its staff who see every case (cb_admin, reviewer; with
    admin=True only cb_admin): 404 to non-members, 403 to its other members."""
    if not request.user.is_authenticated:
        raise Http404
    rows = Membership.objects.filter(user=request.user, organisation__kind=Organisation.Kind.CERTIFICATION_BODY)
    roles = set(rows.values_list("role", flat=True))
    if not roles:
        raise Http404
    if not roles & {Role.CB_ADMIN, Role.REVIEWER}:
        raise PermissionDenied
    if admin and Role.CB_ADMIN not in roles:
        raise PermissionDenied
    return rows.select_related("organisation").first().organisation


@login_required
@require_GET
def auditor_list(request):
    cb = _cb_for(request)
    auditors = list(auditors_of(cb).prefetch_related("conflicts__enterprise"))
    registered = {a.user_id for a in auditors}
    candidates = [
        m.user
        for m in Membership.objects.filter(organisation=cb, role=Role.AUDITOR).select_related("user")
        if m.user_id not in registered
    ]
    context = {
        "cb": cb,
        "auditors": auditors,
        "candidates": candidates,
        "enterprises": Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE).order_by("name"),
        "kinds": ConflictDeclaration.Kind.choices,
        "can_edit": Role.CB_ADMIN
        in set(Membership.objects.filter(user=request.user, organisation=cb).values_list("role", flat=True)),
    }
    return render(request, "audits/auditors.html", context)


@login_required
@require_POST
@redirect_on_refusal(lambda request: reverse("auditor_list"))
def auditor_register(request):
    cb = _cb_for(request, admin=True)
    form = AuditorForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("auditor_list")
    user = Membership.objects.filter(organisation=cb, role=Role.AUDITOR, user_id=form.cleaned_data["user"]).first()
    if user is None:
        raise services.AuditRefused(_("Choose a user with the auditor role."))
    auditors.auditor_register(
        cb=cb,
        user=user.user,
        registration=form.cleaned_data["registration"],
        valid_until=form.cleaned_data["valid_until"],
        industries=form.cleaned_data["industries"],
        by=request.user,
    )
    messages.success(request, _("The auditor is registered."))
    return redirect("auditor_list")


@login_required
@require_POST
@redirect_on_refusal(lambda request: reverse("auditor_list"))
def conflict_declare(request):
    cb = _cb_for(request, admin=True)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("auditor_list")
    data = form.cleaned_data
    auditor = Auditor.objects.filter(pk=data["auditor"], cb=cb).first()
    enterprise = Organisation.objects.filter(pk=data["enterprise"], kind=Organisation.Kind.ENTERPRISE).first()
    if auditor is None or enterprise is None:
        raise services.AuditRefused(_("Choose the auditor and the enterprise."))
    auditors.conflict_declare(
        auditor=auditor,
        enterprise=enterprise,
        kind=data["kind"],
        start=data["start"],
        end=data["end"],
        note=data["note"],
        by=request.user,
    )
    messages.success(request, _("The declaration is recorded."))
    return redirect("auditor_list")


@login_required
@require_GET
def audit_overdue(request):
    cb = _cb_for(request)
    rows = overdue_findings(cb=cb, today=timezone.localdate())
    return render(request, "audits/overdue.html", {"cb": cb, "rows": rows, "today": timezone.localdate()})


@login_required
@require_POST
def audit_overdue_escalate(request):
    cb = _cb_for(request)
    n = 0
    for case in services.Case.objects.filter(cb=cb, status=services.Case.Status.RECTIFICATION):
        n += len(findings.overdue_escalate(case=case, by=request.user))
    messages.success(request, _("%(n)s overdue nonconformities escalated.") % {"n": n})
    return redirect("audit_overdue")

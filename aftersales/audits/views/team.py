"""The audit plan and team, sending the plan, objections to an auditor and their answers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.accounts.models import Role
from aftersales.core.refusal import Refused
from aftersales.refusals import refusal_messages

from .. import auditors, plan, services
from ..access import (
    audit_access_for,
    audit_case_for,
    audit_child_for,
    is_enterprise_viewer,
)
from ..forms import (
    ObjectionAnswerForm,
    ObjectionForm,
    PlanForm,
    form_errors,
    rows_from,
)
from ..models import Auditor, Objection, TeamMember
from ..selectors import auditors_of, team_of
from .common import _back, _lang, refusals


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def audit_plan(request, pk: int):
    access, audit = audit_access_for(request, pk, need_audit=False)
    case = access.obj
    is_staff = access.holds(Role.CB_ADMIN, Role.REVIEWER)
    if audit is None and not is_staff:
        raise Http404
    if is_enterprise_viewer(access) and audit.sent_at is None:  # the enterprise sees the plan once sent
        raise Http404
    form, posted_rows, status = None, None, 200
    if request.method == "POST":
        case, audit = audit_case_for(request, pk, write="review", need_audit=False)
        form = PlanForm(request.POST)
        posted_rows = (
            rows_from(request.POST, "agenda", ("when", "activity", "who")),
            rows_from(request.POST, "sampling", ("item", "size", "what")),
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan.audit_plan_save(
                    case=case,
                    plan=plan.PlanInput(
                        mode=data["mode"],
                        start_date=data["start_date"],
                        end_date=data["end_date"],
                        man_days=data["man_days"],
                        sites=data["sites"],
                        agenda=posted_rows[0],
                        sampling=posted_rows[1],
                    ),
                    by=request.user,
                )
            except Refused as exc:
                refusal_messages(request, exc)  # the form keeps what was typed; nothing was saved
                status = 400
            else:
                messages.success(request, _("The plan is saved."))
                return redirect("audit_plan", pk=case.pk)
        else:
            messages.error(request, form_errors(form))
            status = 400
    if form is None:
        initial = plan.plan_defaults(case)
        if audit is not None:
            initial = {f: getattr(audit, f) for f in ("mode", "start_date", "end_date", "man_days", "sites")}
        form = PlanForm(initial=initial)
    editable = case.status == case.Status.CONTRACTED and is_staff
    agenda, sampling = posted_rows or (audit.agenda if audit else [], audit.sampling if audit else [])
    agenda = list(agenda) + [{}] * (2 if editable else 0)
    sampling = list(sampling) + [{}] * (2 if editable else 0)
    verdicts = auditors.picker(case, auditors_of(case.cb)) if editable and audit else []
    context = {
        "case": case,
        "audit": audit,
        "form": form,
        "editable": editable,
        "agenda": agenda,
        "sampling": sampling,
        "team": team_of(audit),
        "picker": [
            {"auditor": a, "allowed": v.allowed, "reasons": [r.get(_lang()) for r in v.reasons]} for a, v in verdicts
        ],
    }
    return render(request, "audits/plan.html", context, status=status)


@login_required
@require_POST
@refusals
def audit_team_set(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="review", need_audit=False)
    by_pk = {a.pk: a for a in auditors_of(case.cb)}
    try:
        leader = by_pk[int(request.POST.get("leader", 0))]
        members = [by_pk[int(x)] for x in request.POST.getlist("members") if x]
    except (KeyError, ValueError):
        raise services.AuditRefused(_("Choose the team leader and members from the registered auditors.")) from None
    plan.team_set(case=case, leader=leader, members=members, by=request.user)
    messages.success(request, _("The audit team is chosen."))
    return redirect("audit_plan", pk=case.pk)


@login_required
@require_POST
@refusals
def audit_plan_send(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="review")
    plan.plan_send(case=case, by=request.user)
    messages.success(request, _("The plan is sent to the enterprise."))
    return _back(request, case)


@login_required
@require_POST
@refusals
def audit_objection_raise(request, pk: int):
    case, audit = audit_case_for(request, pk, write="enterprise_admin")
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        raise services.AuditRefused(_("An objection names the auditor and gives a reason."))
    member = get_object_or_404(TeamMember, pk=form.cleaned_data["member"], audit=audit)
    plan.objection_raise(case=case, member=member, reason=form.cleaned_data["reason"], by=request.user)
    messages.success(request, _("Your objection is recorded; the certification body will answer it."))
    return _back(request, case)


@login_required
@require_POST
@refusals
def audit_objection_answer(request, pk: int, objection_id: int):
    case, _audit, objection = audit_child_for(request, pk, Objection, objection_id, write="review")
    form = ObjectionAnswerForm(request.POST)
    if not form.is_valid():
        raise services.AuditRefused(form_errors(form))
    replacement = None
    if form.cleaned_data["answer"] == "replace":
        replacement = Auditor.objects.filter(pk=form.cleaned_data["replacement"] or 0, cb=case.cb).first()
    plan.objection_answer(
        objection=objection,
        keep=form.cleaned_data["answer"] == "keep",
        reason=form.cleaned_data["reason"],
        replacement=replacement,
        by=request.user,
    )
    messages.success(request, _("The objection is answered."))
    return _back(request, case)

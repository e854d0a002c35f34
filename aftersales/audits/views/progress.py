"""The audit's steps (document review, audit, rectification) and the committee's decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.accounts.models import Role
from aftersales.policy import policy_on

from .. import decisions, findings, services, steps
from ..access import (
    audit_access_for,
    audit_case_for,
)
from ..forms import (
    DecisionForm,
    form_errors,
)
from ..presenters import level_choices
from ..selectors import team_of
from .common import _back, _lang, refusals


@login_required
@require_POST
@refusals
def audit_review_start(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="audit")
    steps.review_start(case=case, by=request.user)
    return redirect("audit_scoring", pk=case.pk)


@login_required
@require_POST
@refusals
def audit_start(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="audit")
    steps.audit_start(case=case, by=request.user, early_reason=request.POST.get("early_reason", ""))
    return redirect("audit_scoring", pk=case.pk)


@login_required
@require_POST
@refusals
def audit_rectification_start(request, pk: int):
    case, _audit = audit_case_for(request, pk, write="audit")
    findings.rectification_start(case=case, by=request.user)
    messages.success(request, _("Rectification has started; the enterprise sees the nonconformities and deadlines."))
    return redirect("audit_rectification", pk=case.pk)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def audit_decision(request, pk: int):
    access, audit = audit_access_for(request, pk)
    case = access.obj
    if request.method == "POST":
        case, audit = audit_case_for(request, pk, write="decide")
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise services.AuditRefused(form_errors(form))
        decision = decisions.decision_record(case=case, by=request.user, **form.cleaned_data)
        if decision is None:
            messages.success(request, _("Your vote is recorded; the decision is taken when the quorum agrees."))
        else:
            messages.success(request, _("The decision is recorded."))
        return _back(request, case)
    report = audit.reports.order_by("-number").first()
    if report is None:
        raise Http404
    context = {
        "case": case,
        "audit": audit,
        "report": report,
        "decisions": list(case.decisions.select_related("decided_by")),
        "votes": list(report.votes.select_related("member")),
        "quorum": policy_on(timezone.localdate()).committee_quorum,
        "can_decide": case.status == case.Status.REPORTED and access.holds(Role.COMMITTEE),
        "refusal": decisions.decision_refusal(request.user, case, audit),
        "outcomes": decisions.Decision.Outcome.choices,
        "levels": level_choices(_lang()),
        "team": team_of(audit),
    }
    return render(request, "audits/decision.html", context)

"""The scoring page: per-item htmx saves with version checks, evidence, special findings, findings per item."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.assessments.answering import answer_messages, answer_post
from aftersales.assessments.evidence import EvidenceRefused
from aftersales.assessments.forms import SpecialForm
from aftersales.assessments.item_messages import item_error, item_messages_placed
from aftersales.assessments.models import Evidence, SpecialFinding
from aftersales.assessments.services import AssessmentFrozen
from aftersales.core.problems import ProblemsError
from aftersales.uploads import stored_file_response

from .. import findings, scoring, services
from ..access import (
    audit_scores_access,
    audit_scores_for,
)
from ..forms import (
    FindingForm,
    form_errors,
)
from ..models import Nonconformity
from ..presenters import item_context, scoring_context
from .common import _lang, _scoring_url, refusals


@login_required
@require_GET
def audit_scoring(request, pk: int):
    access, audit = audit_scores_access(request, pk)
    context = scoring_context(request, access, audit, _lang())
    return render(request, "audits/scoring.html", item_messages_placed(request, context))


@login_required
@require_POST
def audit_answer_save(request, pk: int, code: str):
    access, audit = audit_scores_access(request, pk, write="audit")
    case = access.obj
    errors, conflict = answer_post(
        request,
        partial(scoring.audit_answer_save, audit=audit, item_code=code),
        refused={services.AuditRefused: "", AssessmentFrozen: _("The audit can no longer change.")},
    )
    if request.headers.get("HX-Request") != "true":
        answer_messages(request, code, errors, conflict)
        return redirect(_scoring_url(case, f"item-{code}"))
    context = item_context(
        request,
        access,
        audit,
        code,
        _lang(),
        errors=errors,
        conflict=conflict,
        posted=request.POST if (errors or conflict) else None,
    )
    return render(request, "audits/scoring.html#item-saved", context)


@login_required
@require_POST
@refusals
def audit_remaining_conform(request, pk: int):
    """Score every item not scored yet "conform" (the team overrides single items after)."""
    case, audit = audit_scores_for(request, pk, write="audit")
    codes = scoring.audit_remaining_conform(audit=audit, by=request.user)
    messages.success(request, _("%(n)s items not answered yet are now “conform”.") % {"n": len(codes)})
    return redirect(_scoring_url(case, ""))


@login_required
@require_POST
@refusals
def audit_special_add(request, pk: int):
    case, audit = audit_scores_for(request, pk, write="audit")
    form = SpecialForm(request.POST)
    if not form.is_valid():
        raise services.AuditRefused(_("A special finding needs a type, a kind (for deductions) and a reason."))
    try:
        scoring.audit_special_add(audit=audit, by=request.user, **form.cleaned_data)
    except ProblemsError as exc:
        raise services.AuditRefused("; ".join(p.message(_lang()) for p in exc.problems)) from None
    return redirect(_scoring_url(case, "specials"))


@login_required
@require_POST
@refusals
def audit_special_remove(request, pk: int, finding_id: int):
    case, audit = audit_scores_for(request, pk, write="audit")
    finding = get_object_or_404(SpecialFinding, pk=finding_id, assessment_id=audit.assessment_id)
    scoring.audit_special_remove(audit=audit, finding=finding, by=request.user)
    return redirect(_scoring_url(case, "specials"))


@login_required
@require_POST
@refusals
def audit_evidence_upload(request, pk: int, code: str):
    case, audit = audit_scores_for(request, pk, write="audit")
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise EvidenceRefused(_("Choose a file to upload."))
        scoring.audit_evidence_add(audit=audit, item_code=code, upload=upload, by=request.user)
    except EvidenceRefused as exc:  # shown at the item, in its opened evidence panel
        for problem in exc.problems:
            item_error(request, code, problem)
    return redirect(_scoring_url(case, f"item-{code}"))


@login_required
@require_GET
def audit_evidence_download(request, pk: int, evidence_id: int):
    _case, _audit = audit_scores_for(request, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_id, assessment__case_id=pk, assessment__kind="audit")
    return stored_file_response(evidence)


@login_required
@require_POST
@refusals
def audit_finding_add(request, pk: int, code: str):
    case, audit = audit_scores_for(request, pk, write="audit")
    form = FindingForm(request.POST)
    if not form.is_valid():
        raise services.AuditRefused(form_errors(form))
    findings.finding_raise(audit=audit, item_code=code, by=request.user, **form.cleaned_data)
    return redirect(_scoring_url(case, f"item-{code}"))


@login_required
@require_POST
@refusals
def audit_finding_remove(request, pk: int, finding_id: int):
    case, audit = audit_scores_for(request, pk, write="audit")
    finding = get_object_or_404(Nonconformity, pk=finding_id, audit=audit)
    findings.finding_remove(finding=finding, by=request.user)
    return redirect(_scoring_url(case, f"item-{finding.item_code}"))

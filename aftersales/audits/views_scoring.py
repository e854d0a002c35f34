"""Pages of the audits app, part 2: the audit scoring page (per-item htmx save with version
checks, evidence, special findings, findings per item), rectification and the report."""

from __future__ import annotations

import logging
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.assessments.answering import answer_messages, answer_post
from aftersales.assessments.forms import SpecialForm
from aftersales.assessments.models import Evidence, SpecialFinding
from aftersales.assessments.services import AssessmentFrozen
from aftersales.core.problems import ProblemsError
from aftersales.pdf import ReportUnavailable, stored_pdf

from . import findings, reporting, scoring, services
from .access import audit_access_for, audit_case_for, audit_scores_access, audit_scores_for, is_enterprise_viewer
from .forms import FindingAnswerForm, FindingForm, ReportForm, VerifyForm, form_errors
from .models import Nonconformity, RectificationFile
from .presenters import RECTIFICATION_VISIBLE, findings_rows, item_context, scoring_context
from .report import report_context
from .views import _lang, refusals

log = logging.getLogger(__name__)


def _scoring_url(case, anchor: str = "") -> str:
    return reverse("audit_scoring", args=[case.pk]) + (f"#{anchor}" if anchor else "")


@login_required
@require_GET
def audit_scoring(request, pk: int):
    access, audit = audit_scores_access(request, pk)
    return render(request, "audits/scoring.html", scoring_context(request, access, audit, _lang()))


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
    finding = SpecialFinding.objects.filter(pk=finding_id, assessment_id=audit.assessment_id).first()
    if finding is None:
        raise Http404
    scoring.audit_special_remove(audit=audit, finding=finding, by=request.user)
    return redirect(_scoring_url(case, "specials"))


@login_required
@require_POST
@refusals
def audit_evidence_upload(request, pk: int, code: str):
    case, audit = audit_scores_for(request, pk, write="audit")
    upload = request.FILES.get("file")
    if upload is None:
        raise services.AuditRefused(_("Choose a file to upload."))
    scoring.audit_evidence_add(audit=audit, item_code=code, upload=upload, by=request.user)
    return redirect(_scoring_url(case, f"item-{code}"))


@login_required
@require_GET
def audit_evidence_download(request, pk: int, evidence_id: int):
    _case, _audit = audit_scores_for(request, pk)
    evidence = Evidence.objects.filter(pk=evidence_id, assessment__case_id=pk, assessment__kind="audit").first()
    if evidence is None:
        raise Http404
    return _file(evidence)


def _file(row):
    response = FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Digest"] = f"sha-256={row.sha256}"
    return response


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
    finding = Nonconformity.objects.filter(pk=finding_id, audit=audit).first()
    if finding is None:
        raise Http404
    findings.finding_remove(finding=finding, by=request.user)
    return redirect(_scoring_url(case, f"item-{finding.item_code}"))


# ------------------------------------------------------------------------------ rectification


def _rectification_access(request, pk: int, *, write: str | None = None):
    """(access to the case, audit): the enterprise sees the findings once rectification has started."""
    access, audit = audit_access_for(request, pk, write=write)
    if is_enterprise_viewer(access) and access.obj.status not in RECTIFICATION_VISIBLE:
        raise Http404
    return access, audit


def _rectification_for(request, pk: int, *, write: str | None = None):
    """(case, audit) by `_rectification_access`."""
    access, audit = _rectification_access(request, pk, write=write)
    return access.obj, audit


@login_required
@require_GET
def audit_rectification(request, pk: int):
    access, audit = _rectification_access(request, pk)
    case = access.obj
    rows = findings_rows(
        list(audit.findings.select_related("raised_by", "answered_by", "verified_by").prefetch_related("files")),
        timezone.localdate(),
    )
    enterprise = is_enterprise_viewer(access)
    context = {
        "case": case,
        "audit": audit,
        "rows": rows,
        "overdue": sum(1 for r in rows if r["overdue"]),
        "can_answer": case.status == case.Status.RECTIFICATION and access.can("enterprise"),
        "can_verify": case.status == case.Status.RECTIFICATION and access.can("audit"),
        "effect": None if enterprise and not audit.reports.exists() else reporting.score_effect(audit),
    }
    return render(request, "audits/rectification.html", context)


@login_required
@require_POST
@refusals
def audit_finding_answer(request, pk: int, finding_id: int):
    case, audit = _rectification_for(request, pk, write="enterprise")
    finding = Nonconformity.objects.filter(pk=finding_id, audit=audit).first()
    if finding is None:
        raise Http404
    form = FindingAnswerForm(request.POST)
    form.is_valid()
    upload = request.FILES.get("file")
    with transaction.atomic():  # the answer and its file, or neither
        findings.finding_answer(
            finding=finding, by=request.user, **{k: form.cleaned_data.get(k, "") for k in form.fields}
        )
        if upload is not None:
            findings.finding_file_add(finding=finding, upload=upload, by=request.user)
    messages.success(request, _("Your answer is recorded; the audit team will verify it."))
    return redirect(reverse("audit_rectification", args=[case.pk]) + f"#finding-{finding.pk}")


@login_required
@require_POST
@refusals
def audit_finding_file(request, pk: int, finding_id: int):
    case, audit = _rectification_for(request, pk, write="enterprise")
    finding = Nonconformity.objects.filter(pk=finding_id, audit=audit).first()
    if finding is None:
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        raise services.AuditRefused(_("Choose a file to upload."))
    findings.finding_file_add(finding=finding, upload=upload, by=request.user)
    return redirect(reverse("audit_rectification", args=[case.pk]) + f"#finding-{finding.pk}")


@login_required
@require_GET
def audit_finding_file_download(request, pk: int, file_id: int):
    _case, audit = _rectification_for(request, pk)
    row = RectificationFile.objects.filter(pk=file_id, finding__audit=audit).first()
    if row is None:
        raise Http404
    return _file(row)


@login_required
@require_POST
@refusals
def audit_finding_verify(request, pk: int, finding_id: int):
    case, audit = _rectification_for(request, pk, write="audit")
    finding = Nonconformity.objects.filter(pk=finding_id, audit=audit).first()
    if finding is None:
        raise Http404
    form = VerifyForm(request.POST)
    if not form.is_valid():
        raise services.AuditRefused(form_errors(form))
    findings.finding_verify(
        finding=finding,
        accept=form.cleaned_data["accept"] == "yes",
        reason=form.cleaned_data["reason"],
        by=request.user,
    )
    return redirect(reverse("audit_rectification", args=[case.pk]) + f"#finding-{finding.pk}")


# ------------------------------------------------------------------------------------- report


@login_required
@require_POST
@refusals
def audit_report_save(request, pk: int):
    """The leader's draft conclusion (action=save) or the final report (action=issue)."""
    case, audit = audit_case_for(request, pk, write="audit")
    form = ReportForm(request.POST)
    form.is_valid()
    data = {k: form.cleaned_data.get(k, "") for k in form.fields}
    if request.POST.get("action") == "issue":
        reporting.report_issue(case=case, by=request.user, **data)
        messages.success(request, _("The final audit report is issued."))
    else:
        reporting.report_draft_save(audit=audit, by=request.user, **data)
        messages.success(request, _("The draft conclusion is saved."))
    return redirect(reverse("audit_scoring", args=[case.pk]) + "#report")


@login_required
@require_GET
def audit_report_pdf(request, pk: int):
    case, audit = audit_scores_for(request, pk)
    lang = _lang()
    context = report_context(case, audit, lang)

    def html_for(generated_at):
        return render_to_string("audits/report.html", {**context, "generated_at": generated_at}, request=request)

    try:
        pdf = stored_pdf(folder=f"audit-report/{case.pk}", variant=lang, html_for=html_for)
    except ReportUnavailable as exc:
        log.error("PDF report unavailable: %s", exc)
        return render(request, "assessments/report_unavailable.html", {"assessment": audit.assessment}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"audit-{case.reference}{'' if context['final'] else '-draft'}.pdf"
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response

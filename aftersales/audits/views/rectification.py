"""Rectification: the enterprise answers nonconformities with evidence, the audit team verifies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.uploads import stored_file_response

from .. import findings, reporting, services
from ..access import audit_access_for, is_enterprise_viewer
from ..forms import (
    FindingAnswerForm,
    VerifyForm,
    form_errors,
)
from ..models import Nonconformity, RectificationFile
from ..presenters import RECTIFICATION_VISIBLE, findings_rows
from .common import refusals


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
    finding = get_object_or_404(Nonconformity, pk=finding_id, audit=audit)
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
    finding = get_object_or_404(Nonconformity, pk=finding_id, audit=audit)
    upload = request.FILES.get("file")
    if upload is None:
        raise services.AuditRefused(_("Choose a file to upload."))
    findings.finding_file_add(finding=finding, upload=upload, by=request.user)
    return redirect(reverse("audit_rectification", args=[case.pk]) + f"#finding-{finding.pk}")


@login_required
@require_GET
def audit_finding_file_download(request, pk: int, file_id: int):
    _case, audit = _rectification_for(request, pk)
    row = get_object_or_404(RectificationFile, pk=file_id, finding__audit=audit)
    return stored_file_response(row)


@login_required
@require_POST
@refusals
def audit_finding_verify(request, pk: int, finding_id: int):
    case, audit = _rectification_for(request, pk, write="audit")
    finding = get_object_or_404(Nonconformity, pk=finding_id, audit=audit)
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

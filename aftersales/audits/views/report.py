"""The final audit report: saving its draft and its PDF."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.confirm import confirmation_page
from aftersales.pdf import ReportUnavailable, stored_pdf

from .. import reporting
from ..access import audit_case_for, audit_scores_for
from ..forms import (
    ReportForm,
)
from ..report import report_context
from .common import _lang, refusals

log = logging.getLogger(__name__)


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
        ask = confirmation_page(
            request,
            question=_("Issue the final audit report of %(reference)s?") % {"reference": case.reference},
            consequence=_(
                "The audit's scoring is frozen and the report goes to the review committee; it can no longer change."
            ),
            button=_("Yes, issue the final report"),
            back=reverse("case_detail", args=[case.pk]) + "#audit",
        )
        if ask is not None:
            return ask
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

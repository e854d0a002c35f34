"""The assessment's PDF report (made once per version of its page, then read from storage)."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from aftersales.core.text import normalise_language
from aftersales.pdf import ReportUnavailable, stored_pdf

from .access import assessment_access
from .report import report_context

log = logging.getLogger(__name__)


@login_required
@require_GET
def assessment_report_pdf(request, pk: int):
    access = assessment_access(request, pk)
    assessment = access.obj
    lang = normalise_language(get_language())
    context = report_context(request, access, lang)

    def html_for(generated_at):
        return render_to_string("assessments/report.html", {**context, "generated_at": generated_at}, request=request)

    try:
        pdf = stored_pdf(folder=f"assessment-report/{assessment.pk}", variant=lang, html_for=html_for)
    except ReportUnavailable as exc:
        log.error("PDF report unavailable: %s", exc)
        return render(request, "assessments/report_unavailable.html", {"assessment": assessment}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"assessment-{assessment.pk}.pdf")
    return response

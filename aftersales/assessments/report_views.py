"""The assessment's PDF report."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from aftersales.core.text import normalise_language

from .access import assessment_for
from .report import ReportUnavailable, pdf_from_html, report_context

log = logging.getLogger(__name__)


@login_required
@require_GET
def assessment_report_pdf(request, pk: int):
    assessment = assessment_for(request, pk)
    context = report_context(request, assessment, normalise_language(get_language()))
    html = render_to_string("assessments/report.html", context, request=request)
    try:
        pdf = pdf_from_html(html)
    except ReportUnavailable as exc:
        log.error("PDF report unavailable: %s", exc)
        return render(request, "assessments/report_unavailable.html", {"assessment": assessment}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"assessment-{assessment.pk}.pdf")
    return response

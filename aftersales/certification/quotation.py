"""The quotation as a PDF in Chinese (`aftersales.pdf`, as the reports), made once per version of its
page and then read from storage."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from aftersales.core import fees
from aftersales.core.mandays import KIND_TEXT
from aftersales.pdf import FONT_FAMILY, ReportUnavailable, font_faces, stored_pdf
from aftersales.policy import policy_on

from .access import case_for
from .models import Application, Case, Quotation, Review

log = logging.getLogger(__name__)

# the document is Chinese whatever the UI language, and must not wait for the translation catalogue
MODE_ZH = {"on_site": "现场审核", "remote": "远程审核", "mixed": "现场与远程结合"}


def quotation_terms(quotation: Quotation, lang: str) -> dict:
    """What a quotation states besides its lines: the VAT statement stored with it (from the fee
    table) and the CB's contact and bank details from its policy in force on the quotation's day."""
    statement = fees.tax_statement(quotation.lines.get("tax"))
    policy = policy_on(timezone.localdate(quotation.created_at))
    return {"tax_statement": statement.get(lang) if statement else "", "contact": policy.cb_contact}


def quotation_context(case: Case, quotation: Quotation) -> dict:
    review = Review.objects.filter(case=case).first()
    application = Application.objects.filter(case=case).first()
    calculation = review.calculation.get("lines", []) if review else []
    return {
        "case": case,
        "quotation": quotation,
        "review": review,
        "application": application,
        "lines": [{**ln, "label": ln["zh-Hans"]} for ln in quotation.lines["lines"]],
        "calculation": [{**ln, "label": ln["zh-Hans"]} for ln in calculation],
        "kind_zh": KIND_TEXT[case.kind].zh,
        "mode_zh": MODE_ZH.get(review.audit_mode, "") if review else "",
        "font_faces": font_faces(),
        "font_family": FONT_FAMILY,
        **quotation_terms(quotation, "zh-hans"),
    }


def quotation_pdf(case: Case, quotation: Quotation) -> bytes:
    """The quotation page, always in Chinese (the document the contract refers to), as a PDF made
    once per version of the page (`aftersales.pdf.stored_pdf`)."""
    context = quotation_context(case, quotation)

    def html_for(generated_at) -> str:
        with translation.override("zh-hans"):
            return render_to_string("certification/quotation.html", {**context, "generated_at": generated_at})

    return stored_pdf(folder=f"quotation/{case.pk}", variant="zh-hans", html_for=html_for)


@login_required
@require_GET
def case_quotation_pdf(request, pk: int):
    case = case_for(request, pk)
    quotation = Quotation.objects.filter(case=case).first()
    if quotation is None:
        raise Http404
    try:
        pdf = quotation_pdf(case, quotation)
    except ReportUnavailable as exc:
        log.error("PDF quotation unavailable: %s", exc)
        return render(request, "assessments/report_unavailable.html", {"assessment": None}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"quotation-{case.reference}.pdf")
    return response

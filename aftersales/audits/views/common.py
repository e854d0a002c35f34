"""What the audits pages share: the page language, links back to the case, where a refused step returns."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from aftersales.core.text import normalise_language
from aftersales.refusals import redirect_on_refusal, safe_next


def _lang() -> str:
    return normalise_language(get_language())


def case_url(case) -> str:
    return case_url_pk(case.pk)


def case_url_pk(pk: int) -> str:
    """The case page (the certification app's) if it exists, else the audit plan page."""
    try:
        return reverse("case_detail", args=[pk])
    except NoReverseMatch:
        return reverse("audit_plan", args=[pk])


def _refused_back(request, *args, **kwargs) -> str:
    """Where a refused step sends the user: the page it came from (`next`), else the case."""
    pk = kwargs.get("pk")
    return safe_next(request) or (case_url_pk(pk) if pk else "/")


refusals = redirect_on_refusal(_refused_back)


def _back(request, case):
    return redirect(safe_next(request) or case_url(case))


def _scoring_url(case, anchor: str = "") -> str:
    return reverse("audit_scoring", args=[case.pk]) + (f"#{anchor}" if anchor else "")

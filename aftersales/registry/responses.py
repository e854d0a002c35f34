"""The registry's answers as HTTP responses, the same from the fast path (middleware.py), the views
and the API: a published answer with its headers, and the 429 of the rate limit."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.csp import CSP, build_policy
from django.utils.translation import gettext

from .publish import JSON, fill, language_links


def respond(kind: str, body: str | bytes) -> HttpResponse:
    """The answer with its headers; the same from the fast path and from the views. With its
    Content-Length: the fast path answers before CommonMiddleware, which would add it, and without
    it the server sends the answer chunked, in several writes."""
    content = fill(kind, body)
    if kind == JSON:
        response = HttpResponse(content, content_type="application/json")
    else:
        response = HttpResponse(content, content_type="text/html; charset=utf-8")
        response["Content-Language"] = kind.removeprefix("html:")
        response["Vary"] = "Accept-Language, Cookie"
    response["Content-Length"] = str(len(content))
    for header, policy in _csp():  # what ContentSecurityPolicyMiddleware would add, built once
        response[header] = policy
    return response


_csp_built: list = [None, ()]  # [the settings it was built from, ((header, policy), ...)]


def _csp() -> tuple[tuple[str, str], ...]:
    """The Content-Security-Policy headers of a published answer: SECURE_CSP and
    SECURE_CSP_REPORT_ONLY as Django's middleware builds them, with no nonce (a published answer is
    the same bytes for everyone and has no inline script). Built again only when the settings
    change; the middleware leaves a header the response already has."""
    configs = (settings.SECURE_CSP, settings.SECURE_CSP_REPORT_ONLY)
    if _csp_built[0] is None or any(a is not b for a, b in zip(_csp_built[0], configs, strict=True)):
        headers = ((str(CSP.HEADER_ENFORCE), configs[0]), (str(CSP.HEADER_REPORT_ONLY), configs[1]))
        _csp_built[:] = [configs, tuple((h, build_policy(c)) for h, c in headers if c)]
    return _csp_built[1]


def too_many(request, wait: int, *, json: bool = False):
    """429 with Retry-After: a friendly page, or a JSON body for the API."""
    if json:
        detail = gettext("Too many requests from your address: please wait a minute.")
        response = JsonResponse({"detail": detail, "problems": [detail], "retry_after": wait}, status=429)
    else:
        context = {"wait": wait, "language_links": language_links(request.GET)}
        response = render(request, "registry/too_many.html", context, status=429)
    response["Retry-After"] = str(wait)
    response["Content-Length"] = str(len(response.content))  # the fast path answers before CommonMiddleware
    return response

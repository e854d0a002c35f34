"""The public registry's pages, JSON and published signing keys; no login (docs/certificates.md)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from aftersales.api_errors import refusal_body
from aftersales.certificates.payload import registry_url
from aftersales.certificates.qr import qr_svg
from aftersales.certificates.selectors import surveillance_states
from aftersales.certificates.signing import published_keys
from aftersales.core.certnumber import number_normalise

from .presenters import verification_code
from .publish import JSON, Answer, answer, fill, language_links
from .selectors import registry_entry, registry_search

PAGE_SIZE = 20


@require_safe
def registry_search_page(request):
    query = request.GET.get("q", "").strip()[:200]
    page, rows = None, []
    if query:  # each row with its surveillance standing (one query for the page)
        page = Paginator(registry_search(query), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(zip(page, surveillance_states(page, timezone.localdate()).values(), strict=True))
    with translation.override(language(request)):
        context = {"query": query, "page": page, "rows": rows, "language_links": language_links(request.GET)}
        return render(request, "registry/search.html", context)


def language(request, *, early: bool = False) -> str:
    """The page's language: `?lang=` when it names one the site offers (any case), else the visitor's:
    the active language, or `early` (before the locale middleware) the cookie's or the browser's."""
    code = request.GET.get("lang", "").lower()
    if code in dict(settings.LANGUAGES):
        return code
    return translation.get_language_from_request(request) if early else translation.get_language()


@require_safe
def registry_detail(request, number: str, lang: str | None = None):
    key = number_normalise(number)
    if key != number:  # the normal form, keeping ?lang=
        response = redirect("registry_detail", key, permanent=True)
        if request.GET:
            response["Location"] += f"?{request.GET.urlencode()}"
        return response
    return respond(request, answer(f"html:{lang or language(request)}", key))


@require_safe
def registry_json(request, number: str):
    """One certificate's public record as JSON, any form of the number (presenters.entry_json)."""
    try:
        return respond(request, answer(JSON, number_normalise(number)))
    except Http404:
        return JsonResponse(refusal_body("Not Found"), status=404)


@require_safe
def registry_verify(request, number: str):
    """One printable page for a tender file: what the registry shows now, with a code over it."""
    entry = registry_entry(number)
    c = entry.certificate
    now = timezone.localtime().replace(microsecond=0)
    url = registry_url(c.number)
    code = verification_code(number=c.number, version=c.version_count, status=c.status, at=now.isoformat())
    qr = qr_svg(url, title=c.number, css_class="reg-qr-code", border=4)
    context = {"entry": entry, "c": c, "v": entry.version, "now": now, "url": url, "code": code, "qr": qr}
    return render(request, "registry/verify.html", context)


@require_safe
def signing_keys(request):
    """The public keys certificates are signed with (Ed25519), for verifying a PDF offline."""
    response = JsonResponse({"keys": published_keys()}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={max(settings.REGISTRY_CACHE_SECONDS, 0)}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def respond(request, found: Answer) -> HttpResponse:
    """The answer with its headers, or 304 when the client's copy states the same record (docs/certificates.md)."""
    content = fill(found.kind, found.body)
    headers = {"ETag": found.etag, "Content-Length": str(len(content)), "Cache-Control": "no-cache"}
    if found.kind != JSON:
        headers |= {"Content-Language": found.kind.removeprefix("html:"), "Vary": "Accept-Language, Cookie"}
    last_modified = found.published if found.published < int(time.time()) else None
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    response = HttpResponse(content, content_type=TYPES[found.kind == JSON], headers=headers)
    if not CONDITIONS.isdisjoint(request.META):
        return get_conditional_response(request, etag=found.etag, last_modified=last_modified, response=response)
    return response


TYPES = ("text/html; charset=utf-8", "application/json")
CONDITIONS = {"HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE"}

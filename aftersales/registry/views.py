"""The public registry: search, a certificate's public record (its page and its JSON), the
printable verification page, the published signing keys. No login; rate limited per client
address (middleware.py). docs/certificates.md, "The public registry"."""

from __future__ import annotations

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
from aftersales.certificates.signing import published_keys
from aftersales.core.certnumber import number_normalise

from .presenters import verification_code
from .publish import JSON, Answer, answer, fill, html_kind, language_links
from .selectors import registry_entry, registry_search

PAGE_SIZE = 20


@require_safe
def registry_search_page(request):
    query = request.GET.get("q", "").strip()[:200]
    page = None
    if query:
        page = Paginator(registry_search(query), PAGE_SIZE).get_page(request.GET.get("page"))
    with translation.override(_language(request)):
        context = {"query": query, "page": page, "language_links": language_links(request.GET)}
        return render(request, "registry/search.html", context)


def _language(request) -> str:
    """The page's language: `?lang=` when it names one the site offers, else the visitor's."""
    kind = html_kind(request.GET.get("lang", ""))
    return kind.removeprefix("html:") if kind else translation.get_language()


@require_safe
def registry_detail(request, number: str):
    key = number_normalise(number)
    if key != number:  # the normal form, keeping ?lang=
        response = redirect("registry_detail", key, permanent=True)
        if request.GET:
            response["Location"] += f"?{request.GET.urlencode()}"
        return response
    return respond(request, answer(f"html:{_language(request)}", key))


@require_safe
def registry_json(request, number: str):
    """One certificate's public record as JSON (`/api/registry/<number>`, any form of the number):
    the page's fields, codes rather than labels (presenters.entry_json; docs/certificates.md)."""
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
    """The answer with its headers, or 304 when the client's copy states the same record.

    The ETag names the kind, the certificate's head and the release, not the time of reading: a
    304 tells the client that the record it holds is still the current one. Last-Modified is when
    the answer was rendered, sent only once that second has passed (so that a change in the same
    second cannot hide behind an equal date). Clients must revalidate (`no-cache`)."""
    content, etag = fill(found.kind, found.body), found.etag
    if found.kind == JSON:
        response = HttpResponse(content, content_type="application/json")
    else:
        response = HttpResponse(content, content_type="text/html; charset=utf-8")
        response["Content-Language"] = found.kind.removeprefix("html:")
        response["Vary"] = "Accept-Language, Cookie"
    response["ETag"] = etag
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "no-cache"
    last_modified = None
    if int(found.published_at.timestamp()) < int(timezone.now().timestamp()):
        last_modified = int(found.published_at.timestamp())
        response["Last-Modified"] = http_date(last_modified)
    return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)

"""The public registry: search, a certificate's public record, the printable verification page,
the published signing keys. No login; rate limited per client address (ratelimit.py); a
certificate's rendered record is cached per number and language (cache.py). What is public is
written down in selectors.py."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from aftersales.certificates.payload import registry_url
from aftersales.certificates.qr import qr_svg
from aftersales.core.certnumber import number_normalise

from .cache import cached
from .presenters import event_label, verification_code
from .ratelimit import retry_after
from .selectors import registry_entry, registry_search

PAGE_SIZE = 20


def too_many(request, wait: int, *, json: bool = False):
    """429 with Retry-After: a friendly page, or a JSON body for the API."""
    if json:
        detail = gettext("Too many requests from your address: please wait a minute.")
        response = JsonResponse({"detail": detail, "retry_after": wait}, status=429)
    else:
        response = render(request, "registry/too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def as_of() -> str:
    """Now, to the second, in the site's time zone (Asia/Shanghai), as printed on the pages."""
    return timezone.localtime().replace(microsecond=0).isoformat()


@require_safe
def registry_search_page(request):
    if (wait := retry_after(request)) is not None:
        return too_many(request, wait)
    query = request.GET.get("q", "").strip()[:200]
    page = None
    if query:
        page = Paginator(registry_search(query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "registry/search.html", {"query": query, "page": page})


def _detail_content(number: str) -> dict:
    """The page's cached part: everything about the certificate, rendered (the site frame,
    which shows who is logged in and carries their CSRF token, is rendered per request)."""
    entry = registry_entry(number)
    c = entry.certificate
    events = [(e, event_label(e.action, e.from_status, e.to_status)) for e in reversed(entry.events)]
    body = render_to_string(
        "registry/_record.html",
        {"entry": entry, "c": c, "v": entry.version, "events": events, "as_of": timezone.localtime()},
    )
    return {"number": c.number, "name": c.name, "body": body}


@require_safe
def registry_detail(request, number: str):
    if (wait := retry_after(request)) is not None:
        return too_many(request, wait)
    key = number_normalise(number)
    if key != number:
        return redirect("registry_detail", key, permanent=True)
    content = cached(f"html:{translation.get_language()}", key, lambda: _detail_content(key))
    return render(request, "registry/detail.html", content)


@require_safe
def registry_verify(request, number: str):
    """One printable page for a tender file: what the registry shows now, with a code over it."""
    if (wait := retry_after(request)) is not None:
        return too_many(request, wait)
    entry = registry_entry(number)
    c = entry.certificate
    now = timezone.localtime().replace(microsecond=0)
    url = registry_url(c.number)
    code = verification_code(number=c.number, version=c.version_count, status=c.status, at=now.isoformat())
    qr = qr_svg(url, title=c.number, css_class="reg-qr-code", border=4)
    return render(
        request,
        "registry/verify.html",
        {"entry": entry, "c": c, "v": entry.version, "now": now, "url": url, "code": code, "qr": qr},
    )


@require_safe
def signing_keys(request):
    """The public keys certificates are signed with (Ed25519), for verifying a PDF offline."""
    from aftersales.certificates.signing import published_keys

    response = JsonResponse({"keys": published_keys()}, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = f"public, max-age={max(settings.REGISTRY_CACHE_SECONDS, 0)}"
    response["Access-Control-Allow-Origin"] = "*"
    return response

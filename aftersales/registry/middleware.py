"""The registry's gate: every registry URL counts against the rate limit, and a visitor without a
session gets a certificate's page or JSON from its view here, before the session, CSRF, auth and
messages middleware (docs/certificates.md, "The public registry")."""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext

from aftersales.accounts.forms import client_ip
from aftersales.api_errors import refusal_body

from . import views
from .publish import language_links

# the two lookups by number, as registry/urls.py routes them: a certificate's page and its JSON
LOOKUP = re.compile(r"/registry/([^/]+)/|/api/registry/([^/]+)")
WINDOW = 60  # seconds of the rate limit's window


class RegistryGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(("/registry/", "/api/registry/")):
            return self.get_response(request)
        if (wait := retry_after(request)) is not None:
            with translation.override(views.language(request, early=True)):
                return too_many(request, wait, json=path.startswith("/api/"))
        if settings.SESSION_COOKIE_NAME not in request.COOKIES and (match := LOOKUP.fullmatch(path)):
            page, number = match.groups()
            if page is None:
                return views.registry_json(request, number)
            return views.registry_detail(request, page, lang=views.language(request, early=True))
        return self.get_response(request)  # the locale middleware sets the language


def retry_after(request, *, now: float | None = None) -> int | None:
    """Count this request against REGISTRY_RATE_LIMIT a minute per client address (a fixed window in
    the cache); None if it may be answered, else the seconds until the next window."""
    limit = settings.REGISTRY_RATE_LIMIT
    if limit <= 0:  # 0 switches the limit off
        return None
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    key = f"registry:rate:{client_ip(request) or 'unknown'}:{window}"
    try:  # one cache operation per request: the counter exists for all but the window's first
        count = cache.incr(key)
    except ValueError:  # the first of the window, unless another request created it meanwhile
        count = 1 if cache.add(key, 1, WINDOW + 1) else cache.incr(key)
    return None if count <= limit else max(1, int((window + 1) * WINDOW - now + 0.999))


def too_many(request, wait: int, *, json: bool = False):
    """429 with Retry-After: a friendly page, or a JSON body for the API."""
    if json:
        detail = gettext("Too many requests from your address: please wait a minute.")
        response = JsonResponse(refusal_body(detail) | {"retry_after": wait}, status=429)
    else:
        context = {"wait": wait, "language_links": language_links(request.GET)}
        response = render(request, "registry/too_many.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response

"""The registry's gate, below the security headers and the database-unavailable page: every
registry URL counts against the rate limit (ratelimit.py; 429 with Retry-After, in the page's
language, or JSON for the API), and the two lookups by number, a certificate's page and its JSON,
are answered here by the views their URLs name, before the session, CSRF, authentication and
messages middleware, which they do not use. Only for visitors without a session: a signed-in
visitor's page is in their account's language, which only the session tells, so theirs go
through the whole stack to the same views."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext

from aftersales.api_errors import refusal_body

from .publish import html_kind, language_links
from .ratelimit import retry_after

API, PAGES = "/api/registry/", "/registry/"
LOOKUPS = {"registry_detail", "registry_api_certificate"}


class RegistryGate:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not path.startswith((PAGES, API)):
            return self.get_response(request)
        kind = html_kind(request.GET.get("lang", ""))
        with translation.override(kind[5:] if kind else translation.get_language_from_request(request)):
            if (wait := retry_after(request)) is not None:
                return too_many(request, wait, json=path.startswith(API))
            if settings.SESSION_COOKIE_NAME not in request.COOKIES:
                try:
                    match = resolve(path)
                except Resolver404:
                    match = None
                if match is not None and match.url_name in LOOKUPS:
                    request.resolver_match = match
                    return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)


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

"""The registry's answers as HTTP responses, the same from the views and the API: an answer with
its validators (ETag, Last-Modified; a conditional GET is answered 304), and the 429 of the rate
limit."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext

from .publish import JSON, Answer, fill, language_links


def respond(request, found: Answer) -> HttpResponse:
    """The answer with its headers, or 304 when the client's copy states the same record.

    The ETag names the kind, the certificate's head and the release, not the time of reading: a
    304 tells the client that the record it holds is still the current one. Last-Modified is when
    the answer was rendered, sent only once that second has passed (so that a change in the same
    second cannot hide behind an equal date). Clients must revalidate (`no-cache`)."""
    content = fill(found.kind, found.body)
    if found.kind == JSON:
        response = HttpResponse(content, content_type="application/json")
    else:
        response = HttpResponse(content, content_type="text/html; charset=utf-8")
        response["Content-Language"] = found.kind.removeprefix("html:")
        response["Vary"] = "Accept-Language, Cookie"
    response["ETag"] = found.etag
    response["Cache-Control"] = "no-cache"
    last_modified = None
    if int(found.published_at.timestamp()) < int(timezone.now().timestamp()):
        last_modified = int(found.published_at.timestamp())
        response["Last-Modified"] = http_date(last_modified)
    return get_conditional_response(request, etag=found.etag, last_modified=last_modified, response=response)


def too_many(request, wait: int, *, json: bool = False):
    """429 with Retry-After: a friendly page, or a JSON body for the API."""
    if json:
        detail = gettext("Too many requests from your address: please wait a minute.")
        response = JsonResponse({"detail": detail, "problems": [detail], "retry_after": wait}, status=429)
    else:
        context = {"wait": wait, "language_links": language_links(request.GET)}
        response = render(request, "registry/too_many.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response

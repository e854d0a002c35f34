"""The registry's published answers by number, before the rest of the middleware stack.

A tender evaluator's lookup — `GET /api/registry/<number>` or `GET /registry/<number>/` (with at
most `?lang=`) — needs no session, CSRF, authentication or message handling, and not the URL
resolver either: the answer is published (publish.py), the same bytes for everyone. This
middleware, placed after the security headers and before the session, counts the request against
the rate limit and answers with the published row in one indexed read — or, on PostgreSQL, from the
process's memory of the answers it has read, which PostgreSQL tells of every change (memory.py).
Whatever it cannot answer
(a number not yet published or changed since, another form of the number, a database error) goes
the normal way, to the view, which renders, stores and answers it. Same bytes, same rate limit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import translation

from aftersales.core.certnumber import number_normalise

from .memory import memory
from .publish import JSON, html_kind, pub_key, published_body
from .ratelimit import retry_after
from .responses import respond, too_many

API = "/api/registry/"
PAGE = "/registry/"


def requested(request) -> tuple[str, str] | None:
    """(kind, number) when the request is a plain lookup by number in its normal form from a
    visitor who is not signed in, else None (a signed-in user's page is in the language of their
    account, which only the session tells: the view answers them)."""
    if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    path, query = request.path_info, request.META.get("QUERY_STRING")  # no QueryDict for a plain lookup
    if path.startswith(API):
        number = path[len(API) :]
        kind = None if query else JSON
    elif path.startswith(PAGE) and path.endswith("/"):
        number = path[len(PAGE) : -1]
        if not query:
            kind = html_kind(translation.get_language_from_request(request))
        elif len(params := request.GET) == 1 and "lang" in params:
            kind = html_kind(params["lang"])
        else:
            kind = None
    else:
        return None
    if kind is None or not number or "/" in number or number != number_normalise(number):
        return None
    return kind, number


def read(kind: str, number: str) -> bytes | None:
    """The current published answer (unfilled, UTF-8), from memory or the database; None if there
    is none or the database fails (the view's way shows the error page)."""
    key = pub_key(kind, number)
    connection = connections[settings.REGISTRY_DATABASE]
    # only what was read outside any transaction is committed, and may be remembered
    mem = memory() if connection.autocommit and not connection.in_atomic_block else None
    generation = None
    if mem is not None:
        if (body := mem.get(key)) is not None:
            return body
        generation = mem.generation()
    try:
        body = published_body(kind, number)
    except DatabaseError:
        return None
    if body is None:
        return None
    if mem is not None:
        mem.put(generation, key, body)
    return body


class RegistryFastPath:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (asked := requested(request)) is not None:
            kind, number = asked
            if (body := read(kind, number)) is not None:
                if (wait := retry_after(request)) is not None:
                    # the language middleware has not run yet: the page's language, or the visitor's
                    language = translation.get_language_from_request(request) if kind == JSON else kind[5:]
                    with translation.override(language):
                        return too_many(request, wait, json=kind == JSON)
                return respond(kind, body)
        return self.get_response(request)

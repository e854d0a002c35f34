"""Middleware of the operations area.

RequestLogMiddleware: one log line per request (logger "aftersales.request": request id, method, path,
status, duration, user id) and an X-Request-ID header; an incoming X-Request-ID from the proxy is kept.

DatabaseUnavailableMiddleware: when the database is away (django.db.OperationalError or
InterfaceError anywhere below it: a view, the session, the user's language), users get a clear 503
page in their language with Retry-After, never a stack trace. The error is logged once per request.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from .logging import request_id_var

request_log = logging.getLogger("aftersales.request")
db_log = logging.getLogger("aftersales.ops.database")

RETRY_AFTER_SECONDS = 30
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_FLAG = "_aftersales_database_unavailable"


def _is_database_away(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


@receiver(got_request_exception)
def _remember_database_away(sender, request=None, **kwargs):
    """Django turns an exception into a 500 below every middleware; remember when it was the database."""
    if request is not None and _is_database_away(sys.exc_info()[1]):
        setattr(request, _FLAG, sys.exc_info()[1])


def unavailable_response(request) -> HttpResponse:
    """The 503 page, rendered without touching the database."""
    language = translation.get_language_from_request(request) if request is not None else None
    with translation.override(language or translation.get_language()):
        html = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Place high in MIDDLEWARE (right after SecurityMiddleware), above sessions and authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except (OperationalError, InterfaceError) as exc:  # raised past Django's own conversion
            self._log(request, exc)
            return unavailable_response(request)
        exc = getattr(request, _FLAG, None)
        if exc is not None and response.status_code >= 500:
            self._log(request, exc)
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if _is_database_away(exception):
            self._log(request, exception)
            setattr(request, _FLAG, None)  # answered here; nothing left to replace
            return unavailable_response(request)
        return None

    @staticmethod
    def _log(request, exc) -> None:
        db_log.error("database unavailable: %s %s: %s", request.method, request.path, str(exc).strip()[:500])


class RequestLogMiddleware:
    """First in MIDDLEWARE: times the whole request, including the other middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 1)
            request_log.info(
                "%s %s %s %sms",
                request.method,
                request.path,
                status,
                duration_ms,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": duration_ms,
                    "user_id": _user_id(request),
                },
            )
            request_id_var.reset(token)


def _user_id(request) -> int | None:
    """The signed-in user's id if the request already loaded the user (never a query of its own)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    from django.utils.functional import empty

    if wrapped is empty:
        return None
    return getattr(wrapped, "pk", None) if getattr(wrapped, "is_authenticated", False) else None

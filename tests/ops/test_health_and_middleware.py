"""/healthz, the 503 page when the database is away, and the JSON request log."""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import aftersales
from aftersales.ops import health
from aftersales.ops.logging import JsonFormatter

OPS_MIDDLEWARE = [
    "aftersales.ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "aftersales.ops.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aftersales.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


@pytest.fixture
def ops_middleware(settings):
    settings.MIDDLEWARE = OPS_MIDDLEWARE
    settings.DEBUG = False


@contextmanager
def database_away(exc=OperationalError):
    """Every query raises, as when the server is stopped (undone before the test database is torn down)."""

    def broken(self, *args, **kwargs):
        raise exc("could not connect to server: Connection refused")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(CursorWrapper, "execute", broken)
        mp.setattr(CursorWrapper, "executemany", broken)
        yield


# --------------------------------------------------------------------------------- /healthz


def test_health_answers_ok_with_one_query(client, db):
    with CaptureQueriesContext(__import__("django.db").db.connection) as ctx:
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "migrations": "ok",
        "version": aftersales.__version__,
    }
    assert len(ctx) == 1
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_health_says_pending_when_a_migration_is_not_applied(client, db, monkeypatch):
    nodes, replaces = health._migrations_on_disk()
    monkeypatch.setattr(health, "_migrations_on_disk", lambda: (nodes | {("ops", "0001_not_applied")}, replaces))
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["migrations"] == "pending"


def test_health_answers_503_when_the_database_is_away(client, db):
    with database_away():
        response = client.get(reverse("healthz"))
        assert response.status_code == 503
        assert response.json()["database"] == "unavailable" and response.json()["status"] == "unavailable"
        assert response["Retry-After"]


def test_health_refuses_posts(client, db):
    assert client.post(reverse("healthz")).status_code == 405


# ------------------------------------------------------------------------------- 503 page


@pytest.mark.parametrize("exc", [OperationalError, InterfaceError])
def test_a_database_failure_in_a_view_gives_the_503_page(ops_middleware, world, exc, settings):
    settings.LANGUAGE_CODE = "en"
    client = Client(raise_request_exception=False)
    client.force_login(world["people"]["ent_admin"])
    with database_away(exc):
        response = client.get(reverse("case_list"), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        body = response.content.decode()
        assert "Service temporarily unavailable" in body
        assert "Traceback" not in body and "Connection refused" not in body and "OperationalError" not in body


def test_the_503_page_is_chinese_by_default(ops_middleware, world):
    client = Client(raise_request_exception=False)
    client.force_login(world["people"]["ent_member"])
    with database_away():
        response = client.get(reverse("case_list"))
        assert response.status_code == 503
        assert 'lang="zh-Hans"' in response.content.decode()


def test_a_failure_in_the_session_middleware_gives_the_503_page_too(ops_middleware, world):
    """The session is read by a middleware below it (UserLanguageMiddleware), not by a view."""
    client = Client(raise_request_exception=False)
    client.force_login(world["people"]["ent_admin"])
    with database_away():
        response = client.get(reverse("scheme_list"))
        assert response.status_code == 503 and "Traceback" not in response.content.decode()


def test_other_errors_are_left_alone(rf):
    from aftersales.ops.middleware import DatabaseUnavailableMiddleware

    def bug(request):
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        DatabaseUnavailableMiddleware(bug)(rf.get("/"))
    assert DatabaseUnavailableMiddleware(bug).process_exception(rf.get("/"), ValueError()) is None


# ------------------------------------------------------------------------------ JSON logs


def test_every_request_logs_one_json_line(ops_middleware, world, caplog):
    client = Client()
    client.force_login(world["people"]["ent_admin"])
    with caplog.at_level(logging.INFO, logger="aftersales.request"):
        response = client.get(reverse("case_list"), HTTP_X_REQUEST_ID="req-123")
    assert response["X-Request-ID"] == "req-123"
    records = [r for r in caplog.records if r.name == "aftersales.request"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "req-123"
    assert line["method"] == "GET" and line["path"] == reverse("case_list")
    assert line["status"] == 200 and line["duration_ms"] >= 0
    assert line["user_id"] == world["people"]["ent_admin"].pk
    assert line["level"] == "INFO" and line["logger"] == "aftersales.request" and line["time"].endswith("+00:00")


def test_an_anonymous_request_gets_a_new_request_id(ops_middleware, db, caplog):
    with caplog.at_level(logging.INFO, logger="aftersales.request"):
        response = Client().get(reverse("healthz"), HTTP_X_REQUEST_ID="bad id with spaces\n")
    rid = response["X-Request-ID"]
    assert len(rid) == 32 and " " not in rid
    line = json.loads(JsonFormatter().format(caplog.records[-1]))
    assert line["request_id"] == rid and line["user_id"] is None and line["status"] == 200


def test_the_formatter_writes_one_line_with_the_exception_and_extras():
    logger = logging.getLogger("aftersales.test")
    try:
        raise RuntimeError("kaputt\nsecond line")
    except RuntimeError:
        record = logger.makeRecord(
            "aftersales.test",
            logging.ERROR,
            __file__,
            1,
            "失败 %s",
            ("甲",),
            __import__("sys").exc_info(),
            extra={"case": "AS-2026-0001", "obj": object()},
        )
    text = JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == "失败 甲" and line["case"] == "AS-2026-0001"
    assert "RuntimeError: kaputt" in line["exception"] and isinstance(line["obj"], str)


def test_the_database_error_is_logged_for_operators(ops_middleware, world, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(world["people"]["ent_member"])
    with database_away():
        with caplog.at_level(logging.ERROR, logger="aftersales.ops.database"):
            assert client.get(reverse("case_list")).status_code == 503
        assert any("database unavailable" in r.getMessage() for r in caplog.records)

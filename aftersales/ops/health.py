"""The health endpoint: is the database answering, are the migrations applied (one query)."""

from __future__ import annotations

from functools import lru_cache

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

import aftersales


@lru_cache(maxsize=1)
def _migrations_on_disk() -> tuple[frozenset, dict]:
    """Every migration the code ships (read once per process) and what squashed ones replace."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    replaces = {key: tuple(m.replaces) for key, m in loader.graph.nodes.items() if m.replaces}
    return frozenset(loader.graph.nodes), replaces


def migrations_pending(applied: set[tuple[str, str]]) -> bool:
    nodes, replaces = _migrations_on_disk()
    for key in nodes:
        if key in applied:
            continue
        if key in replaces and all(r in applied for r in replaces[key]):
            continue
        return True
    return False


def health() -> tuple[int, dict]:
    """(HTTP status, body). One query when the database is up and migrated."""
    body = {"status": "ok", "database": "ok", "migrations": "ok", "version": aftersales.__version__}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {(app, name) for app, name in cursor.fetchall()}
    except DatabaseError:
        # the table may be missing (a new database) while the server answers
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return 503, {**body, "status": "unavailable", "database": "unavailable", "migrations": "unknown"}
        return 200, {**body, "migrations": "pending"}
    if migrations_pending(applied):
        body["migrations"] = "pending"
    return 200, body


@never_cache
@require_safe
def healthz(request):
    """GET/HEAD /healthz, no login: 200 with the state, 503 when the database does not answer."""
    status, body = health()
    response = JsonResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response

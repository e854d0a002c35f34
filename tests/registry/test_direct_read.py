"""The registry's hot read on PostgreSQL: straight on the open connection when it is outside any
transaction, else Django's cursor. These tests run outside the test transaction (the direct way is
never taken inside one) and only on PostgreSQL."""

import weakref
from datetime import date

import pytest
from django.db import connection, transaction

from aftersales.registry import publish

from .helpers import add_event, make_certificate

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the direct read is PostgreSQL's"),
]


@pytest.fixture
def spy(monkeypatch):
    """Counts the reads that went the direct way (and how many of them failed)."""
    calls = {"direct": 0, "failed": 0}
    real = publish._published_direct

    def counting(raw, params):
        calls["direct"] += 1
        try:
            return real(raw, params)
        except Exception:
            calls["failed"] += 1
            raise

    monkeypatch.setattr(publish, "_published_direct", counting)
    return calls


@pytest.fixture
def certificate(world):
    c = make_certificate(world, number="ASC26SC00001J")
    publish.publish([c.number])
    connection.ensure_connection()
    return c


def test_the_direct_read_answers_what_the_normal_read_answers(certificate, spy):
    assert not connection.in_atomic_block
    body = publish.published("json", certificate.number)
    assert spy == {"direct": 1, "failed": 0}
    assert body is not None and certificate.number in body
    with connection.cursor() as cursor:  # the same statement the Django way
        cursor.execute(publish._current_sql(), [publish.pub_key("json", certificate.number), publish.release()])
        assert cursor.fetchone()[0] == body
    assert publish.published_body("json", certificate.number) == body.encode()  # the bytes as sent
    assert publish.published("json", "ASC26SC99999X") is None  # no such certificate


def test_the_direct_read_sees_a_change_at_once(certificate, spy):
    assert publish.published("html:en", certificate.number) is not None
    add_event(certificate, action="certificate.suspended", to="suspended", on=date(2026, 6, 1), reason="暂停")
    assert publish.published("html:en", certificate.number) is None  # stamp no longer the head
    assert spy["direct"] == 2 and spy["failed"] == 0


def test_a_dead_connection_is_left_to_django_which_reconnects(certificate, spy):
    connection.connection.close()  # as if the server had dropped it
    connection.health_check_done = False  # a new request: Django checks the connection first
    body = publish.published("json", certificate.number)
    assert spy == {"direct": 0, "failed": 0}
    assert body is not None and certificate.number in body
    assert not connection.connection.closed  # Django opened a new one


def test_a_failed_direct_read_falls_back_to_django(certificate, monkeypatch):
    import psycopg

    def failing(raw, params):
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(publish, "_published_direct", failing)
    body = publish.published("json", certificate.number)
    assert body is not None and certificate.number in body


def test_inside_a_transaction_it_reads_the_django_way(certificate, spy):
    with transaction.atomic():
        assert publish.published("json", certificate.number) is not None
    connection.set_autocommit(False)
    try:
        assert publish.published("json", certificate.number) is not None
    finally:
        connection.rollback()
        connection.set_autocommit(True)
    assert spy["direct"] == 0


def prepared_reads() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%registry_publication%"]
        )
        return cursor.fetchone()[0]


def prepared_all() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def test_the_direct_read_is_prepared_once_per_connection_unless_switched_off(certificate, settings):
    publish.published("json", certificate.number)
    publish.published("html:en", certificate.number)
    assert prepared_reads() == 1  # one statement, prepared on first use, reused
    assert prepared_all() == 1  # and no other: Django's own statements stay unprepared
    connection.close()
    settings.REGISTRY_PREPARED = False  # behind a pooler that does not keep them
    connection.ensure_connection()
    assert publish.published("json", certificate.number) is not None
    assert prepared_reads() == 0


def test_a_prepared_read_the_server_lost_falls_back_and_stops_preparing(certificate, spy, caplog, monkeypatch):
    """A pooler handing the connection another server (or DEALLOCATE ALL behind psycopg's back):
    psycopg still believes the statement prepared and would fail every read. The first failure
    answers through Django's cursor and stops preparing on that connection, with a warning."""
    monkeypatch.setattr(publish, "_warned", False)
    monkeypatch.setattr(publish, "_unprepared", weakref.WeakSet())  # the next tests' connection prepares again
    assert publish.published("json", certificate.number) is not None
    raw = connection.connection
    raw.pgconn.exec_(b"DEALLOCATE ALL")  # psycopg does not see this one
    with caplog.at_level("WARNING", logger="aftersales.registry.publish"):
        assert certificate.number in publish.published("json", certificate.number)  # the fallback's answer
        assert spy == {"direct": 2, "failed": 1}
        assert certificate.number in publish.published("json", certificate.number)
        assert spy == {"direct": 3, "failed": 1}  # direct again, unprepared
    assert prepared_reads() == 0
    assert sum("lost or refused the prepared read" in r.getMessage() for r in caplog.records) == 1

"""Each web process's memory of published answers (registry/memory.py): what it keeps, and that
PostgreSQL's notifications make it forget a certificate the moment its change commits. The memory
itself is tested without a database; the listening and the trigger only on PostgreSQL, outside the
test transaction (notifications are sent on commit)."""

import time
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from aftersales.registry import memory as registry_memory
from aftersales.registry import publish
from aftersales.registry.memory import Memory

from .helpers import add_event, make_certificate

KINDS = ["json", "html:zh-hans", "html:en"]
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="NOTIFY is PostgreSQL's")


def opened(budget: int = 1000) -> Memory:
    mem = Memory(budget, KINDS)
    mem.open()
    return mem


# ------------------------------------------------------------------------------ the memory alone


def test_not_in_use_until_listening_and_empty_after():
    mem = Memory(1000, KINDS)
    assert mem.generation() is None
    assert not mem.put(None, "json|A", b"x")
    mem.open()
    assert mem.put(mem.generation(), "json|A", b"x")
    assert mem.get("json|A") == b"x"
    mem.close()  # the listening connection was lost: nothing may be answered from memory
    assert mem.get("json|A") is None and len(mem) == 0 and mem.generation() is None
    mem.open()
    assert mem.get("json|A") is None  # listening again: starts empty, changes may have been missed


def test_a_read_that_a_notification_overtook_is_not_remembered():
    mem = opened()
    generation = mem.generation()  # a request starts its read of A …
    mem.forget("B")  # … a change to any certificate is notified meanwhile …
    assert not mem.put(generation, "json|A", b"old")  # … so what it read may be older: not kept
    assert mem.get("json|A") is None
    assert mem.put(mem.generation(), "json|A", b"new")


def test_forgetting_a_number_forgets_each_kind_and_only_that_number():
    mem = opened()
    for key in ("json|A", "html:en|A", "html:zh-hans|A", "json|B"):
        mem.put(mem.generation(), key, b"12345")
    mem.forget("A")
    assert [mem.get(k) for k in ("json|A", "html:en|A", "html:zh-hans|A")] == [None, None, None]
    assert mem.get("json|B") == b"12345" and mem.size == 5
    mem.forget("*")  # TRUNCATE
    assert len(mem) == 0 and mem.size == 0


def test_the_budget_holds_the_newest_answers():
    mem = opened(budget=10)
    for key in ("json|A", "json|B", "json|C"):
        assert mem.put(mem.generation(), key, b"abcd")
    assert mem.get("json|A") is None  # the oldest went first
    assert mem.get("json|B") == b"abcd" and mem.get("json|C") == b"abcd" and mem.size == 8
    assert not mem.put(mem.generation(), "json|D", b"x" * 11)  # larger than the whole budget
    assert mem.size == 8


def test_a_listener_not_heard_from_for_two_check_intervals_stops_the_memorys_use():
    """The watchdog: a connection that died without a word (a dropped network path) leaves the
    listener waiting on TCP; the memory is unused once its last proof of life is too old."""
    now = [100.0]
    mem = Memory(1000, KINDS, stale_after=10, clock=lambda: now[0])
    mem.open()
    assert mem.put(mem.generation(), "json|A", b"x")
    now[0] += 9
    assert mem.get("json|A") == b"x"
    now[0] += 2  # 11 s without a passed check or a notification
    assert mem.get("json|A") is None and mem.generation() is None
    assert not mem.put(0, "json|B", b"y")
    mem.alive()  # the check passed after all
    assert mem.get("json|A") == b"x"


def test_off_with_a_zero_budget_and_on_sqlite(settings):
    settings.REGISTRY_MEMORY_MB = 0
    assert registry_memory.memory() is None
    settings.REGISTRY_MEMORY_MB = 64
    if connection.vendor != "postgresql":
        assert not registry_memory.enabled()
    settings.REGISTRY_DATABASE = "replica"  # a replica could answer an older state than notified
    assert not registry_memory.enabled()


# ------------------------------------------------------------------------------ with PostgreSQL


@pytest.fixture
def listening(settings):
    registry_memory.reset()
    settings.REGISTRY_MEMORY_MB = 64
    settings.REGISTRY_MEMORY_CHECK_SECONDS = 1
    settings.REGISTRY_RATE_LIMIT = 0
    yield
    registry_memory.reset()


@pytest.fixture
def certificate(world):
    c = make_certificate(world, number="ASC26SC00001J")
    publish.publish([c.number])
    return c


def own_connection():
    """A psycopg connection of the test's own to the test database, autocommit."""
    import psycopg

    return psycopg.connect(**registry_memory.connection_params(connection.alias), autocommit=True)


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def remembered(number: str) -> bool:
    mem = registry_memory.memory()
    return mem is not None and mem.get(publish.pub_key("json", number)) is not None


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_second_lookup_is_answered_from_memory_until_the_certificate_changes(client, listening, certificate):
    url = f"/api/registry/{certificate.number}"
    client.get(url)  # starts the listener
    assert registry_memory.wait_until_listening()
    assert client.get(url).json()["status"] == "valid"  # read from the database, remembered
    assert remembered(certificate.number)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.status_code == 200 and again.json()["status"] == "valid"
    assert len(queries) == 0

    listener = registry_memory._state["listener"]
    pid = listener.conn.info.backend_pid
    mem = registry_memory.memory()
    assert mem.stale_after == 2  # two check intervals of 1 s (the fixture's)
    heard_at = mem._alive_at
    assert wait_for(lambda: mem._alive_at > heard_at, 3)  # each passed check is a proof of life

    add_event(certificate, action="certificate.suspended", to="suspended", on=date(2026, 6, 1), reason="暂停")
    assert wait_for(lambda: not remembered(certificate.number))  # the commit's notification arrived
    # forgotten by the notification, not by a reconnection (which also empties the memory)
    assert registry_memory.memory().in_use() and listener.conn.info.backend_pid == pid
    publish.publish([certificate.number])
    assert client.get(url).json()["status"] == "suspended"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_read_overtaken_by_a_change_is_answered_not_remembered(client, listening, certificate, monkeypatch):
    """The generation check through the fast path: the read returns the answer as it was, a change
    commits and is notified before the read is remembered, so it is not remembered."""
    from aftersales.registry import middleware

    url = f"/api/registry/{certificate.number}"
    client.get(url)
    assert registry_memory.wait_until_listening()
    mem = registry_memory.memory()
    real = middleware.published_body

    def overtaken(kind, number):
        text = real(kind, number)
        generation = mem.generation()
        add_event(certificate, action="certificate.note", on=date(2026, 6, 1), reason="备注", public=False)
        assert wait_for(lambda: mem.generation() != generation)  # the notification arrived
        return text

    monkeypatch.setattr(middleware, "published_body", overtaken)
    assert client.get(url).json()["status"] == "valid"  # what was read is answered …
    assert not remembered(certificate.number)  # … and not kept
    assert mem.in_use()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_disabled_trigger_stops_the_memory_until_enabled_again(client, listening, certificate):
    """Without its trigger no change would be notified: the listener's check refuses, the memory
    is emptied and unused, and comes back once the trigger is enabled again."""
    url = f"/api/registry/{certificate.number}"
    client.get(url)
    assert registry_memory.wait_until_listening()
    client.get(url)
    assert remembered(certificate.number)
    mem = registry_memory.memory()
    try:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE certificates_certificate DISABLE TRIGGER aftersales_registry_update")
        assert wait_for(lambda: not mem.in_use(), 5)
        assert not remembered(certificate.number)
        client.get(url)
        assert not remembered(certificate.number)  # read from the database, not kept
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE certificates_certificate ENABLE ALWAYS TRIGGER aftersales_registry_update")
    assert wait_for(mem.in_use, 10)  # the listener reconnects after its back-off
    client.get(url)
    assert remembered(certificate.number)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_listener_the_server_does_not_have_listening_is_refused(listening):
    """The server lost the LISTEN (imitated by UNLISTEN behind the listener's back): refused."""
    with own_connection() as conn:
        conn.execute("LISTEN aftersales_registry")
        registry_memory.check(conn)  # listening, triggers enabled: passes
        conn.execute("UNLISTEN *")
        with pytest.raises(registry_memory.NotListening, match="not have this connection listening"):
            registry_memory.check(conn)


class Pooled:
    """A connection as seen through a pooler: the pid it was given at start-up is the pooler's."""

    def __init__(self, conn):
        self.conn = conn
        self.info = type("Info", (), {"backend_pid": conn.info.backend_pid + 1})()

    def execute(self, *args):
        return self.conn.execute(*args)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_listening_connection_through_a_pooler_is_refused_before_it_listens(listening):
    with own_connection() as conn:
        registry_memory.direct(conn)  # direct: passes
        with pytest.raises(registry_memory.NotListening, match="REGISTRY_LISTEN_URL"):
            registry_memory.direct(Pooled(conn))
        conn.execute("LISTEN aftersales_registry")
        with pytest.raises(registry_memory.NotListening, match="another server session"):
            registry_memory.check(Pooled(conn))


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_triggers_disabled_and_enabled_between_two_checks_are_noticed(listening):
    """A data fix that disables a trigger, writes and enables it again, all between two checks,
    could have changed certificates unheard: the next check refuses (the listener starts again,
    empty)."""
    with own_connection() as conn:
        conn.execute("LISTEN aftersales_registry")
        signature = registry_memory.check(conn)
        assert len(signature) == 4
        assert registry_memory.check(conn, signature) == signature
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("ALTER TABLE certificates_certificate DISABLE TRIGGER aftersales_registry_delete")
            cursor.execute("ALTER TABLE certificates_certificate ENABLE ALWAYS TRIGGER aftersales_registry_delete")
        with pytest.raises(registry_memory.NotListening, match="altered"):
            registry_memory.check(conn, signature)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_writer_in_replica_role_is_heard_too(listening, certificate):
    """Bulk loaders and logical replication's apply write with session_replication_role = replica,
    which skips ordinary triggers; ours fire ALWAYS (migration 0004)."""
    with own_connection() as conn, own_connection() as writer:
        conn.execute("LISTEN aftersales_registry")
        writer.execute("SET session_replication_role = replica")
        moved = "UPDATE certificates_certificate SET head_hash = md5(head_hash) WHERE id = %s"
        writer.execute(moved, [certificate.pk])
        assert [n.payload for n in conn.notifies(timeout=5, stop_after=1)] == [certificate.number]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_lost_listening_connection_empties_the_memory_until_it_listens_again(client, listening, certificate):
    url = f"/api/registry/{certificate.number}"
    client.get(url)
    assert registry_memory.wait_until_listening()
    client.get(url)
    assert remembered(certificate.number)
    listener = registry_memory._state["listener"]
    pid = listener.conn.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    mem = registry_memory.memory()
    # a terminated backend tells its client at once (a silent death is found by the check every
    # REGISTRY_MEMORY_CHECK_SECONDS): the memory empties, and fills again only once listening
    assert wait_for(lambda: not remembered(certificate.number), 10)
    assert wait_for(lambda: mem.ready and listener.conn is not None, 10)
    assert listener.conn.info.backend_pid not in (pid, 0)
    assert not remembered(certificate.number)
    assert client.get(url).json()["number"] == certificate.number


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_triggers_notify_a_head_change_unpublishing_and_truncation_not_other_writes(listening, certificate):
    from aftersales.certificates.models import Certificate
    from aftersales.registry.models import Publication

    with own_connection() as listener:
        listener.execute("LISTEN aftersales_registry")

        def heard(expected: int) -> list[str]:
            return [n.payload for n in listener.notifies(timeout=5 if expected else 0.5, stop_after=expected or None)]

        Certificate.objects.filter(pk=certificate.pk).update(updated_at=certificate.updated_at)  # head unchanged
        assert heard(0) == []
        add_event(certificate, action="certificate.note", on=date(2026, 6, 1), reason="备注", public=False)
        assert heard(1) == [certificate.number]
        Publication.objects.all().delete()  # `registry publish --all`: rendered again, head unchanged
        assert heard(1) == ["*"]
        publish.publish([certificate.number])  # publishing (an upsert) is not notified
        assert heard(0) == []
        with connection.cursor() as cursor:  # as a flush or a restore does
            cursor.execute(f"TRUNCATE {Certificate._meta.db_table} CASCADE")
        assert set(heard(1)) == {"*"}


@on_postgresql
@pytest.mark.django_db
def test_nothing_read_inside_a_transaction_is_remembered(client, listening, certificate):
    """A read inside a transaction may see what is not committed (and may never be): the fast path
    does not even start the memory then."""
    assert connection.in_atomic_block  # the test's transaction
    assert client.get(f"/api/registry/{certificate.number}").status_code == 200
    assert registry_memory._state["listener"] is None


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_listener_uses_registry_listen_url_with_tcp_timeouts(client, listening, certificate, settings):
    """REGISTRY_LISTEN_URL: a direct address beside a transaction-pooling DATABASE_URL. Either way
    the listening connection has keepalives and a TCP user timeout of one check interval."""
    from psycopg.conninfo import make_conninfo

    db = connection.settings_dict
    given = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    settings.REGISTRY_LISTEN_URL = make_conninfo(
        dbname=db["NAME"], application_name="listen-url", **{k: v for k, v in given.items() if v}
    )
    url = f"/api/registry/{certificate.number}"
    client.get(url)
    assert registry_memory.wait_until_listening()
    conn = registry_memory._state["listener"].conn
    parameters = conn.info.get_parameters()
    assert parameters["application_name"] == "listen-url"
    assert parameters["tcp_user_timeout"] == "1000" and parameters["keepalives_idle"] == "1"
    client.get(url)
    assert remembered(certificate.number)

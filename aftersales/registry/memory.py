"""Each web process's memory of published answers, told of every change by PostgreSQL.

The fast path (middleware.py) answers a lookup with one indexed read of the published row. Most
lookups ask for the same certificates again (a tender season's bidders), so each process also keeps
the answers it has read, up to REGISTRY_MEMORY_MB, and answers them without the database — yet never
after the certificate has changed:

* A trigger on the certificates table (migration 0002, PostgreSQL only) sends
  `NOTIFY aftersales_registry, '<number>'` whenever a certificate's head hash changes (every
  status event, version and change moves it) or the row is deleted, and `'*'` on TRUNCATE; one on
  the publications table (migration 0003) sends `'*'` when published rows are deleted (`registry
  publish --all`). PostgreSQL delivers notifications when the transaction commits, and never for
  one rolled back.
* A thread per process LISTENs on its own connection (REGISTRY_LISTEN_URL if set, else the
  database's) and forgets the certificate's answers as each notification arrives. It refuses a
  connection through a pooler (the server's pid differs from the one given at start-up). Every
  REGISTRY_MEMORY_CHECK_SECONDS it checks that the server still has it listening and that the
  triggers exist, are enabled and have not been altered since it began (their row versions: a
  disable-and-enable between two checks shows). While it is not listening (starting, connection
  lost, a check failed, reconnecting) the memory is empty and unused: on every (re)connect it
  starts empty.
* A watchdog needs no thread: the memory is used only while the listener's last proof of life (a
  passed check or a notification) is under two check intervals old. A connection that died without
  a word (a dropped network path) stops the memory's use then, even while the listener's own read
  is still waiting for TCP to give up (keepalives and `tcp_user_timeout` bound that wait too).
* A request that read the database remembers the answer only if no notification arrived between
  the start of its read and now (the generation check below), and only if it read outside any
  transaction, so what it remembers was committed. An answer read just before a change committed
  is therefore either refused or forgotten when the change's notification arrives.

How stale can an answer be? For as long as a committed change's notification takes to reach the
process: on one machine, under a millisecond; at worst two check intervals (10 s by default) when
the listening connection dies silently. Not used on SQLite
(no NOTIFY; its read is in-process anyway) nor when the registry reads a replica (the replica could
answer an older state after the primary's notification).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger(__name__)

CHANNEL = "aftersales_registry"
EVERYTHING = "*"  # the payload that forgets every answer (TRUNCATE)


class Memory:
    """Published answers by key (publish.pub_key), at most `budget` bytes of bodies, the oldest
    first out; in use only while `ready` and the listener's last proof of life (`alive`) is at most
    `stale_after` seconds old. Request threads call `get`, `generation` and `put`; the listener
    calls `alive`, `forget`, `forget_all`, `open` and `close`."""

    def __init__(
        self, budget: int, kinds: list[str], stale_after: float = 10.0, clock: Callable[[], float] = time.monotonic
    ):
        self.budget = budget
        self.kinds = kinds
        self.stale_after = stale_after
        self.clock = clock
        self.ready = False  # the listener is listening: what is remembered is told of changes
        self._alive_at = clock()
        self._bodies: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._generation = 0  # moves with every notification and (re)connection
        self._lock = threading.Lock()

    def in_use(self) -> bool:
        """Listening, and heard from lately (the watchdog: a silent death stops the use)."""
        return self.ready and self.clock() - self._alive_at <= self.stale_after

    def alive(self) -> None:
        """The listener proved its connection works (a check passed, a notification came)."""
        self._alive_at = self.clock()

    def get(self, key: str) -> bytes | None:
        return self._bodies.get(key) if self.in_use() else None

    def generation(self) -> int | None:
        """Taken before a read; None when the memory is not in use."""
        return self._generation if self.in_use() else None

    def put(self, generation: int | None, key: str, body: bytes) -> bool:
        """Remember `body` if nothing was notified since `generation` was taken."""
        if generation is None or len(body) > self.budget:
            return False
        with self._lock:
            if not self.in_use() or generation != self._generation or key in self._bodies:
                return False
            self._bodies[key] = body
            self._size += len(body)
            while self._size > self.budget:
                self._size -= len(self._bodies.popitem(last=False)[1])
        return True

    def forget(self, number: str) -> None:
        if number == EVERYTHING:
            return self.forget_all()
        with self._lock:
            self._generation += 1
            for kind in self.kinds:
                if (body := self._bodies.pop(f"{kind}|{number}", None)) is not None:
                    self._size -= len(body)

    def forget_all(self) -> None:
        with self._lock:
            self._generation += 1
            self._bodies.clear()
            self._size = 0

    def open(self) -> None:
        """The listener listens (again): start empty, then in use."""
        with self._lock:
            self._generation += 1
            self._bodies.clear()
            self._size = 0
            self._alive_at = self.clock()
            self.ready = True

    def close(self) -> None:
        """The listener stopped listening: no longer in use, and empty."""
        with self._lock:
            self.ready = False
        self.forget_all()

    def __len__(self) -> int:
        return len(self._bodies)

    @property
    def size(self) -> int:
        return self._size


class NotListening(Exception):
    """The listener cannot be trusted to hear every change: not a direct connection, not listening,
    a trigger missing or disabled, or the triggers changed since it started listening."""


# the triggers that notify, by table (migrations 0002 and 0003; 0004 enables them ALWAYS, so that
# writers with session_replication_role = replica fire them too)
TRIGGERS = {
    "certificates_certificate": (
        "aftersales_registry_update",
        "aftersales_registry_delete",
        "aftersales_registry_truncate",
    ),
    "registry_publication": ("aftersales_registry_unpublish",),
}
# The server's pid (through a pooler, it is not the one the connection was told at start-up), the
# channels it listens on, and our tables' enabled triggers with their row versions (xmin moves
# with every ALTER … ENABLE/DISABLE TRIGGER, so a disable-and-enable between two checks shows).
_CHECK_SQL = (
    "SELECT pg_backend_pid(), %s IN (SELECT pg_listening_channels()),"
    " ARRAY(SELECT c.relname || '.' || t.tgname || '@' || t.xmin::text"
    " FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " WHERE t.tgrelid = ANY(ARRAY[to_regclass(%s), to_regclass(%s)]) AND t.tgname = ANY(%s)"
    " AND t.tgenabled IN ('O', 'A'))"
)


def direct(conn) -> None:
    """Raise NotListening when `conn` goes through a pooler: LISTEN needs one server session
    throughout, and a transaction-pooling PgBouncer would hand the listener another server, deaf
    to the notifications (the pooler also stands in for the server's pid at start-up)."""
    (pid,) = conn.execute("SELECT pg_backend_pid()").fetchone()
    if pid != conn.info.backend_pid:
        raise NotListening(
            "the listening connection goes through a pooler (the server's pid is not the connection's);"
            " set REGISTRY_LISTEN_URL to a direct address of the primary"
        )


def check(conn, signature: frozenset[str] | None = None) -> frozenset[str]:
    """Raise NotListening unless the server still has `conn` listening, directly, and every trigger
    is enabled and unchanged since `signature` (what this returned when listening began)."""
    names = [name for names_ in TRIGGERS.values() for name in names_]
    pid, listening, enabled = conn.execute(_CHECK_SQL, [CHANNEL, *TRIGGERS, names]).fetchone()
    if pid != conn.info.backend_pid:
        raise NotListening("the listening connection is now on another server session (a pooler?)")
    if not listening:
        raise NotListening(f"the server does not have this connection listening on {CHANNEL}")
    found = frozenset(enabled)
    present = {entry.partition("@")[0] for entry in found}
    missing = sorted({f"{table}.{name}" for table, names_ in TRIGGERS.items() for name in names_} - present)
    if missing:
        raise NotListening(f"trigger missing or disabled: {', '.join(missing)} (run migrate; ENABLE ALWAYS TRIGGER)")
    if signature is not None and found != signature:
        raise NotListening("the notifying triggers were altered since listening began (disabled meanwhile?)")
    return found


def connection_params(alias: str) -> dict:
    """The libpq parameters of Django's database `alias`, without the psycopg options Django adds
    for its own connections (cursor factory, adapters context, preparation, binding)."""
    params = connections[alias].get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold", "server_side_binding"):
        params.pop(key, None)
    return params


class Listener(threading.Thread):
    """LISTEN on a connection of its own, forget what is notified; reconnect after a failure."""

    def __init__(self, memory: Memory, alias: str, check_seconds: float):
        super().__init__(name="registry-memory", daemon=True)
        self.memory = memory
        self.alias = alias
        self.check_seconds = check_seconds
        self.stopping = threading.Event()
        self.conn = None

    def connect(self):
        """Its own autocommit connection; TCP keepalives and a user timeout so that a dead peer
        fails its reads within about a check interval (the watchdog covers the rest)."""
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        seconds = max(1, int(self.check_seconds))
        alive = {
            "keepalives": 1,
            "keepalives_idle": seconds,
            "keepalives_interval": 1,
            "keepalives_count": 3,
            "tcp_user_timeout": seconds * 1000,
        }
        if settings.REGISTRY_LISTEN_URL:  # what the address says wins, as Django's settings do below
            params = conninfo_to_dict(settings.REGISTRY_LISTEN_URL)
        else:
            params = connection_params(self.alias)
        return psycopg.connect(**(alive | {"connect_timeout": 10} | params), autocommit=True)

    def run(self) -> None:
        delay = 0.5
        reported = None
        while not self.stopping.is_set():
            try:
                with self.connect() as conn:
                    self.conn = conn
                    direct(conn)  # before LISTEN: a pooled server session must not be left listening
                    conn.execute(f"LISTEN {CHANNEL}")
                    signature = check(conn)
                    self.memory.open()
                    delay, reported = 0.5, None
                    while not self.stopping.is_set():
                        for notify in conn.notifies(timeout=self.check_seconds):
                            self.memory.forget(notify.payload)
                            self.memory.alive()
                        check(conn, signature)  # a quiet connection is checked, not trusted
                        self.memory.alive()
            except Exception as error:
                if not self.stopping.is_set() and str(error) != reported:  # once per cause, not per retry
                    reported = str(error)
                    log.warning(
                        "registry memory: not listening (%s); answers read from the database",
                        error,
                        exc_info=not isinstance(error, NotListening),
                    )
            finally:
                self.memory.close()
                self.conn = None
            self.stopping.wait(delay)
            delay = min(delay * 2, 30)

    def stop(self) -> None:
        self.stopping.set()
        conn = self.conn
        if conn is not None:
            with contextlib.suppress(Exception):  # it stops at its next check anyway
                conn.cancel_safe()


_state: dict = {"pid": None, "memory": None, "listener": None}
_start_lock = threading.Lock()


def enabled() -> bool:
    alias = settings.REGISTRY_DATABASE
    return settings.REGISTRY_MEMORY_MB > 0 and alias == DEFAULT_DB_ALIAS and connections[alias].vendor == "postgresql"


def memory() -> Memory | None:
    """This process's memory, its listener started on first use (after a fork, anew); None when
    not used (see the module's docstring)."""
    if settings.REGISTRY_MEMORY_MB <= 0:
        return None
    if _state["pid"] == os.getpid():
        return _state["memory"]
    with _start_lock:
        if _state["pid"] != os.getpid():
            _state["memory"] = _state["listener"] = None
            if enabled():
                from .publish import kinds

                check_seconds = settings.REGISTRY_MEMORY_CHECK_SECONDS
                mem = Memory(settings.REGISTRY_MEMORY_MB * 1024 * 1024, kinds(), stale_after=2 * check_seconds)
                listener = Listener(mem, settings.REGISTRY_DATABASE, check_seconds)
                listener.start()
                _state["memory"], _state["listener"] = mem, listener
            _state["pid"] = os.getpid()
    return _state["memory"]


def reset() -> None:
    """Stop the listener and forget the memory (tests; settings changed)."""
    with _start_lock:
        listener = _state["listener"]
        _state.update(pid=None, memory=None, listener=None)
    if listener is not None:
        listener.stop()
        listener.join(timeout=5)


def wait_until_listening(timeout: float = 5.0) -> bool:
    """True once this process's memory is in use (tests, the benchmark's warm-up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mem = memory()
        if mem is not None and mem.in_use():
            return True
        time.sleep(0.01)
    return False

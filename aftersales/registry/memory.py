"""Each web process's memory of published answers, told of every change by PostgreSQL.

The fast path (middleware.py) answers a lookup with one indexed read of the published row. Most
lookups ask for the same certificates again (a tender season's bidders), so each process also keeps
the answers it has read, up to REGISTRY_MEMORY_MB, and answers them without the database — yet never
after the certificate has changed:

* A trigger on the certificates table (migration 0002, PostgreSQL only) sends
  `NOTIFY aftersales_registry, '<number>'` whenever a certificate's head hash changes (every
  status event, version and change moves it) or the row is deleted, and `'*'` on TRUNCATE.
  PostgreSQL delivers notifications when the transaction commits, and never for one rolled back.
* A thread per process LISTENs on its own connection and forgets the certificate's answers as each
  notification arrives; every few seconds without one it checks the connection. While it is not
  listening (starting, connection lost, reconnecting) the memory is empty and unused, so nothing
  can be missed: on every (re)connect it starts empty.
* A request that read the database remembers the answer only if no notification arrived between
  the start of its read and now (the generation check below), and only if it read outside any
  transaction, so what it remembers was committed. An answer read just before a change committed
  is therefore either refused or forgotten when the change's notification arrives.

How stale can an answer be? For as long as a committed change's notification takes to reach the
process: on one machine, under a millisecond; at worst the liveness check's interval
(REGISTRY_MEMORY_CHECK_SECONDS) when the listening connection dies silently. Not used on SQLite
(no NOTIFY; its read is in-process anyway) nor when the registry reads a replica (the replica could
answer an older state after the primary's notification).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger(__name__)

CHANNEL = "aftersales_registry"
EVERYTHING = "*"  # the payload that forgets every answer (TRUNCATE)


class Memory:
    """Published answers by key (publish.pub_key), at most `budget` bytes of bodies, the oldest
    first out. Request threads call `get`, `generation` and `put`; the listener calls `forget`,
    `forget_all`, `open` and `close`."""

    def __init__(self, budget: int, kinds: list[str]):
        self.budget = budget
        self.kinds = kinds
        self.ready = False  # the listener is listening: what is remembered is told of changes
        self._bodies: dict[str, bytes] = {}
        self._size = 0
        self._generation = 0  # moves with every notification and (re)connection
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self._bodies.get(key) if self.ready else None

    def generation(self) -> int | None:
        """Taken before a read; None when the memory is not in use."""
        return self._generation if self.ready else None

    def put(self, generation: int | None, key: str, body: bytes) -> bool:
        """Remember `body` if nothing was notified since `generation` was taken."""
        if generation is None or len(body) > self.budget:
            return False
        with self._lock:
            if not self.ready or generation != self._generation or key in self._bodies:
                return False
            self._bodies[key] = body
            self._size += len(body)
            while self._size > self.budget:
                self._size -= len(self._bodies.pop(next(iter(self._bodies))))
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
        import psycopg

        params = connections[self.alias].get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("prepare_threshold", None)
        params.pop("server_side_binding", None)
        return psycopg.connect(**params, autocommit=True)

    def run(self) -> None:
        delay = 0.5
        while not self.stopping.is_set():
            try:
                with self.connect() as conn:
                    self.conn = conn
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.memory.open()
                    delay = 0.5
                    while not self.stopping.is_set():
                        for notify in conn.notifies(timeout=self.check_seconds):
                            self.memory.forget(notify.payload)
                        conn.execute("SELECT 1")  # a silent connection is checked, not trusted
            except Exception:
                if not self.stopping.is_set():
                    log.warning("registry memory: not listening, answers read from the database", exc_info=True)
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

                mem = Memory(settings.REGISTRY_MEMORY_MB * 1024 * 1024, kinds())
                listener = Listener(mem, settings.REGISTRY_DATABASE, settings.REGISTRY_MEMORY_CHECK_SECONDS)
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
        if mem is not None and mem.ready:
            return True
        time.sleep(0.01)
    return False

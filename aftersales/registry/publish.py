"""Publishing the registry: each certificate's public record rendered once per change (models.py).

* `publish(numbers)` renders every kind (the JSON answer, the page in each language) from the
  primary database and writes the rows; the certificate services call it once their change commits
  (`publish_on_commit`), the CLI (`aftersales registry publish`) and the daily cycle job catch up
  what is missing or stale, e.g. after a deploy that changed a template (a new RELEASE).
* `published(kind, number)` is the read: one indexed statement, the row only if it is current;
  `published_body` gives it as the bytes that are sent, which the fast path (middleware.py)
  answers with before the rest of the middleware.
* `answer(kind, number)` is the views' read: the published row, or the answer rendered now and
  stored for the next reader. Http404 for a number the registry does not know.

The time of reading ("as of …") is not in the rows: `AS_OF` marks its place and `fill` puts the
time in as the answer leaves, so a published page still says when it was read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import weakref
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

from aftersales.certificates.models import Certificate

from .models import Publication
from .presenters import entry_json, event_label
from .selectors import RegistryEntry, registry_entry

log = logging.getLogger(__name__)

AS_OF = "@@as-of@@"  # where the time of reading goes (fill)
_AS_OF = AS_OF.encode()
JSON = "json"


def kinds() -> list[str]:
    """What is published per certificate: the JSON answer and the page in each language."""
    return [JSON, *(f"html:{code}" for code, _ in settings.LANGUAGES)]


def html_kind(language: str) -> str | None:
    """The page's kind for a language code (any case), None if the site does not offer it."""
    code = (language or "").lower()
    return f"html:{code}" if any(code == c for c, _ in settings.LANGUAGES) else None


def pub_key(kind: str, number: str) -> str:
    return f"{kind}|{number}"


# ------------------------------------------------------------------------------------ release


def _release_inputs() -> Iterator[bytes]:
    """What the published bytes depend on besides the certificate: the project's Python source
    (selectors, presenters, template tags, level names… — all of it, rather than a list that
    could miss one), Django's version, the registry's templates and the site frame, the compiled
    translations, the static files' manifest (hashed names), the public base URL, the script
    prefix and the languages. Any change of code makes every row stale: `aftersales registry
    publish` after a deploy renders them again (until then readers get them rendered one by one)."""
    import django

    from aftersales import __version__

    root = Path(__file__).resolve().parent.parent
    yield __version__.encode() + django.get_version().encode()
    files = [
        *sorted(root.rglob("*.py")),
        *sorted((root / "templates" / "registry").glob("*.html")),
        root / "templates" / "base.html",
        *sorted((root / "locale").glob("*/LC_MESSAGES/django.mo")),
        Path(settings.STATIC_ROOT) / "staticfiles.json",
    ]
    for path in files:
        if path.is_file():
            yield str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode() + path.read_bytes()
    yield repr((settings.PUBLIC_BASE_URL, settings.LANGUAGES, settings.STATIC_URL, settings.FORCE_SCRIPT_NAME)).encode()


@cache
def release() -> str:
    """16 hex characters naming this code's rendering of the registry: rows of another release
    are not answered (they are rendered again)."""
    digest = hashlib.sha256()
    for part in _release_inputs():
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:16]


# ------------------------------------------------------------------------------------ read


@cache
def _current_sql() -> str:
    return (
        f"SELECT p.body FROM {Publication._meta.db_table} p"
        f" JOIN {Certificate._meta.db_table} c ON c.id = p.certificate_id AND c.head_hash = p.stamp"
        " WHERE p.key = %s AND p.release = %s"
    )


def published(kind: str, number: str, *, using: str | None = None) -> str | None:
    """The published answer, if it is current (its certificate has not changed since and this
    code rendered it); else None. `number` normalised."""
    body = published_body(kind, number, using=using)
    return None if body is None else body.decode()


def published_body(kind: str, number: str, *, using: str | None = None) -> bytes | None:
    """`published` as the UTF-8 bytes that are sent (the fast path's read: no decoding and
    encoding again on the way through)."""
    connection = connections[using or settings.REGISTRY_DATABASE]
    params = [pub_key(kind, number), release()]
    raw = connection.connection
    if connection.vendor == "postgresql" and raw is not None and _idle_autocommit(connection, raw):
        try:
            if connection.queries_logged:  # DEBUG or a test counting queries: count this one too
                started = time.monotonic()
                body = _published_direct(raw, params)
                connection.queries_log.append(
                    {"sql": f"{_current_sql()} -- direct {params!r}", "time": f"{time.monotonic() - started:.3f}"}
                )
                return body
            return _published_direct(raw, params)
        except Exception:  # e.g. a dropped connection: Django's cursor checks it first and reconnects
            log.debug("registry: direct read failed, reading the normal way", exc_info=True)
    with connection.cursor() as cursor:
        cursor.execute(_current_sql(), params)
        row = cursor.fetchone()
    return row[0].encode() if row else None


def _idle_autocommit(connection, raw) -> bool:
    """The open connection is outside any transaction (autocommit, not in an atomic block, the
    server idle): a read on it can disturb nothing else."""
    from psycopg import pq

    return (
        connection.autocommit
        and not connection.in_atomic_block
        and not raw.closed
        and raw.info.transaction_status == pq.TransactionStatus.IDLE
    )


STATEMENT = b"aftersales_registry_read"  # the prepared read's name on each connection
_prepared: weakref.WeakSet = weakref.WeakSet()  # connections the read is prepared on
_unprepared: weakref.WeakSet = weakref.WeakSet()  # connections whose server lost or refused our statement
_warned = False  # _published_direct warns of a lost statement once per process


@cache
def _prepared_lost_errors() -> tuple[type[Exception], ...]:
    """What a server or pooler answers when our prepared statement is gone or is not the one we
    prepared: no such name, a name clash, a bind that does not fit (08P01, through a pooler), a
    cached plan whose result type changed (0A000, after a migration)."""
    from psycopg import errors

    return (
        errors.InvalidSqlStatementName,
        errors.DuplicatePreparedStatement,
        errors.ProtocolViolation,
        errors.FeatureNotSupported,
    )


@cache
def _statement_text() -> bytes:
    return _current_sql().replace("%s", "$1", 1).replace("%s", "$2", 1).encode()


def _published_direct(raw, params: list) -> bytes | None:
    """The hot read on PostgreSQL, on Django's open connection as it is, through libpq itself
    (psycopg's `pgconn`): one blocking call that lets go of the GIL while it waits, the body
    returned as the bytes PostgreSQL sent. None of the per-request connection health check (`SELECT 1`,
    a round trip) and cursor wrapping Django's cursor adds, nor psycopg's own per-query work
    (a third of a registry lookup's time in Python, bench/README.md). A prepared statement
    (REGISTRY_PREPARED, on by default), prepared on the connection's first read under its own name:
    planning the join each time costs PostgreSQL about three times the read itself. When the server
    has lost the statement or refuses it (a pooler that gave the connection another server,
    DEALLOCATE ALL, a migration that changed the table), the error (`_prepared_lost_errors`) stops
    preparing on that connection, with one warning per process, and the read falls back to Django's
    cursor, as on any failure. REGISTRY_PREPARED=0 behind a pooler that does not keep prepared
    statements (PgBouncer before 1.21 in transaction mode, or without max_prepared_statements)."""
    from psycopg import pq

    pgconn = raw.pgconn
    values = [p.encode() for p in params]
    if settings.REGISTRY_PREPARED and raw not in _unprepared:
        try:
            if raw not in _prepared:
                _check(raw, pgconn.prepare(STATEMENT, _statement_text()), pq.ExecStatus.COMMAND_OK)
                _prepared.add(raw)
            result = pgconn.exec_prepared(STATEMENT, values)
            _check(raw, result, pq.ExecStatus.TUPLES_OK)
        except _prepared_lost_errors():
            global _warned
            _unprepared.add(raw)
            if not _warned:
                _warned = True
                log.warning(
                    "registry: the server lost or refused the prepared read; not preparing on this connection"
                    " (behind a pooler: PgBouncer >= 1.21 with max_prepared_statements, or REGISTRY_PREPARED=0)"
                )
            raise
    else:
        result = pgconn.exec_params(_statement_text(), values)
        _check(raw, result, pq.ExecStatus.TUPLES_OK)
    return result.get_value(0, 0) if result.ntuples else None


def _check(raw, result, expected) -> None:
    """Raise psycopg's exception for a result that is not `expected` (an error from the server)."""
    from psycopg import errors

    if result.status != expected:
        raise errors.error_from_result(result, encoding=raw.info.encoding)


def fill(kind: str, body: str | bytes) -> bytes:
    """The answer as it leaves, UTF-8: the time of reading in place of AS_OF (Beijing time, to the
    second)."""
    return (body.encode() if isinstance(body, str) else body).replace(_AS_OF, _time_of_reading(kind == JSON))


_read_at: dict[bool, tuple[object, int, bytes]] = {}  # iso? -> (time zone, second, text): one conversion a second


def _time_of_reading(iso: bool) -> bytes:
    """The time now in the current time zone, to the second: ISO 8601 for the JSON, else as the
    page writes it. Converted and formatted once a second per process (every lookup asks)."""
    now, zone = timezone.now(), timezone.get_current_timezone()
    second = int(now.timestamp())
    cached = _read_at.get(iso)
    if cached is not None and cached[0] is zone and cached[1] == second:
        return cached[2]
    local = timezone.localtime(now, zone).replace(microsecond=0)
    text = (local.isoformat() if iso else local.strftime("%Y-%m-%d %H:%M:%S")).encode()
    _read_at[iso] = (zone, second, text)
    return text


def answer(kind: str, number: str) -> str:
    """The answer of `kind` for the certificate `number` (normalised), unfilled (see `fill`): the
    published one, or rendered now and stored for the next reader — only if what it was rendered
    from is still the certificate's latest state on the primary (a lagging replica's older state is
    answered, not stored over a newer row). Http404 if there is no such certificate."""
    body = published(kind, number)
    if body is None:
        entry = registry_entry(number)
        body = render(kind, entry)
        try:
            if _latest(entry):
                _store([(kind, entry, body)])
        except DatabaseError:  # a read-only moment or a race: the answer is still right
            log.warning("registry: could not store the %s answer for %s", kind, number, exc_info=True)
    return body


# ------------------------------------------------------------------------------------ render


def language_links(query: dict | None = None) -> list[tuple[str, str, str]]:
    """(code, name, url) per language for the public frame: the same page with `lang` set,
    keeping the other query parameters (the search's `q` and `page`)."""
    from urllib.parse import urlencode

    others = {k: v for k, v in (query or {}).items() if k != "lang"}
    return [(code, name, "?" + urlencode({**others, "lang": code})) for code, name in settings.LANGUAGES]


TITLE, CONTENT = "@@title@@", "@@content@@"  # where a certificate goes in the page's frame


def record_context(entry: RegistryEntry) -> dict:
    """What registry/_record_page.html (and its _record.html) is rendered from."""
    events = [(e, event_label(e.action, e.from_status, e.to_status)) for e in reversed(entry.events)]
    return {"entry": entry, "c": entry.certificate, "v": entry.version, "events": events, "as_of_text": AS_OF}


def _frame(language: str) -> tuple[str, str, str]:
    """The certificate page's frame in `language`, cut where the title and the record go: the same
    for every certificate, so rendered once per process and release (every time with DEBUG on,
    where templates are edited live)."""
    frame = render_to_string(
        "registry/detail.html", {"title": TITLE, "content": CONTENT, "language_links": language_links()}
    )
    head, rest = frame.split(TITLE, 1)
    middle, tail = rest.split(CONTENT, 1)
    return head, middle, tail


_frames = cache(lambda language, release: _frame(language))


def render(kind: str, entry: RegistryEntry) -> str:
    """One answer, unfilled (AS_OF in place of the time of reading)."""
    if kind == JSON:
        return json.dumps(entry_json(entry, as_of=AS_OF), ensure_ascii=False)
    language = kind.removeprefix("html:")
    with translation.override(language):
        head, middle, tail = _frame(language) if settings.DEBUG else _frames(language, release())
        c = entry.certificate
        title = escape(f"{c.number} · {c.name}")
        record = render_to_string("registry/_record_page.html", record_context(entry))
        return "".join((head, title, middle, record, tail))


# ------------------------------------------------------------------------------------ write


def _latest(entry: RegistryEntry) -> bool:
    return Certificate.objects.using(DEFAULT_DB_ALIAS).filter(pk=entry.certificate.id, head_hash=entry.stamp).exists()


def _store(rendered: Iterable[tuple[str, RegistryEntry, str]]) -> int:
    now = timezone.now()
    rows = [
        Publication(
            key=pub_key(kind, entry.certificate.number),
            certificate_id=entry.certificate.id,
            stamp=entry.stamp,
            release=release(),
            body=body,
            published_at=now,
        )
        for kind, entry, body in rendered
    ]
    Publication.objects.using(DEFAULT_DB_ALIAS).bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["certificate", "stamp", "release", "body", "published_at"],
    )
    return len(rows)


def publish(numbers: Iterable[str]) -> int:
    """Render every kind for each certificate (read from the primary) and write the rows; numbers
    the registry does not know are skipped. Returns the rows written."""
    rendered = []
    for number in numbers:
        try:
            entry = registry_entry(number, using=DEFAULT_DB_ALIAS)
        except Http404:
            continue
        rendered += [(kind, entry, render(kind, entry)) for kind in kinds()]
    return _store(rendered) if rendered else 0


def publish_on_commit(number: str) -> None:
    """Publish the certificate's record once the current transaction commits. A failure is logged,
    not raised: the change stands, and the first reader renders the answer (the row is not current)."""

    def run():
        try:
            publish([number])
        except Exception:  # the change has committed; the reader renders instead
            log.exception("registry: publishing %s after its change failed", number)

    transaction.on_commit(run)


def stale_numbers(*, after_id: int = 0, limit: int | None = None) -> list[tuple[int, str]]:
    """(id, number) of the certificates after `after_id` with a kind missing, rendered from an older
    state, or by another release; in id order."""
    table, pub = Certificate._meta.db_table, Publication._meta.db_table
    sql = (
        f"SELECT c.id, c.number FROM {table} c WHERE c.id > %s AND (SELECT COUNT(*) FROM {pub} p"
        f" WHERE p.certificate_id = c.id AND p.stamp = c.head_hash AND p.release = %s) < %s ORDER BY c.id"
    )
    params: list = [after_id, release(), len(kinds())]
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def publish_stale(*, batch: int = 200, progress=None) -> int:
    """Publish every certificate whose rows are not current, `batch` certificates per transaction,
    each certificate once. Returns the certificates published."""
    done, after = 0, 0
    while rows := stale_numbers(after_id=after, limit=batch):
        with transaction.atomic():
            publish(number for _, number in rows)
        done, after = done + len(rows), rows[-1][0]
        if progress:
            progress(done)
    return done

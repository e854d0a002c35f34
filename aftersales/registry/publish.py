"""The registry's answers (each certificate's JSON and its page per language): read with the head in
one statement, from the cache while it holds that head's, else the stored row, else rendered and
stored. How and why: docs/certificates.md, "The public registry"."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

import django
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation

from aftersales import __version__
from aftersales.certificates.models import Certificate

from .models import Publication
from .presenters import entry_json, event_label
from .selectors import RegistryEntry, registry_entry

log = logging.getLogger(__name__)

AS_OF = "@@as-of@@"  # where the time of reading goes (fill)
JSON = "json"
CACHE_SECONDS = 24 * 3600  # an entry is checked against the head: never stale, the timeout only frees room


def kinds() -> list[str]:
    """What is published per certificate: the JSON answer and the page in each language."""
    return [JSON, *(f"html:{code}" for code, _ in settings.LANGUAGES)]


def pub_key(kind: str, number: str) -> str:
    return f"{kind}|{number}"


REGISTRY_DIR = Path(__file__).resolve().parent
TEMPLATES = REGISTRY_DIR.parent / "templates"


def release_files() -> list[Path]:
    """The files the stored bytes depend on besides the certificate (not the rest of the code)."""
    return [
        *sorted((TEMPLATES / "registry").glob("*.html")),
        TEMPLATES / "base.html",
        REGISTRY_DIR / "selectors.py",
        REGISTRY_DIR / "presenters.py",
        *sorted((REGISTRY_DIR.parent / "locale").glob("*/LC_MESSAGES/django.mo")),
        Path(settings.STATIC_ROOT) / "staticfiles.json",
    ]


@cache
def release() -> str:
    """16 hex characters naming how this deployment renders the registry."""
    digest = hashlib.sha256(f"{__version__}|{django.get_version()}".encode())
    for path in release_files():
        if path.is_file():
            digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    site = (settings.PUBLIC_BASE_URL, settings.LANGUAGES, settings.STATIC_URL, settings.FORCE_SCRIPT_NAME)
    digest.update(repr(site).encode())
    return digest.hexdigest()[:16]


class Answer(NamedTuple):
    kind: str
    head: str  # the certificate's head_hash it was rendered from
    published: int  # when it was rendered, seconds since the epoch
    body: bytes  # unfilled (AS_OF in place of the time of reading), UTF-8
    etag: str  # weak: the bytes differ by the time of reading, the record they state does not


def _answer(kind: str, head: str, published_at: datetime, body: bytes) -> Answer:
    etag = hashlib.sha256(f"{kind}|{head}|{release()}".encode()).hexdigest()[:24]
    return Answer(kind, head, int(published_at.timestamp()), body, f'W/"{etag}"')


def cache_key(kind: str, number: str) -> str:
    return f"registry:answer2:{release()}:{kind}:{number}"  # answer2: Answer's fields (bump on change)


# The head and, unless the cache holds that head's answer (the third parameter), the row stored for it.
READ_SQL = (
    f"SELECT c.head_hash, p.published_at, p.body FROM {Certificate._meta.db_table} c"
    f" LEFT JOIN {Publication._meta.db_table} p"
    " ON p.key = %s AND p.stamp = c.head_hash AND p.release = %s AND c.head_hash <> %s WHERE c.number = %s"
)


def answer(kind: str, number: str) -> Answer:
    """The answer of `kind` for the certificate `number` (normalised) as it is now; Http404 if none.
    The cache's answer only while the head is the one it was rendered from, else the row or a render."""
    cached = django_cache.get(cache_key(kind, number))
    row = _read([pub_key(kind, number), release(), cached.head if cached else "", number])
    if row is None:
        raise Http404("no such certificate")
    head, published_at, body = row
    if cached is not None and cached.head == head:
        return cached
    if body is None:
        found = rendered(kind, number)
    else:  # SQLite hands back UTC without its zone
        found = _answer(kind, head, published_at.replace(tzinfo=published_at.tzinfo or UTC), body.encode())
    django_cache.set(cache_key(kind, number), found, CACHE_SECONDS)
    return found


def _read(params: list[str]) -> tuple | None:
    """READ_SQL's row. Django's per-request health check of the connection (a round trip) is skipped:
    a connection that died since its last use fails the statement, which is then read once more on
    a new connection (not inside a transaction, where closing would lose it)."""
    connection = connections[settings.REGISTRY_DATABASE]
    for retry in (False, True):
        connection.health_check_done = True  # the retry stands in for it
        try:
            with connection.cursor() as cursor:
                cursor.execute(READ_SQL, params)
                return cursor.fetchone()
        except (OperationalError, InterfaceError):
            if retry or connection.in_atomic_block:
                raise
            connection.close()


def rendered(kind: str, number: str) -> Answer:
    """Rendered now; stored if it shows the latest state on the primary (not a lagging replica's)."""
    entry = registry_entry(number)
    body = render(kind, entry)
    latest = Certificate.objects.using(DEFAULT_DB_ALIAS).filter(pk=entry.certificate.id, head_hash=entry.stamp)
    try:
        if latest.exists():
            _store([(kind, entry, body)])
    except DatabaseError:  # a read-only moment or a race: the answer is still right
        log.warning("registry: could not store the %s answer for %s", kind, number, exc_info=True)
    return _answer(kind, entry.stamp, timezone.now(), body.encode())


def fill(kind: str, body: bytes) -> bytes:
    """The answer as it leaves: the time of reading (Beijing time, to the second) for AS_OF."""
    return body.replace(AS_OF.encode(), _as_of(int(time.time()))[kind == JSON])


@lru_cache(maxsize=4)
def _as_of(second: int) -> tuple[bytes, bytes]:
    """The time of reading as the page and as the JSON state it."""
    now = timezone.localtime(datetime.fromtimestamp(second, UTC))
    return now.strftime("%Y-%m-%d %H:%M:%S").encode(), now.isoformat().encode()


def language_links(query: dict | None = None) -> list[tuple[str, str, str]]:
    """(code, name, url) per language: the same page with `lang` set, other parameters kept."""
    others = {k: v for k, v in (query or {}).items() if k != "lang"}
    return [(code, name, "?" + urlencode({**others, "lang": code})) for code, name in settings.LANGUAGES]


def render(kind: str, entry: RegistryEntry) -> str:
    """One answer, unfilled (AS_OF in place of the time of reading)."""
    if kind == JSON:
        return json.dumps(entry_json(entry, as_of=AS_OF), ensure_ascii=False)
    c = entry.certificate
    events = [(e, event_label(e.action, e.from_status, e.to_status)) for e in reversed(entry.events)]
    record = {"entry": entry, "c": c, "v": entry.version, "events": events, "as_of_text": AS_OF}
    with translation.override(kind.removeprefix("html:")):
        content = render_to_string("registry/_record_page.html", record)
        context = {"title": f"{c.number} · {c.name}", "content": content, "language_links": language_links()}
        return render_to_string("registry/detail.html", context)


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
    changed = ["certificate", "stamp", "release", "body", "published_at"]
    Publication.objects.using(DEFAULT_DB_ALIAS).bulk_create(
        rows, update_conflicts=True, unique_fields=["key"], update_fields=changed
    )
    return len(rows)


def publish(numbers: Iterable[str]) -> int:
    """Render every kind of each known certificate from the primary, store them; the rows written."""
    rendered = []
    for number in numbers:
        try:
            entry = registry_entry(number, using=DEFAULT_DB_ALIAS)
        except Http404:
            continue
        rendered += [(kind, entry, render(kind, entry)) for kind in kinds()]
    return _store(rendered) if rendered else 0

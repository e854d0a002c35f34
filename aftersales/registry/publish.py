"""The registry's answers: each certificate's JSON and its page per language, read with the
certificate's current head in one statement: from Django's cache while that head is the cached
one's, else the stored row (`Publication`), else rendered and stored. How and why: docs/certificates.md,
"The public registry"."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation

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


def html_kind(language: str) -> str | None:
    """The page's kind for a language code (any case), None if the site does not offer it."""
    code = (language or "").lower()
    return f"html:{code}" if any(code == c for c, _ in settings.LANGUAGES) else None


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
    import django

    from aftersales import __version__

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
    published_at: datetime
    body: bytes  # unfilled (AS_OF in place of the time of reading), UTF-8

    @property
    def etag(self) -> str:
        """Weak: the bytes differ by the time of reading, the record they state does not."""
        return 'W/"' + hashlib.sha256(f"{self.kind}|{self.head}|{release()}".encode()).hexdigest()[:24] + '"'


def cache_key(kind: str, number: str) -> str:
    return f"registry:{release()}:{kind}:{number}"


# The certificate's current head and, unless the cache holds the answer of that head (the third
# parameter), the answer stored for it by this release: every lookup is this one indexed statement.
READ_SQL = (
    f"SELECT c.head_hash, p.published_at, p.body FROM {Certificate._meta.db_table} c"
    f" LEFT JOIN {Publication._meta.db_table} p"
    " ON p.key = %s AND p.stamp = c.head_hash AND p.release = %s AND c.head_hash <> %s WHERE c.number = %s"
)


def answer(kind: str, number: str) -> Answer:
    """The answer of `kind` for the certificate `number` (normalised) as it is now; Http404 if none.
    The cache holds the last answer read per kind and number; it is answered only while the
    certificate's head is the one it was rendered from, else the stored row or a render is."""
    cached = django_cache.get(cache_key(kind, number))
    with connections[settings.REGISTRY_DATABASE].cursor() as cursor:
        cursor.execute(READ_SQL, [pub_key(kind, number), release(), cached.head if cached else "", number])
        row = cursor.fetchone()
    if row is None:
        raise Http404("no such certificate")
    head, published_at, body = row
    if cached is not None and cached.head == head:
        return cached
    if body is None:
        found = rendered(kind, number)
    else:  # SQLite hands back UTC without its zone
        found = Answer(kind, head, published_at.replace(tzinfo=published_at.tzinfo or UTC), body.encode())
    django_cache.set(cache_key(kind, number), found, CACHE_SECONDS)
    return found


def rendered(kind: str, number: str) -> Answer:
    """Rendered now; stored if it shows the latest state on the primary (not a lagging replica's)."""
    entry = registry_entry(number)
    body = render(kind, entry)
    try:
        if _latest(entry):
            _store([(kind, entry, body)])
    except DatabaseError:  # a read-only moment or a race: the answer is still right
        log.warning("registry: could not store the %s answer for %s", kind, number, exc_info=True)
    return Answer(kind, entry.stamp, timezone.now(), body.encode())


def fill(kind: str, body: bytes) -> bytes:
    """The answer as it leaves: the time of reading (Beijing time, to the second) for AS_OF."""
    now = timezone.localtime().replace(microsecond=0)
    text = now.isoformat() if kind == JSON else now.strftime("%Y-%m-%d %H:%M:%S")
    return body.replace(AS_OF.encode(), text.encode())


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
    """Render every kind of each known certificate from the primary, store them; the rows written."""
    rendered = []
    for number in numbers:
        try:
            entry = registry_entry(number, using=DEFAULT_DB_ALIAS)
        except Http404:
            continue
        rendered += [(kind, entry, render(kind, entry)) for kind in kinds()]
    return _store(rendered) if rendered else 0


def publish_on_commit(number: str) -> None:
    """Publish the certificate once the transaction commits; a failure is logged (a reader renders)."""

    def run():
        try:
            publish([number])
        except Exception:  # the change has committed; the reader renders instead
            log.exception("registry: publishing %s after its change failed", number)

    transaction.on_commit(run)

"""The registry's answers: each certificate's JSON and its page per language, read by the
certificate's current head from Django's cache, else from the stored row (`Publication`), else
rendered and stored. How and why: docs/certificates.md, "The public registry"."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple

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
CACHE_SECONDS = 24 * 3600  # keys name the head: an entry is never stale, the timeout only frees room


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


HEAD_SQL = f"SELECT head_hash FROM {Certificate._meta.db_table} WHERE number = %s"


def head_of(number: str) -> str | None:
    """The certificate's current head (every change moves it); None if there is no such number."""
    with connections[settings.REGISTRY_DATABASE].cursor() as cursor:
        cursor.execute(HEAD_SQL, [number])
        row = cursor.fetchone()
    return None if row is None else row[0]


def cache_key(kind: str, number: str, head: str) -> str:
    return f"registry:{release()}:{kind}:{number}:{head}"


def answer(kind: str, number: str) -> Answer:
    """The answer of `kind` for the certificate `number` (normalised) as it is now; Http404 if none."""
    head = head_of(number)
    if head is None:
        raise Http404("no such certificate")
    if (found := django_cache.get(cache_key(kind, number, head))) is not None:
        return found
    found = stored(kind, number, head) or rendered(kind, number)
    django_cache.set(cache_key(kind, number, found.head), found, CACHE_SECONDS)
    return found


def stored(kind: str, number: str, head: str) -> Answer | None:
    """The stored answer if it was rendered from `head` by this release."""
    row = (
        Publication.objects.using(settings.REGISTRY_DATABASE)
        .filter(key=pub_key(kind, number), stamp=head, release=release())
        .values_list("published_at", "body")
        .first()
    )
    return None if row is None else Answer(kind, head, row[0], row[1].encode())


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
    from urllib.parse import urlencode

    others = {k: v for k, v in (query or {}).items() if k != "lang"}
    return [(code, name, "?" + urlencode({**others, "lang": code})) for code, name in settings.LANGUAGES]


def record_context(entry: RegistryEntry) -> dict:
    """What registry/_record_page.html (and its _record.html) is rendered from."""
    events = [(e, event_label(e.action, e.from_status, e.to_status)) for e in reversed(entry.events)]
    return {"entry": entry, "c": entry.certificate, "v": entry.version, "events": events, "as_of_text": AS_OF}


def render(kind: str, entry: RegistryEntry) -> str:
    """One answer, unfilled (AS_OF in place of the time of reading)."""
    if kind == JSON:
        return json.dumps(entry_json(entry, as_of=AS_OF), ensure_ascii=False)
    with translation.override(kind.removeprefix("html:")):
        c = entry.certificate
        context = {
            "title": f"{c.number} · {c.name}",
            "content": render_to_string("registry/_record_page.html", record_context(entry)),
            "language_links": language_links(),
        }
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


def stale_numbers(*, after_id: int = 0, limit: int = 10**9) -> list[tuple[int, str]]:
    """(id, number) of the certificates after `after_id` whose answers are not all current, by id."""
    table, pub = Certificate._meta.db_table, Publication._meta.db_table
    sql = (
        f"SELECT c.id, c.number FROM {table} c WHERE c.id > %s AND (SELECT COUNT(*) FROM {pub} p"
        f" WHERE p.certificate_id = c.id AND p.stamp = c.head_hash AND p.release = %s) < %s ORDER BY c.id LIMIT %s"
    )
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, [after_id, release(), len(kinds()), limit])
        return cursor.fetchall()


def publish_stale(*, batch: int = 200, progress=None) -> int:
    """Publish every certificate whose rows are not current, `batch` per transaction; how many."""
    done, after = 0, 0
    while rows := stale_numbers(after_id=after, limit=batch):
        with transaction.atomic():
            publish(number for _, number in rows)
        done, after = done + len(rows), rows[-1][0]
        if progress:
            progress(done)
    return done

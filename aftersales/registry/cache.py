"""The registry's answers cached per certificate number (REGISTRY_CACHE_SECONDS).

What is cached is the public record as rendered: the page's content per language and the JSON
answer. The certificate services call `registry_forget(number)` after every change they commit,
so a suspension shows at once; the timeout bounds what a missed call could leave stale.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

KINDS = ("json", *(f"html:{code}" for code, _ in settings.LANGUAGES))


def cache_key(kind: str, number: str) -> str:
    return f"registry:{kind}:{number}"


def registry_forget(number: str) -> None:
    """Drop every cached answer about the certificate `number` (call it on commit of a change:
    `transaction.on_commit(lambda: registry_forget(certificate.number))`)."""
    cache.delete_many([cache_key(kind, number) for kind in KINDS])


def cached(kind: str, number: str, build):
    """The cached value for (kind, number), or `build()` stored for REGISTRY_CACHE_SECONDS.
    `build` may raise (e.g. Http404): nothing is stored then."""
    key = cache_key(kind, number)
    value = cache.get(key)
    if value is None:
        value = build()
        if settings.REGISTRY_CACHE_SECONDS > 0:
            cache.set(key, value, settings.REGISTRY_CACHE_SECONDS)
    return value

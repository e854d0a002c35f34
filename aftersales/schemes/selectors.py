"""Reads for schemes."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from aftersales.core.scheme import Scheme, load_scheme_bytes

from .models import SchemeVersion


def scheme_version_list() -> QuerySet[SchemeVersion]:
    return SchemeVersion.objects.defer("source").order_by("scheme_id", "-registered_at")


def scheme_version_get(*, scheme_id: str, version: str) -> SchemeVersion:
    """Public data: every registered scheme is readable by anyone; unknown ones are 404."""
    row = SchemeVersion.objects.filter(scheme_id=scheme_id, version=version).first()
    if row is None:
        raise Http404
    return row


_PARSED: dict[str, Scheme] = {}  # by SHA-256: the same bytes always give the same frozen scheme


def scheme_of(row: SchemeVersion) -> Scheme:
    """The frozen core scheme from the stored bytes (verified against the stored hash)."""
    scheme = _PARSED.get(row.sha256)
    if scheme is None:
        scheme = load_scheme_bytes(bytes(row.source), source=f"db:{row.scheme_id}/{row.version}")
        if scheme.sha256 != row.sha256:
            raise RuntimeError(f"stored scheme {row} does not match its SHA-256")
        _PARSED[row.sha256] = scheme
    return scheme

"""Writes for schemes: register an edition (idempotent on the file's SHA-256)."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from django.db import transaction

from aftersales.core.problems import Problem, ProblemsError
from aftersales.core.scheme import load_scheme_bytes
from aftersales.events.services import event_record

from .models import SchemeVersion


@dataclass(frozen=True)
class Registered:
    version: SchemeVersion
    created: bool


@transaction.atomic
def scheme_register(*, data: bytes, shipped: bool = False, by=None, by_label: str = "") -> Registered:
    """Validate a scheme file and register it. The same bytes again change nothing; other bytes
    under an existing id and version are refused (a changed table is a new version)."""
    scheme = load_scheme_bytes(data, source="<upload>")
    existing = SchemeVersion.objects.filter(sha256=scheme.sha256).first()
    if existing is not None:
        return Registered(existing, created=False)
    clash = SchemeVersion.objects.filter(scheme_id=scheme.id, version=scheme.version).first()
    if clash is not None:
        raise ProblemsError(
            [
                Problem(
                    "scheme_version_taken",
                    where=f"{scheme.id} {scheme.version}",
                    params={"id": scheme.id, "version": scheme.version, "sha": clash.sha256[:12]},
                )
            ]
        )
    row = SchemeVersion.objects.create(
        scheme_id=scheme.id,
        version=scheme.version,
        sha256=scheme.sha256,
        standard=scheme.standard,
        status=scheme.status.value,
        title_zh=scheme.title.zh,
        title_en=scheme.title.en,
        item_count=len(scheme.items),
        source=data,
        shipped=shipped,
    )
    event_record(
        action="scheme.registered",
        subject=row,
        by=by,
        by_label=by_label,
        data={"scheme": scheme.id, "version": scheme.version, "sha256": scheme.sha256},
    )
    return Registered(row, created=True)


def scheme_sync_shipped(*, by_label: str) -> list[Registered]:
    """Register every scheme shipped with the software (each in its own transaction)."""
    folder = resources.files("aftersales.core").joinpath("schemes")
    return [
        scheme_register(data=entry.read_bytes(), shipped=True, by_label=by_label)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".yaml")
    ]

"""Generated documents (report, quotation and certificate PDFs, checklist workbooks) made once per
version of what they show and kept in Django's storage (local files under MEDIA_ROOT by default, the
S3 bucket when AFTERSALES_STORAGE=s3): every download after the first reads the stored bytes.

A document's name holds the SHA-256 of everything its bytes depend on: its kind, CODE_VERSION, the
renderer's version and its source (the rendered HTML of a PDF, the data a workbook is written
from). Whatever changes what a document shows gives another name, so a new document; a stored one
never goes stale. When a new one is stored, the older ones of the same object and variant are
deleted. The files are copies: delete the `generated/` folder and they are made again.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from aftersales.checklist.writer import Filled, write_xlsx
from aftersales.core.scheme import Scheme

log = logging.getLogger(__name__)

ROOT = "generated"
# Raise it when a change of our code (not of a template or the data) changes a document's bytes.
CODE_VERSION = "2"  # 2: checklist cells neutralised against formula injection (issue 21 item 9)


def document_key(*parts: str | bytes) -> str:
    """SHA-256 over the parts (each length-prefixed, so no two part lists collide)."""
    digest = hashlib.sha256(CODE_VERSION.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def stored_document(*, folder: str, variant: str, key: str, suffix: str, build: Callable[[], bytes]) -> bytes:
    """The stored bytes of `folder/variant-key.suffix`, built and stored first if missing.
    A storage that cannot be written costs speed, never the answer."""
    name = f"{ROOT}/{folder}/{variant}-{key}{suffix}"
    try:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as fh:
                return fh.read()
    except OSError as exc:
        log.warning("stored document %s unreadable, made again: %s", name, exc)
    data = build()
    try:
        if not default_storage.exists(name):  # another process may have stored it meanwhile
            default_storage.save(name, ContentFile(data))
        _prune(f"{ROOT}/{folder}", f"{variant}-", keep=name)
    except OSError as exc:
        log.warning("generated document %s not stored: %s", name, exc)
    return data


def _prune(folder: str, prefix: str, *, keep: str) -> None:
    """Delete the earlier documents of the same object and variant."""
    _dirs, files = default_storage.listdir(folder)
    for file in files:
        path = f"{folder}/{file}"
        if file.startswith(prefix) and path != keep:
            default_storage.delete(path)


def checklist_xlsx(
    scheme: Scheme, *, scheme_sha256: str, lang: str, folder: str, filled: Filled | None = None
) -> bytes:
    """`write_xlsx`'s bytes, made once per scheme version, language and answers and then read from
    storage (`aftersales.generated`): writing the workbook takes about 0.4 s."""
    import openpyxl  # imported on use, as in write_xlsx

    def build() -> bytes:
        buffer = io.BytesIO()
        write_xlsx(scheme, buffer, lang, filled=filled)
        return buffer.getvalue()

    key = document_key("xlsx", f"openpyxl-{openpyxl.__version__}", scheme_sha256, lang, repr(filled))
    return stored_document(folder=folder, variant=lang.lower(), key=key, suffix=".xlsx", build=build)

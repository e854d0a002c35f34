"""Evidence files: checked by type, size and content, hashed, stored privately."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.events.services import event_record
from aftersales.schemes.selectors import scheme_of
from aftersales.uploads import UploadRefused, upload_check

from .models import Assessment, Evidence
from .services import assessment_lock_draft

# suffix -> (content type, magic bytes the file must start with, or None for text)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".txt": ("text/plain; charset=utf-8", None),
    ".csv": ("text/csv; charset=utf-8", None),
}


class EvidenceRefused(ValueError):
    """The file cannot be evidence; the message says why, in the user's language."""


def evidence_check(name: str, head: bytes, size: int) -> str:
    """The content type of an acceptable evidence file (`head`: its beginning or all of it), else
    EvidenceRefused; the rules are aftersales.uploads.upload_check, shared with case materials."""
    try:
        return upload_check(name, head, size=size, max_bytes=settings.EVIDENCE_MAX_BYTES)
    except UploadRefused as exc:
        raise EvidenceRefused(str(exc)) from exc


def evidence_add(*, assessment: Assessment, item_code: str, upload, by) -> Evidence:
    """Store an uploaded file as evidence for one item (UploadedFile: name, size, chunks())."""
    scheme = scheme_of(assessment.scheme_version)
    if not scheme.has_node(item_code) or not scheme.node(item_code).is_item:
        raise EvidenceRefused(_("There is no item %(code)s in this scheme.") % {"code": item_code})
    name = PurePath(upload.name).name[:255]
    digest = hashlib.sha256()
    data = bytearray()
    for chunk in upload.chunks():
        digest.update(chunk)
        data.extend(chunk)
        if len(data) > settings.EVIDENCE_MAX_BYTES:
            break
    content_type = evidence_check(name, bytes(data), len(data))
    with transaction.atomic():
        locked = assessment_lock_draft(assessment.pk)
        evidence = Evidence(
            assessment=locked,
            item_code=scheme.node(item_code).code,
            original_name=name,
            content_type=content_type,
            size=len(data),
            sha256=digest.hexdigest(),
            uploaded_by=by,
        )
        evidence.file.save(
            f"{digest.hexdigest()[:16]}{PurePath(name).suffix.lower()}", ContentFile(bytes(data)), save=False
        )
        try:
            evidence.save()
            event_record(
                action="assessment.evidence_added",
                subject=locked,
                by=by,
                data={"item": evidence.item_code, "file": name, "sha256": evidence.sha256},
            )
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def evidence_remove(*, evidence: Evidence, by) -> None:
    with transaction.atomic():
        locked = assessment_lock_draft(evidence.assessment_id)
        event_record(
            action="assessment.evidence_removed",
            subject=locked,
            by=by,
            data={"item": evidence.item_code, "file": evidence.original_name, "sha256": evidence.sha256},
        )
        evidence.delete()
        transaction.on_commit(lambda: evidence.file.delete(save=False))

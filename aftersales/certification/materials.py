"""Application materials: uploads checked by type, size and content, hashed, versioned, stored
privately. A new upload of a material type is its next version; earlier versions stay."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from aftersales.core.materials import BY_CODE
from aftersales.uploads import UploadRefused, upload_check

from .cases import case_event_record
from .models import Case, Material
from .services import StepRefused, _lock_editable


def file_check(name: str, data: bytes) -> str:
    """The content type of an acceptable file, else StepRefused naming the file and the problem
    (the rules are aftersales.uploads.upload_check, shared with assessment evidence)."""
    try:
        return upload_check(name, data, size=len(data), max_bytes=settings.EVIDENCE_MAX_BYTES)
    except UploadRefused as exc:
        raise StepRefused(str(exc)) from exc


def read_upload(upload) -> tuple[str, bytes]:
    """(file name, bytes) of an UploadedFile, reading at most one byte past the size limit."""
    data = bytearray()
    for chunk in upload.chunks():
        data.extend(chunk)
        if len(data) > settings.EVIDENCE_MAX_BYTES:
            break
    return PurePath(upload.name).name[:255], bytes(data)


def material_upload(*, case: Case, material_type: str, upload, by) -> Material:
    """Store the next version of one material of the application (draft or info requested)."""
    if material_type not in BY_CODE:
        raise StepRefused(_("There is no material type “%(type)s”.") % {"type": material_type})
    name, data = read_upload(upload)
    content_type = file_check(name, data)
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        locked = _lock_editable(case)
        last = Material.objects.filter(case=locked, material_type=material_type).aggregate(v=Max("version"))["v"]
        material = Material(
            case=locked,
            material_type=material_type,
            version=(last or 0) + 1,
            original_name=name,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=by,
        )
        material.file.save(f"{digest[:16]}{PurePath(name).suffix.lower()}", ContentFile(data), save=False)
        try:
            material.save()
            case_event_record(
                case=locked,
                action="application.material_uploaded",
                by=by,
                data={"material": material_type, "version": material.version, "file": name, "sha256": digest},
            )
        except Exception:
            material.file.delete(save=False)
            raise
    return material

"""Application materials: uploads checked by type, size and content, hashed, versioned, stored
privately. A new upload of a material type is its next version; earlier versions stay."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from aftersales.core.materials import BY_CODE
from aftersales.uploads import CheckedUpload, UploadRefused, upload_accept

from .cases import case_event_record
from .models import Case, Material
from .services import StepRefused, _lock_editable


def file_accept(upload) -> CheckedUpload:
    """The uploaded file read whole and checked (`aftersales.uploads.upload_accept`, the check of
    every upload), else StepRefused naming the file and the problem."""
    try:
        return upload_accept(upload)
    except UploadRefused as exc:
        raise StepRefused(str(exc)) from exc


def material_upload(*, case: Case, material_type: str, upload, by) -> Material:
    """Store the next version of one material of the application (draft or info requested)."""
    if material_type not in BY_CODE:
        raise StepRefused(_("There is no material type “%(type)s”.") % {"type": material_type})
    checked = file_accept(upload)
    with transaction.atomic():
        locked = _lock_editable(case)
        last = Material.objects.filter(case=locked, material_type=material_type).aggregate(v=Max("version"))["v"]
        material = checked.stored(
            Material, case=locked, material_type=material_type, version=(last or 0) + 1, uploaded_by=by
        )
        try:
            material.save()
            case_event_record(
                case=locked,
                action="application.material_uploaded",
                by=by,
                data={
                    "material": material_type,
                    "version": material.version,
                    "file": checked.name,
                    "sha256": checked.sha256,
                },
            )
        except Exception:
            material.file.delete(save=False)
            raise
    return material

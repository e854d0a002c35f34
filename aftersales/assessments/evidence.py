"""Evidence files: checked by type, size and content (`aftersales.uploads`), hashed, stored privately."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core.refusal import Refused
from aftersales.events.services import event_record
from aftersales.schemes.selectors import scheme_of
from aftersales.uploads import UploadRefused, upload_accept

from .models import Assessment, Evidence
from .services import assessment_lock_draft


class EvidenceRefused(Refused):
    """The file cannot be evidence; the message says why, in the user's language."""


def evidence_add(*, assessment: Assessment, item_code: str, upload, by) -> Evidence:
    """Store an uploaded file as evidence for one item (UploadedFile: name, size, chunks())."""
    scheme = scheme_of(assessment.scheme_version)
    if not scheme.has_node(item_code) or not scheme.node(item_code).is_item:
        raise EvidenceRefused(_("There is no item %(code)s in this scheme.") % {"code": item_code})
    try:
        checked = upload_accept(upload)
    except UploadRefused as exc:
        raise EvidenceRefused(str(exc)) from exc
    with transaction.atomic():
        locked = assessment_lock_draft(assessment.pk)
        evidence = checked.stored(Evidence, assessment=locked, item_code=scheme.node(item_code).code, uploaded_by=by)
        try:
            evidence.save()
            event_record(
                action="assessment.evidence_added",
                subject=locked,
                by=by,
                data={"item": evidence.item_code, "file": checked.name, "sha256": evidence.sha256},
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

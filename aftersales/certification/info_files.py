"""Files sent with an answer to a request for more information: each checked as every upload
(`aftersales.uploads.upload_accept`: type, size, content), hashed and stored privately."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from aftersales.uploads import CheckedUpload, UploadRefused, upload_accept

from .models import InfoAttachment, InfoItem

MAX_FILES = 10  # per answer


def info_files_accept(files: Sequence) -> list[CheckedUpload]:
    """Every file read and checked before anything is written; UploadRefused naming each bad file."""
    if len(files) > MAX_FILES:
        raise UploadRefused(_("At most %(n)s files per answer.") % {"n": MAX_FILES})
    checked, problems = [], []
    for upload in files:
        try:
            checked.append(upload_accept(upload))
        except UploadRefused as exc:
            problems += exc.problems
    if problems:
        raise UploadRefused(*problems)
    return checked


def info_files_store(*, item: InfoItem, checked: Sequence[CheckedUpload], by) -> list[InfoAttachment]:
    """Store the files with the answer (inside the caller's transaction). A failure removes the
    files already written."""
    stored: list[InfoAttachment] = []
    try:
        for upload in checked:
            attachment = upload.stored(InfoAttachment, item=item, uploaded_by=by)
            stored.append(attachment)
            attachment.save()
    except Exception:
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return stored


def info_files_event_data(attachments: Sequence[InfoAttachment]) -> list[dict]:
    """What the case event records of each file."""
    return [{"file": a.original_name, "sha256": a.sha256, "size": a.size} for a in attachments]

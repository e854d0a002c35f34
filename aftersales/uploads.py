"""Uploaded files: random storage names and the content check every upload passes.

Every path that stores a user's file (assessment and audit evidence, case materials and the
answers to an information request, the signed contract, rectification evidence, appeal files)
reads it with `upload_accept`, which checks the whole file with `upload_check`.

Files live under MEDIA_ROOT (DATA_DIR/media), which no URL pattern serves: each download goes
through a view that resolves the object with its access helper first (404 to outsiders). The
stored name says nothing about the file (an area, the month, a random UUID, the lower-cased
extension); what the user called it stays in the model's original_name field.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from aftersales.core.refusal import Refused

_SAFE_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


@deconstructible
class RandomName:
    """upload_to for FileFields: "<area>/<yyyy>/<mm>/<uuid4 hex><.ext>" (the extension only if it is
    short letters and digits). Deconstructible, so migrations record it."""

    def __init__(self, area: str):
        self.area = area.strip("/")

    def __call__(self, instance, filename: str) -> str:
        suffix = PurePath(filename or "").suffix.lower()
        if not _SAFE_SUFFIX.fullmatch(suffix):
            suffix = ""
        now = timezone.localtime()
        return f"{self.area}/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.area == self.area

    def __hash__(self) -> int:
        return hash(self.area)


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
# the part an Office Open XML package must hold for its suffix
_OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
# how binaries and archives begin (most also hold a NUL early): never acceptable as "text"
_NOT_TEXT = (b"\x7fELF", b"PK\x03\x04", b"%PDF-", b"Rar!", b"7z\xbc\xaf")
_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|script|svg|\?xml)", re.IGNORECASE)
# members an Office document never needs: programs, scripts, and macros (they belong in .docm/.xlsm)
_RUNNABLE_MEMBER = re.compile(
    r"(?:\.(?:exe|dll|com|scr|pif|msi|bat|cmd|ps1|vbs|vbe|js|jse|wsf|wsh|hta|jar|lnk|sh)|vbaproject\.bin)$",
    re.IGNORECASE,
)


class UploadRefused(Refused):
    """The file is not acceptable; the message names it and says why, in the user's language."""


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file read whole and accepted by `upload_check`."""

    name: str  # the user's file name (its last part, at most 255 characters)
    data: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def stored_name(self) -> str:
        """The name handed to the FileField (RandomName replaces all but the suffix)."""
        return f"{self.sha256[:16]}{PurePath(self.name).suffix.lower()}"

    def stored(self, model, **fields):
        """An unsaved `model` row holding this file (field `file`) and its name, type, size and hash;
        the file is written to storage now, the row when the caller saves it."""
        row = model(
            original_name=self.name, content_type=self.content_type, size=self.size, sha256=self.sha256, **fields
        )
        row.file.save(self.stored_name, ContentFile(self.data), save=False)
        return row


def upload_accept(upload, *, max_bytes: int | None = None) -> CheckedUpload:
    """Read an UploadedFile (name, chunks()) whole, stopping one byte past the limit, and check it;
    UploadRefused naming the file otherwise. The one way in for every stored upload."""
    limit = settings.EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
    name = PurePath(upload.name or "").name[:255]
    data = bytearray()
    for chunk in upload.chunks():
        data.extend(chunk)
        if len(data) > limit:
            break
    data = bytes(data)
    content_type = upload_check(name, data, max_bytes=limit)
    return CheckedUpload(name, data, content_type, hashlib.sha256(data).hexdigest())


def upload_check(name: str, data: bytes, *, max_bytes: int) -> str:
    """The content type to store for a file, else UploadRefused naming it and saying why.

    `data` is the whole file: the suffix must be one we accept, the size within `max_bytes`, and the
    content what the suffix says - magic bytes for binary formats; for DOCX/XLSX a ZIP holding the
    document part and no program, script or macro; for text no NUL byte anywhere and no executable,
    archive or HTML/SVG beginning."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise UploadRefused(
            _("%(name)s: files of type %(suffix)s are not accepted; use PDF, PNG, JPEG, DOCX, XLSX, TXT or CSV.")
            % {"name": name, "suffix": suffix or "-"}
        )
    if not data:
        raise UploadRefused(_("%(name)s is empty.") % {"name": name})
    if len(data) > max_bytes:
        raise UploadRefused(_("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": max_bytes // (1024 * 1024)})
    content_type, magic = ALLOWED[suffix]
    if magic is not None:
        if not data.startswith(magic):
            raise UploadRefused(_("%(name)s is not a real %(suffix)s file.") % {"name": name, "suffix": suffix})
        if suffix in _OOXML_PART:
            _ooxml_check(name, suffix, data)
        return content_type
    if b"\x00" in data or data.startswith(_NOT_TEXT) or _MARKUP.match(data[:4096].lstrip(b"\xef\xbb\xbf")):
        raise UploadRefused(_("%(name)s is not a text file.") % {"name": name})
    return content_type


def _ooxml_check(name: str, suffix: str, data: bytes) -> None:
    names = _zip_names(data)
    if names is None or _OOXML_PART[suffix] not in names or "[Content_Types].xml" not in names:
        raise UploadRefused(_("%(name)s is not a real %(suffix)s file.") % {"name": name, "suffix": suffix})
    runnable = sorted(n for n in names if _RUNNABLE_MEMBER.search(n))
    if runnable:
        raise UploadRefused(
            _("%(name)s holds a program or macro (%(member)s); save the document without it.")
            % {"name": name, "member": runnable[0][-80:]}
        )


def _zip_names(data: bytes) -> set[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def stored_file_response(row) -> FileResponse:
    """A stored upload (a row made by `CheckedUpload.stored`) as a download: its own name and type,
    never sniffed, with its SHA-256 digest."""
    response = FileResponse(
        row.file.open("rb"), as_attachment=True, filename=row.original_name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Digest"] = f"sha-256={row.sha256}"
    return response

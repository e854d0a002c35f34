"""Uploaded files: random storage names and the content check every upload passes.

Files live under MEDIA_ROOT (DATA_DIR/media), which no URL pattern serves: each download goes
through a view that resolves the object with its access helper first (404 to outsiders). The
stored name says nothing about the file (an area, the month, a random UUID, the lower-cased
extension); what the user called it stays in the model's original_name field.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from pathlib import PurePath

from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

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


class UploadRefused(ValueError):
    """The file is not acceptable; the message names it and says why, in the user's language."""


def upload_check(name: str, data: bytes, *, size: int, max_bytes: int) -> str:
    """The content type to store for an uploaded file, else UploadRefused.

    `data` is the file's beginning or all of it (`size` is the whole size): the suffix must be one
    we accept, the size within `max_bytes`, and the content must be what the suffix says - magic
    bytes for binary formats; for DOCX/XLSX, when `data` is the whole file, a ZIP holding the
    document part; for text, no NUL byte, no executable, archive or HTML/SVG beginning."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise UploadRefused(
            _("%(name)s: files of type %(suffix)s are not accepted; use PDF, PNG, JPEG, DOCX, XLSX, TXT or CSV.")
            % {"name": name, "suffix": suffix or "-"}
        )
    if size == 0:
        raise UploadRefused(_("%(name)s is empty.") % {"name": name})
    if size > max_bytes:
        raise UploadRefused(_("%(name)s is larger than %(mb)s MB.") % {"name": name, "mb": max_bytes // (1024 * 1024)})
    content_type, magic = ALLOWED[suffix]
    fake = UploadRefused(_("%(name)s is not a real %(suffix)s file.") % {"name": name, "suffix": suffix})
    if magic is not None:
        if not data.startswith(magic):
            raise fake
        if suffix in _OOXML_PART and len(data) == size and not _zip_has(data, _OOXML_PART[suffix]):
            raise fake
        return content_type
    head = data[:4096]
    if b"\x00" in head or head.startswith(_NOT_TEXT) or _MARKUP.match(head.lstrip(b"\xef\xbb\xbf")):
        raise UploadRefused(_("%(name)s is not a text file.") % {"name": name})
    return content_type


def _zip_has(data: bytes, part: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return part in names and "[Content_Types].xml" in names

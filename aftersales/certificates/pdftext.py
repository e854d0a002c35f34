"""The text a certificate PDF's one page shows, read with pypdf (through `pdffile`) for
`aftersales certificate verify`. See docs/certificates.md, "Reading a certificate PDF"."""

from __future__ import annotations

import re

from . import pdffile
from .pdffile import Unreadable

__all__ = ["Unreadable", "page_text"]


def page_text(data: bytes) -> str:
    """The text the PDF's only page draws, as lines; Unreadable when that cannot be told: the file
    was changed after it was written (bytes after its first end-of-file marker, such as an
    incremental update), its structure needs repair (pypdf in strict mode), it has other than one
    page, or pypdf fails on it."""
    extra = pdffile.appended(data)
    if extra:
        raise Unreadable(f"{extra} bytes after the end of the file as written (it was changed after it was written)")
    with pdffile.reading(pdffile.as_written(data)[0], strict=True) as reader:
        pages = len(reader.pages)
        if pages != 1:
            raise Unreadable(f"{pages} pages (a certificate has one)")
        text = reader.pages[0].extract_text()
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)

"""The text a certificate PDF's pages show, read with pypdf (through `pdffile`) for
`aftersales certificate verify`. See docs/certificates.md, "Reading a certificate PDF"."""

from __future__ import annotations

import re

from . import pdffile
from .pdffile import Unreadable

__all__ = ["Unreadable", "page_text"]


MAX_PAGES = 40  # the certificate and its annex of sites (200 sites take about 10 pages)


def page_text(data: bytes) -> str:
    """The text the PDF's pages draw, as lines, each page after the first (the annex of sites)
    starting with a form feed line; Unreadable when that cannot be told: the file was changed after
    it was written (bytes after its first end-of-file marker, such as an incremental update), its
    structure needs repair (pypdf in strict mode), it has more than MAX_PAGES pages, or pypdf fails
    on it."""
    extra = pdffile.appended(data)
    if extra:
        raise Unreadable(f"{extra} bytes after the end of the file as written (it was changed after it was written)")
    with pdffile.reading(pdffile.as_written(data)[0], strict=True) as reader:
        pages = len(reader.pages)
        if not 1 <= pages <= MAX_PAGES:
            raise Unreadable(f"{pages} pages (a certificate has one, and its annex at most {MAX_PAGES - 1})")
        texts = [page.extract_text() for page in reader.pages]
    return f"\n{PAGE_BREAK}\n".join(_lines(text) for text in texts)


PAGE_BREAK = "\f"


def _lines(text: str) -> str:
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)

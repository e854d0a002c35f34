"""Every PDF the platform prints (certificates, assessment and audit reports, quotations): an HTML
page rendered by WeasyPrint with the vendored CJK font, loading nothing else (no network, no
other file), so Chinese never depends on the machine's fonts.

The speed-ups first measured on the certificate (bench/README.md, "Certificate PDF") apply to all:
the font is read from uncompressed copies in the font cache (`aftersales.fonts`; decoding the
WOFF2 files costs about 0.4 s per document) and the fetcher gets one SSL context per process
(WeasyPrint otherwise builds one per document, about 0.2 s, for HTTPS it never uses here).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.utils import timezone
from django.utils.safestring import mark_safe

from aftersales import fonts
from aftersales.generated import document_key, stored_document

FONT_FAMILY = fonts.FAMILY


class ReportUnavailable(Exception):
    """The PDF library cannot run here (WeasyPrint or the system's Pango is missing)."""


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    description: str = ""


def font_faces() -> str:
    """@font-face rules of the vendored font, by file URL of its uncompressed copies."""
    rules = [
        f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{fonts.otf_path(weight).as_uri()}") '
        f'format("opentype"); font-weight: {weight}; font-style: normal; }}'
        for weight in fonts.SOURCES
    ]
    return mark_safe("\n".join(rules))  # constant names and file URLs: no user input


@cache
def _ssl_context():
    import ssl

    return ssl.create_default_context()


def renderer_version() -> str:
    """What, besides the HTML, decides a PDF's bytes: part of a stored document's key."""
    try:
        import weasyprint
    except (ImportError, OSError):
        return "unavailable"
    return f"weasyprint-{weasyprint.__version__}"


def pdf_from_html(html: str, *, attachments: Sequence[Attachment] = ()) -> bytes:
    """The PDF of `html` (which takes its fonts from `font_faces()`), with files attached.
    Raises ReportUnavailable when WeasyPrint cannot run here."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:  # OSError: the system's Pango (or GLib) is missing
        raise ReportUnavailable(str(exc)) from exc

    fonts.otf_path(400)  # the cache folder exists before its URL is the base
    allowed = fonts.cache_dir().as_uri() + "/"

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(allowed):
                raise ValueError(f"a printed document loads nothing but its fonts, not {url}")
            return super().fetch(url, headers)

    fetcher = FontsOnly(allowed_protocols={"file"}, ssl_context=_ssl_context())
    files = [
        weasyprint.Attachment(file_obj=io.BytesIO(a.data), name=a.name, description=a.description, url_fetcher=fetcher)
        for a in attachments
    ]
    document = weasyprint.HTML(string=html, base_url=allowed, url_fetcher=fetcher)
    return document.write_pdf(attachments=files) if files else document.write_pdf()


def stored_pdf(
    *, folder: str, variant: str, html_for: Callable[[datetime | None], str], attachments: Sequence[Attachment] = ()
) -> bytes:
    """The PDF of `html_for(now)`, made once per version and then read from storage (`generated`).
    The key is the page rendered without its "made at" time (`html_for(None)`), the attachments
    and the renderer's version: the printed time is the first download's."""
    key = document_key(
        "pdf", renderer_version(), html_for(None), *(part for a in attachments for part in (a.name, a.data))
    )
    return stored_document(
        folder=folder,
        variant=variant,
        key=key,
        suffix=".pdf",
        build=lambda: pdf_from_html(html_for(timezone.localtime()), attachments=attachments),
    )

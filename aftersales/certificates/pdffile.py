"""A certificate PDF opened with pypdf for `aftersales certificate verify`: size and parsing bounded,
the file as written kept apart from anything appended to it. See docs/certificates.md, "Reading a
certificate PDF"."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from pypdf import PdfReader, apply_configuration

MAX_BYTES = 8 * 1024 * 1024  # a certificate PDF is about 100 KB
WHITE_SPACE = b" \t\r\n\f\x00"
_TRAILER_END = re.compile(rb"startxref\s+\d+\s+%%EOF")  # not any "%%EOF": compressed bytes may hold one

# pypdf's own limits, well below its defaults (75 MB a stream): a certificate's streams are small
LIMITS = {
    "maximum_declared_stream_length": MAX_BYTES,
    "zlib_maximum_output_length": 16 * 1024 * 1024,
    "lzw_maximum_output_length": 16 * 1024 * 1024,
    "run_length_maximum_output_length": 16 * 1024 * 1024,
    "brotli_maximum_output_length": 16 * 1024 * 1024,
    "array_based_stream_maximum_output_length": 16 * 1024 * 1024,
    "stream_decoding_work_maximum_length": 64 * 1024 * 1024,
    "stream_parsing_work_maximum_count": 500_000,
    "array_maximum_element_count": 50_000,
    "dictionary_maximum_element_count": 10_000,
    "page_tree_maximum_entries": 1_000,
    "page_tree_maximum_depth": 16,
    "page_tree_maximum_page_entries": 1_000,
    "xform_maximum_invocations_per_extraction": 500,
    "jbig2dec_binary": None,  # never run an external decoder on a file from anyone
}

# pypdf logs what it repaired in a hostile or damaged file as warnings: not the verifier's output,
# which is its own messages (the verifier is pypdf's only user in this project)
_log = logging.getLogger("pypdf")
_log.addHandler(logging.NullHandler())
_log.propagate = False


class Unreadable(Exception):
    """The PDF cannot be read reliably; str() says why (English, for the verifier's message)."""


def too_large(size: int) -> str | None:
    """Why a file of `size` bytes is not read, or None."""
    if size > MAX_BYTES:
        return f"{size} bytes, more than the {MAX_BYTES} a certificate PDF can have"
    return None


def as_written(data: bytes) -> tuple[bytes, bytes]:
    """(the file up to its first end-of-file marker, "startxref <offset> %%EOF"; what follows it).
    pypdf reads a file from its last marker back, so an update appended after the first one (an
    incremental save, or bytes added by hand) would be read in place of what was issued; the
    verifier reads the first part and refuses a file whose second part is not empty (`appended`)."""
    found = _TRAILER_END.search(data)
    if found is None:
        return data, b""
    return data[: found.end()], data[found.end() :]


def appended(data: bytes) -> int:
    """How many bytes other than white space follow the file's first end-of-file marker."""
    return len(as_written(data)[1].strip(WHITE_SPACE))


@contextmanager
def reading(data: bytes, *, strict: bool) -> Iterator[PdfReader]:
    """A PdfReader of `data` under `LIMITS`; whatever pypdf raises inside the block (it raises many
    kinds on a hostile file) becomes Unreadable."""
    reason = too_large(len(data))
    if reason:
        raise Unreadable(reason)
    try:
        with apply_configuration(**LIMITS):
            yield PdfReader(io.BytesIO(data), strict=strict, xref_stream_maximum_entries=100_000)
    except Unreadable:
        raise
    except RecursionError:
        raise Unreadable("objects nested too deeply") from None
    except Exception as exc:  # a file from anyone: any failure to parse it is "unreadable"
        raise Unreadable(f"{type(exc).__name__}: {exc}"[:300]) from None

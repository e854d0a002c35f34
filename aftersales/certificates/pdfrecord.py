"""The signed record a certificate PDF carries, and how to find it again without a PDF library.

`certificate_pdf` embeds `certificate.json` as a PDF file attachment (an `/EmbeddedFile` stream):

    {"format": "aftersales-certificate-signature/1",
     "payload": {...the version's signed payload...}, "signature": "<Ed25519, base64url>", "key_id": "..."}

`records_in_pdf` reads it back with the standard library only, so `aftersales certificate verify`
works offline on any machine: it scans the file for every `stream … endstream` body, inflates the
`/FlateDecode` ones with zlib (others are read as they are), and keeps those whose bytes parse as
JSON with the format marker above. It does not follow the cross-reference table, so it also reads
a PDF whose offsets an editor broke — and it sees every record in the file, including one left
behind by an incremental update: a file holding more than one different record is refused by the
verifier, since a genuine certificate holds exactly one.

`signature_valid` is `signing.signature_valid` without Django (the verifier runs where no settings
exist); a test holds the two to the same answers. The signature covers the payload only; what a
viewer shows on the page is not signed, which is why the verifier prints the certified data for
comparison with the page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib

from aftersales.core.chain import canonical

FORMAT = "aftersales-certificate-signature/1"
ATTACHMENT_NAME = "certificate.json"
MARKER = FORMAT.encode("ascii")

_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)\b(?!\s+\d+\s+R)")  # a direct length, not "12 0 R"


def signed_record(*, payload: dict, signature: str, key_id: str) -> dict:
    return {"format": FORMAT, "payload": payload, "signature": signature, "key_id": key_id}


def record_bytes(record: dict) -> bytes:
    """The attachment's bytes: readable JSON (the signature covers the payload's canonical form,
    not these bytes, so the layout here is free)."""
    return (json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def fingerprint(signature: str) -> str:
    """A short fingerprint printed on the certificate and by the verifier: the first 16 hex digits
    of the SHA-256 of the signature, in groups of four."""
    digest = hashlib.sha256(signature.encode("ascii")).hexdigest()[:16].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 16, 4))


def streams(data: bytes):
    """(dictionary bytes, raw body bytes) of every stream object in `data`."""
    for match in _STREAM.finditer(data):
        head_end = match.start()
        if data[max(head_end - 16, 0) : head_end].rstrip()[-2:] != b">>":
            continue  # the word "stream" somewhere else (a string, a content stream's text)
        head_start = 0
        for obj in _OBJ.finditer(data, max(head_end - 4096, 0), head_end):
            head_start = obj.end()
        head = data[head_start:head_end]
        start = match.end()
        length = _LENGTH.search(head)
        end = start + int(length.group(1)) if length else -1
        if end < 0 or end > len(data) or data[end : end + 24].lstrip()[:9] != b"endstream":
            end = data.find(b"endstream", start)  # indirect or wrong /Length: up to the keyword
            if end < 0:
                continue
            end = len(data[start:end].rstrip(b"\r\n")) + start
        yield head, data[start:end]


def _decoded(head: bytes, body: bytes) -> bytes | None:
    if b"/FlateDecode" in head or b"/Fl " in head or b"/Fl]" in head:
        try:
            return zlib.decompressobj().decompress(body)
        except zlib.error:
            return None
    if b"/Filter" in head:
        return None  # another filter: not how the record is written
    return body


def records_in_pdf(data: bytes) -> list[dict]:
    """Every distinct signed record in the PDF bytes, in file order."""
    found: list[dict] = []
    for head, body in streams(data):
        decoded = _decoded(head, body)
        if decoded is None or MARKER not in decoded:
            continue
        try:
            record = json.loads(decoded.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(record, dict) and record.get("format") == FORMAT and record not in found:
            found.append(record)
    return found


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id_of(public: bytes) -> str:
    """The key id: the first 16 hex digits of the SHA-256 of the raw public key (as `signing`)."""
    return hashlib.sha256(public).hexdigest()[:16]


def signature_valid(payload: dict, signature: str, public_key: str) -> bool:
    """True if `signature` (base64url) is the Ed25519 signature of the canonical JSON of `payload`
    by `public_key` (raw 32 bytes, base64url)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(b64url_decode(public_key))
        key.verify(b64url_decode(signature), canonical(payload))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True

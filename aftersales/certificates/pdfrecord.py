"""The signed record a certificate PDF carries (the attachment `certificate.json`), how it is
written and how `aftersales certificate verify` finds it again (pypdf, through `pdffile`).
See docs/certificates.md, "Signature and offline verification"."""

from __future__ import annotations

import base64
import hashlib
import json

from aftersales.core.chain import canonical

from . import pdffile

FORMAT = "aftersales-certificate-signature/1"
ATTACHMENT_NAME = "certificate.json"
MARKER = FORMAT.encode("ascii")

MAX_RECORD_BYTES = 1024 * 1024  # a record is about 1 KB
MAX_ATTACHMENTS = 64


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


def records_in_pdf(data: bytes) -> list[dict]:
    """Every distinct signed record the PDF attaches, in order: those of the file as written (up to
    its first end-of-file marker) and, when something was appended, those a reader of the whole
    file sees (an incremental update that replaced the record adds it here). A file pypdf cannot
    read holds none."""
    found: list[dict] = []
    written = pdffile.as_written(data)[0]
    for part in (written, data) if pdffile.appended(data) else (written,):
        try:
            with pdffile.reading(part, strict=False) as reader:
                for record in _attached_records(reader):
                    if record not in found:
                        found.append(record)
        except pdffile.Unreadable:
            continue
    return found


def _attached_records(reader) -> list[dict]:
    records = []
    for n, attachment in enumerate(reader.attachment_list):
        if n >= MAX_ATTACHMENTS:
            break
        content = attachment.content
        if len(content) > MAX_RECORD_BYTES or MARKER not in content:
            continue
        try:
            record = json.loads(content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            continue
        if isinstance(record, dict) and record.get("format") == FORMAT:
            records.append(record)
    return records


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id_of(public: bytes) -> str:
    """The key id: the first 16 hex digits of the SHA-256 of the raw public key (as `signing`)."""
    return hashlib.sha256(public).hexdigest()[:16]


def signature_valid(payload: dict, signature: str, public_key: str) -> bool:
    """True if `signature` (base64url) is the Ed25519 signature of the canonical JSON of `payload`
    by `public_key` (raw 32 bytes, base64url). `signing.signature_valid` without Django: the
    verifier runs where no settings exist (a test holds the two to the same answers)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(b64url_decode(public_key))
        key.verify(b64url_decode(signature), canonical(payload))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True

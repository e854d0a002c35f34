"""Ed25519 signatures over certificate data, verifiable offline with the published public key.

The private key is a PEM file (CERT_SIGNING_KEY_FILE, created with mode 0600 on first use; in
production it comes from a secret store) and never enters the database. Each public key is
recorded as a `SigningKey` and published at /.well-known/aftersales-cert-keys.json, including
retired ones, so certificates signed before a key rotation still verify.

The key id is the first 16 hex digits of the SHA-256 of the raw public key.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from aftersales.core.chain import canonical

from . import pdfrecord
from .models import SigningKey

_loaded: dict[Path, tuple[str, Ed25519PrivateKey]] = {}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


b64url_decode = pdfrecord.b64url_decode


def public_raw(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


key_id_of = pdfrecord.key_id_of


def _load_or_create(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key


def file_key(*, create: bool = True) -> tuple[str, Ed25519PrivateKey] | None:
    """(key id, private key) of CERT_SIGNING_KEY_FILE, read once per process; creates the file if
    missing (None instead with create=False). No database: chain checkpoints are signed with it."""
    path = Path(settings.CERT_SIGNING_KEY_FILE)
    if path not in _loaded:
        if not create and not path.exists():
            return None
        key = _load_or_create(path)
        raw = public_raw(key.public_key())
        _loaded[path] = (key_id_of(raw), key)
    return _loaded[path]


def signing_key() -> tuple[str, Ed25519PrivateKey]:
    """(key id, private key) of CERT_SIGNING_KEY_FILE; creates the file if missing and records
    its public key for publication."""
    kid, key = file_key()
    SigningKey.objects.get_or_create(key_id=kid, defaults={"public_key": b64url(public_raw(key.public_key()))})
    return kid, key


def sign(payload: dict) -> tuple[str, str]:
    """(signature base64url, key id) over the canonical JSON of `payload`."""
    kid, key = signing_key()
    return b64url(key.sign(canonical(payload))), kid


def signature_valid(payload: dict, signature: str, public_key: str) -> bool:
    """True if `signature` (base64url) is the Ed25519 signature of `payload` by `public_key`
    (raw 32 bytes, base64url). The check itself is `pdfrecord.signature_valid`, which needs no
    Django, so the offline verifier runs the very same code."""
    return pdfrecord.signature_valid(payload, signature, public_key)


def published_keys() -> list[dict]:
    """Every public key certificates were signed with, as JWK-style dicts (oldest first)."""
    return [
        {
            "kid": k.key_id,
            "kty": "OKP",
            "crv": "Ed25519",
            "x": k.public_key,
            "created": k.created_at.isoformat(),
            "retired": k.retired_at.isoformat() if k.retired_at else None,
        }
        for k in SigningKey.objects.order_by("created_at", "id")
    ]

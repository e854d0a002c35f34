"""Time-based one-time passwords (RFC 6238 on top of RFC 4226 HOTP), as authenticator apps use them.

HMAC-SHA1, 30-second steps, 6 digits, base32 secrets: the defaults every app (Google
Authenticator, Microsoft Authenticator, FreeOTP, 1Password …) understands from an otpauth:// URI.
`match` accepts the codes of one step before and after now (clocks drift) and returns the step
that matched, so the caller can refuse that step, and every earlier one, next time (no replay).

Pure Python, no Django: tested with the RFC 6238 appendix B vectors.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of now
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA1 block RFC 4226 recommends


def new_secret() -> str:
    """A random base32 secret (32 characters, no padding)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def normalise_secret(secret: str) -> str:
    """Upper case, no blanks or dashes, no padding: how people copy secrets from other apps."""
    return re.sub(r"[\s=-]", "", secret).upper()


def secret_bytes(secret: str) -> bytes:
    """The key behind a base32 secret; ValueError if it is not base32."""
    text = normalise_secret(secret)
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except (ValueError, base64.binascii.Error) as exc:
        raise ValueError("not a base32 secret") from exc


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """RFC 4226: the code for `counter`, zero-padded to `digits`."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(unix_time: float, *, step: int = STEP_SECONDS) -> int:
    """The time step (RFC 6238 "T") containing `unix_time`."""
    return int(unix_time // step)


def code_at(secret: str, unix_time: float, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """The code an authenticator shows at `unix_time` for a base32 secret."""
    return hotp(secret_bytes(secret), step_at(unix_time), digits=digits, digest=digest)


def clean_code(code: str) -> str:
    """What the user typed, without blanks (apps show "123 456")."""
    return re.sub(r"\s", "", code or "")


def match(
    secret: str, code: str, unix_time: float, *, after_step: int | None = None, window: int = WINDOW
) -> int | None:
    """The time step whose code equals `code`, within `window` steps of `unix_time`, and later than
    `after_step` (the last step already used: a code is accepted once). None if nothing matches."""
    code = clean_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    key = secret_bytes(secret)
    now = step_at(unix_time)
    found = None
    for candidate in range(now - window, now + window + 1):
        if after_step is not None and candidate <= after_step:
            continue
        # compare every candidate (no early exit) in constant time per comparison
        if hmac.compare_digest(hotp(key, candidate), code) and found is None:
            found = candidate
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code (Key Uri Format)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {
            "secret": normalise_secret(secret),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def grouped(secret: str, size: int = 4) -> str:
    """The secret in groups of four for typing it by hand."""
    text = normalise_secret(secret)
    return " ".join(text[i : i + size] for i in range(0, len(text), size))

"""Time-based one-time passwords (RFC 6238) through pyotp, as authenticator apps use them.

HMAC-SHA1, 30-second steps, 6 digits, base32 secrets of at least 112 bits (pyotp's minimum).
What the project adds on top of pyotp: secrets normalised as people copy them, and `match`, which
accepts one step either side of now (clocks drift) and returns the step that matched, so the caller
can refuse that step, and every earlier one, next time (no replay).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pyotp

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of now


def new_secret() -> str:
    """A random base32 secret (32 characters, 160 bits, no padding)."""
    return pyotp.random_base32(32)


def normalise_secret(secret: str) -> str:
    """Upper case, no blanks or dashes, no padding: how people copy secrets from other apps."""
    return re.sub(r"[\s=-]", "", secret).upper()


def _otp(secret: str, *, digits: int = DIGITS, digest=hashlib.sha1) -> pyotp.TOTP:
    return pyotp.TOTP(normalise_secret(secret), digits=digits, digest=digest, interval=STEP_SECONDS)


def secret_bytes(secret: str) -> bytes:
    """The key behind a base32 secret; ValueError if it is not base32 or shorter than 112 bits."""
    try:
        return _otp(secret).byte_secret()
    except (ValueError, base64.binascii.Error) as exc:
        raise ValueError(f"not a base32 secret of at least 112 bits: {exc}") from exc


def step_at(unix_time: float) -> int:
    """The time step (RFC 6238 "T") containing `unix_time`."""
    return int(unix_time // STEP_SECONDS)


def code_at(secret: str, unix_time: float, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """The code an authenticator shows at `unix_time` for a base32 secret."""
    return _otp(secret, digits=digits, digest=digest).at(unix_time)


def code_for_step(secret: str, step: int) -> str:
    """The code of time step `step` (RFC 4226 HOTP with counter `step`)."""
    return _otp(secret).generate_otp(step)


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
    otp = _otp(secret)
    now = step_at(unix_time)
    found = None
    for candidate in range(max(now - window, 0), now + window + 1):
        if after_step is not None and candidate <= after_step:
            continue
        # compare every candidate (no early exit) in constant time per comparison
        if hmac.compare_digest(otp.generate_otp(candidate), code) and found is None:
            found = candidate
    return found


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from a QR code (Key Uri Format; pyotp leaves
    out algorithm, digits and period, which are the format's defaults)."""
    return _otp(secret).provisioning_uri(name=account, issuer_name=issuer)


def grouped(secret: str, size: int = 4) -> str:
    """The secret in groups of four for typing it by hand."""
    text = normalise_secret(secret)
    return " ".join(text[i : i + size] for i in range(0, len(text), size))

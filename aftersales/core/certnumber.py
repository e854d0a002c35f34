"""Certificate numbers: a configurable pattern and an ISO 7064 MOD 37,36 check character.

A number is the pattern filled in (fields `cb`, `year`, `yy`, `seq`), then one check character
(0-9 or A-Z) computed over its letters and digits (hyphens are ignored). The hybrid MOD 37,36
system catches every single wrong character and nearly every swap of two neighbours, so a number
mistyped from a tender file is reported as impossible instead of finding nothing or, worse,
another certificate.

Default pattern "{cb}{yy}SC{seq:05d}": ASC26SC00001 + check → ASC26SC00001X.
"""

from __future__ import annotations

import re
import string

ALPHABET = string.digits + string.ascii_uppercase  # values 0..35
M = 36
FIELDS = frozenset({"cb", "year", "yy", "seq"})
_FIELD = re.compile(r"\{(\w+)(?::[^}]*)?\}")
_ALLOWED = re.compile(r"^[0-9A-Z-]+$")


class PatternError(ValueError):
    """The configured number pattern cannot make valid numbers (message names why)."""


def check_char(body: str) -> str:
    """The ISO 7064 MOD 37,36 check character of `body` (letters and digits; hyphens ignored)."""
    p = M
    for ch in body.upper():
        if ch == "-":
            continue
        value = ALPHABET.find(ch)
        if value < 0:
            raise ValueError(f"{ch!r} cannot be in a certificate number (only 0-9, A-Z and -)")
        s = (p + value) % M or M
        p = (s * 2) % (M + 1)
    return ALPHABET[(M + 1 - p) % M]


def pattern_check(pattern: str) -> None:
    """Refuse a pattern without {seq} or with fields other than cb, year, yy, seq."""
    names = set(_FIELD.findall(pattern))
    unknown = names - FIELDS
    if unknown:
        raise PatternError(f"unknown field(s) in the certificate number pattern: {', '.join(sorted(unknown))}")
    if "seq" not in names:
        raise PatternError("the certificate number pattern needs {seq} (a running number)")


def number_body(pattern: str, *, cb: str, year: int, seq: int) -> str:
    """The pattern filled in, without the check character."""
    pattern_check(pattern)
    body = pattern.format(cb=cb.upper(), year=year, yy=f"{year % 100:02d}", seq=seq).upper()
    if not _ALLOWED.match(body):
        raise PatternError(f"the certificate number {body!r} may only hold 0-9, A-Z and -")
    return body


def number_make(pattern: str, *, cb: str, year: int, seq: int) -> str:
    """A complete certificate number: body + check character."""
    body = number_body(pattern, cb=cb, year=year, seq=seq)
    return body + check_char(body)


def number_normalise(text: str) -> str:
    """What a person typed, as a number is stored: upper case, no spaces (hyphens kept)."""
    return re.sub(r"\s+", "", text or "").upper()


def number_valid(number: str) -> bool:
    """True if the last character is the check character of the rest."""
    n = number_normalise(number)
    if len(n) < 2 or not _ALLOWED.match(n):
        return False
    return check_char(n[:-1]) == n[-1]

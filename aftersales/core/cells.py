"""Text written into a spreadsheet or CSV cell, kept from being read as a formula (CSV/formula
injection, OWASP): the one rule every writer of the platform applies.

Spreadsheet programs treat a cell that begins with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) as a formula: a reason "=HYPERLINK(...)" written as it is becomes a live link
in the auditor's copy. Such text is written with a leading apostrophe, which makes it text; a plain
number ("-5", "+1.5") stays as it is, since it is a number and no formula. Text that already
begins with apostrophes followed by a formula lead gets one more, so `restore` (used by the
checklist importer) removes exactly the apostrophe `neutralise` added and a round trip gives the
original text back.
"""

from __future__ import annotations

import re

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
PREFIX = "'"
_RISKY = re.compile(r"'*[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def needs_prefix(text: str) -> bool:
    """True if `text` would be read as a formula (or is a neutralised text of one)."""
    return bool(_RISKY.match(text)) and not _NUMBER.fullmatch(text)


def neutralise(value: object) -> object:
    """`value` as a cell should hold it: text that a spreadsheet would run as a formula gets a
    leading apostrophe; numbers, dates and other text pass unchanged."""
    if isinstance(value, str) and needs_prefix(value):
        return PREFIX + value
    return value


def restore(text: str) -> str:
    """The text `neutralise` was given: removes the one apostrophe it adds, and only that one."""
    if text.startswith(PREFIX) and needs_prefix(text[1:]):
        return text[1:]
    return text

"""The certification body's policy in force (aftersales/core/policy.py; docs/policy.md): the shipped
version and the CB's versions in the folder named by the CB_POLICY_DIR setting.

`policy_on(day)` is the version in force on that day; records a version shaped store its
`pin` (id and content hash). The folder is read again when a file in it changes (name, size or
modification time), so a new version needs no restart.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from aftersales.core.policy import Policy, PolicyError, Series, load_series

__all__ = ["Policy", "PolicyError", "policy_by_id", "policy_on", "policy_series"]


def _signature(folder: str) -> tuple:
    if not folder:
        return ()
    try:
        return tuple(
            sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in Path(folder).iterdir() if p.is_file())
        )
    except OSError:
        return ("unreadable",)


@lru_cache(maxsize=8)
def _series(folder: str, signature: tuple) -> Series:
    return load_series(folder or None)


def policy_series() -> Series:
    """Every version; PolicyError (naming the file and key) when one is not usable."""
    folder = str(getattr(settings, "CB_POLICY_DIR", "") or "")
    return _series(folder, _signature(folder))


def policy_on(day: date | None = None) -> Policy:
    """The version in force on `day` (default: today)."""
    return policy_series().in_force(day or timezone.localdate())


def policy_by_id(policy_id: str) -> Policy | None:
    """A version by its id (for a record that pinned it), or None when it is no longer published."""
    return policy_series().by_id(policy_id)

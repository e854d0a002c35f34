"""Install a CB policy version for a test (docs/policy.md): the shipped policy with some keys
changed, in force from 2000-01-02 (the day after the shipped version's first day), in a folder
CB_POLICY_DIR names. Keys are dotted as in the file: {"impartiality.max_consecutive_leads": 3}."""

from __future__ import annotations

import itertools
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import yaml
from django.test import override_settings

from aftersales.core.policy import DEFAULT_PATH

_ids = itertools.count(1)


def policy_file(folder: Path, changes: dict, *, effective_from: date = date(2000, 1, 2), policy_id: str = "") -> Path:
    """Write the shipped policy with `changes` into `folder`; the file's path."""
    raw = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw["id"] = policy_id or f"test-{next(_ids)}"
    raw["effective_from"] = effective_from
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = raw
        for part in parents:
            node = node[part]
        if last not in node:
            raise KeyError(f"the policy has no key {dotted!r}")
        node[last] = value
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{raw['id']}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def install_policy(settings, changes: dict, **kw) -> Path:
    """With pytest-django's `settings` fixture: CB_POLICY_DIR names a new folder holding the version."""
    folder = Path(tempfile.mkdtemp(prefix="policy-"))
    policy_file(folder, changes, **kw)
    settings.CB_POLICY_DIR = str(folder)
    return folder


@contextmanager
def policy_installed(changes: dict, **kw):
    """The same, for a block (override_settings)."""
    folder = Path(tempfile.mkdtemp(prefix="policy-"))
    policy_file(folder, changes, **kw)
    with override_settings(CB_POLICY_DIR=str(folder)):
        yield folder

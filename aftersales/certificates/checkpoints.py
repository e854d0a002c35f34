"""Signed checkpoints of the hash chains' heads, kept outside the database.

Each event appended to a case, certificate or appeal chain is followed, once its transaction
commits, by one line in the append-only log CHAIN_CHECKPOINT_FILE (JSON per line):

    {"chain": "certificate:ASC26SC00001J", "seq": 3, "head": "<sha256>", "key_id": "...",
     "signature": "<Ed25519 over core.chain.checkpoint_payload>", "at": "<UTC time, not signed>"}

signed with the certification body's certificate-signing key (`signing.file_key`, no database). A
database writer without that key and without write access to the log cannot make a rewritten or
shortened chain agree with it (`aftersales verify-chain`). The registry's JSON for a certificate
carries the same signature over its chain's head (`checkpoint_signed`), so copies held by the
public anchor certificates too. The daily job signs heads the log lacks (`ops.chains.chains_anchor`).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction

from aftersales.core.chain import canonical, checkpoint_payload

from . import pdfrecord
from .signing import b64url, file_key, public_raw

log = logging.getLogger(__name__)


def log_path() -> Path:
    return Path(settings.CHAIN_CHECKPOINT_FILE)


def checkpoint_signed(chain: str, seq: int, head: str) -> dict:
    """The checkpoint of `chain` at `seq` with its signature (deterministic: Ed25519 signs the same
    bytes the same way, so a published answer does not change until the head does)."""
    kid, key = file_key()
    payload = checkpoint_payload(chain, seq, head)
    return {**payload, "key_id": kid, "signature": b64url(key.sign(canonical(payload)))}


def checkpoint_published(chain: str, seq: int, head: str) -> dict | None:
    """`checkpoint_signed` for the registry's answer; None before the chain has a head, or where
    the key file is missing (a registry-only host must not make a key of its own)."""
    if not head or file_key(create=False) is None:
        return None
    return checkpoint_signed(chain, seq, head)


def checkpoint_append(lines: list[dict]) -> None:
    """Append signed checkpoints to the log (one write under an exclusive lock, then fsync)."""
    if not lines:
        return
    at = datetime.now(UTC).isoformat(timespec="seconds")
    text = "".join(json.dumps({**line, "at": at}, ensure_ascii=False, sort_keys=True) + "\n" for line in lines)
    path = log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def checkpoint_on_commit(chain: str, seq: int, head: str) -> None:
    """Sign and log the chain's new head once the transaction that moved it commits. A failure is
    logged, not raised (the change is committed); the daily job signs what is missing."""

    def write() -> None:
        try:
            checkpoint_append([checkpoint_signed(chain, seq, head)])
        except Exception:
            log.exception("chain checkpoint %s #%s not written", chain, seq)

    transaction.on_commit(write)


def trusted_keys(extra: dict[str, str] | None = None) -> dict[str, str]:
    """{key id: raw public key, base64url}: the signing key file's, plus `extra` (e.g. retired keys
    from a saved key list). Not the database's list: a database writer could add a key to it."""
    kid, key = file_key()
    return {kid: b64url(public_raw(key.public_key())), **(extra or {})}


def checkpoints_read(keys: dict[str, str]) -> tuple[dict[str, set[tuple[int, str]]], list[dict]]:
    """({chain: {(seq, head)}}, problems) from the log; a line that is not JSON, not a checkpoint,
    signed with an unknown key or with a bad signature is a problem ({"line", "reason"}), not a
    checkpoint. No log: nothing checkpointed."""
    found: dict[str, set[tuple[int, str]]] = {}
    problems: list[dict] = []
    try:
        handle = log_path().open(encoding="utf-8")
    except FileNotFoundError:
        return found, problems
    with handle:
        for number, text in enumerate(handle, start=1):
            reason = _line_problem(text, keys)
            if reason:
                problems.append({"line": number, "reason": reason})
                continue
            line = json.loads(text)
            found.setdefault(line["chain"], set()).add((line["seq"], line["head"]))
    return found, problems


def _line_problem(text: str, keys: dict[str, str]) -> str:
    try:
        line = json.loads(text)
        payload = checkpoint_payload(str(line["chain"]), int(line["seq"]), str(line["head"]))
        kid, signature = line["key_id"], line["signature"]
    except (ValueError, KeyError, TypeError):
        return "unreadable"
    if kid not in keys:
        return f"unknown key {kid}"
    if not pdfrecord.signature_valid(payload, signature, keys[kid]) or line["seq"] != payload["seq"]:
        return "bad signature"
    return ""

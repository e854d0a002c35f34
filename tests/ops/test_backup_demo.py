"""Backup and restore of a FULL demo instance, as an operator does it: every step is the CLI in a
subprocess against its own data folder and database (SQLite, or new PostgreSQL databases when the
suite runs on PostgreSQL). The restored instance holds every row (a content hash per table), every
file (SHA-256 each), intact case and certificate hash chains, and certificate signatures that still
verify against the keys it publishes, both from its rows and from a PDF made after the restore."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from .helpers import PYTHON, ROOT, cli, env_for, fast_dir, fingerprint, on_postgres, postgres_admin, postgres_url

SIGNATURES = Path(__file__).with_name("signatures.py")


@pytest.fixture
def instances(tmp_path):
    """Two empty instances (data folder + database): (source env, target env); dropped afterwards."""
    base = fast_dir(tmp_path)
    created: list[str] = []
    envs = []
    for role in ("src", "dst"):
        data_dir = base / role
        data_dir.mkdir()
        if on_postgres():
            name = f"h_ops_demo_{role}_{uuid.uuid4().hex[:12]}"
            postgres_admin(f'CREATE DATABASE "{name}"')
            created.append(name)
            url = postgres_url(name)
        else:
            url = f"sqlite:///{data_dir / 'aftersales.sqlite3'}"
        env = env_for(url, data_dir)
        env["TOTP_REQUIRED_FOR_CB"] = "0"  # as `make demo` runs it
        env.pop("AFTERSALES_STORAGE", None)  # the data folder's media/, whatever the caller's shell says
        envs.append(env)
    try:
        yield envs[0], envs[1]
    finally:
        for name in created:
            postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if base != tmp_path:
            shutil.rmtree(base, ignore_errors=True)


def _manage(args: list[str], env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [PYTHON, "-m", "aftersales.manage", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"manage {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _signatures(env: dict) -> dict:
    done = subprocess.run([PYTHON, str(SIGNATURES)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_full_demo_instance_survives_backup_and_restore(instances, tmp_path):
    source_env, target_env = instances
    _manage(["migrate", "--no-input"], source_env)
    _manage(["load_demo"], source_env, timeout=400)

    source = fingerprint(source_env)
    assert source["breaks"] == []
    tables = source["tables"]
    # a full demo, so that a lost table, row or file shows
    assert sum(t["rows"] for t in tables.values()) > 10_000
    assert sum(1 for t in tables.values() if t["rows"]) > 40
    assert len(source["files"]) > 100
    for key in ("certification.caseevent", "certificates.certificateevent", "certificates.certificateversion"):
        assert tables[key]["rows"] > 5, key
    source_signatures = _signatures(source_env)
    assert source_signatures["versions"] > 5 and source_signatures["not_valid"] == []

    archive = tmp_path / "demo-backup.tar"
    made = cli(["backup", "-o", str(archive)], source_env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert f"{len(source['files'])} files" in made.stdout

    restored = cli(["restore", str(archive)], target_env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "hash chains intact" in restored.stdout

    target = fingerprint(target_env)
    assert target["breaks"] == []
    assert set(target["tables"]) == set(tables)
    differ = {k: (tables[k], target["tables"][k]) for k in tables if tables[k] != target["tables"][k]}
    assert differ == {}
    assert target["files"] == source["files"]

    # the restored instance has no signing key file of its own: its published keys verify every version
    target_signatures = _signatures(target_env)
    assert target_signatures == source_signatures
    pdf = tmp_path / "restored-certificate.pdf"
    made_pdf = cli(["certificate", "pdf", target_signatures["a_number"], "-o", str(pdf)], target_env)
    assert made_pdf.returncode == 0, made_pdf.stdout + made_pdf.stderr
    verified = cli(["certificate", "verify", str(pdf), "--lang", "en"], target_env)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "valid signature" in verified.stdout

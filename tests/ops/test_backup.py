"""Backup and restore: a round trip into a second, empty database (a subprocess running the CLI with
another DATABASE_URL and AFTERSALES_DATA_DIR) keeps every row, file and hash chain; damaged
archives and non-empty instances are refused with the member or table named."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
import uuid
from pathlib import Path

import pytest

from aftersales.core.records import synthetic
from aftersales.core.records.mapping import get_mapping
from aftersales.ops.backup import (
    MANIFEST,
    BackupRefused,
    backup,
    chain_breaks,
    database_fingerprint,
    files_fingerprint,
    restore,
)
from aftersales.records.services import records_import
from tests.certificates.factories import issued

from .helpers import cli, env_for, evidence_files_add, fast_dir, fingerprint, on_postgres, postgres_admin, postgres_url


@pytest.fixture
def instance(world):
    """A small but complete instance: a decided case with its audit and hash-chained history, an issued
    certificate (its own chain), imported service records and evidence files."""
    certificate = issued(world)
    mapping = get_mapping("crm-work-orders-gbk")
    data = synthetic.to_csv(synthetic.work_orders(300, seed=3), mapping)
    ri = records_import(
        enterprise=world["enterprise"],
        kind="work_order",
        data=data,
        filename="wo.csv",
        mapping=_mapping_bytes("crm-work-orders-gbk"),
        mapping_name="crm-work-orders-gbk",
        by_label="test",
    )
    assert ri.status == "done", ri.problems
    evidence_files_add(world)
    return {"certificate": certificate, "import": ri}


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile(MANIFEST).read())


def _mapping_bytes(name: str) -> bytes:
    from aftersales.core.records.mapping import shipped_mappings

    return shipped_mappings()[name].read_bytes()


def _source_fingerprint() -> dict:
    return {"tables": database_fingerprint(), "files": files_fingerprint(), "breaks": chain_breaks()}


def _compare(source: dict, target: dict) -> None:
    assert target["breaks"] == []
    assert set(target["tables"]) == set(source["tables"])
    differ = [t for t in source["tables"] if source["tables"][t] != target["tables"][t]]
    assert differ == [], {t: (source["tables"][t], target["tables"][t]) for t in differ}
    assert target["files"] == source["files"]


def test_it_round_trips_an_instance_into_an_empty_sqlite_database(instance, tmp_path):
    source = _source_fingerprint()
    assert source["breaks"] == []
    assert source["tables"]["certification.caseevent"]["rows"] > 5
    assert source["tables"]["certificates.certificateevent"]["rows"] >= 1
    assert source["tables"]["records.workorder"]["rows"] == 300
    assert len(source["files"]) >= 2
    archive = tmp_path / "backup.tar"
    result = backup(archive)
    assert result.files == len(source["files"])

    manifest = _manifest(archive)
    assert manifest["format_version"] == 1 and manifest["created_at"]
    assert manifest["rows"]["records.workorder"] == 300
    assert "0001_case_and_events" in manifest["migrations"]["certification"]
    with tarfile.open(archive) as tar:
        for name, meta in manifest["members"].items():
            assert hashlib.sha256(tar.extractfile(name).read()).hexdigest() == meta["sha256"]

    target_dir = fast_dir(tmp_path)
    try:
        env = env_for(f"sqlite:///{target_dir / 'restored.sqlite3'}", target_dir)
        done = cli(["restore", str(archive)], env)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "hash chains intact" in done.stdout
        _compare(source, fingerprint(env))

        # restoring again into the now full instance is refused, naming a table; nothing changes
        again = cli(["restore", str(archive)], env)
        assert again.returncode == 2 and "not empty" in again.stderr

        # and the restored instance backs up to the same content (SQLite → SQLite → archive)
        second = tmp_path / "second.tar"
        assert cli(["backup", "-o", str(second)], env).returncode == 0
        rows = _manifest(second)["rows"]
        assert rows == manifest["rows"]
    finally:
        shutil.rmtree(target_dir, ignore_errors=True)


@pytest.mark.skipif(not on_postgres(), reason="needs the tests to run on PostgreSQL (DATABASE_URL)")
def test_it_round_trips_into_an_empty_postgresql_database(instance, tmp_path):
    source = _source_fingerprint()
    archive = tmp_path / "backup.tar"
    backup(archive)
    name = f"test_ops_restore_{uuid.uuid4().hex[:8]}"
    postgres_admin(f'CREATE DATABASE "{name}"')
    try:
        env = env_for(postgres_url(name), tmp_path / "pg-data")
        done = cli(["restore", str(archive)], env)
        assert done.returncode == 0, done.stdout + done.stderr
        _compare(source, fingerprint(env))
        # sequences were reset: the restored instance takes new rows
        more = cli(["backup", "-o", str(tmp_path / "again.tar")], env)
        assert more.returncode == 0, more.stderr
    finally:
        postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _rewrite(archive: Path, out: Path, change) -> None:
    """Copy the archive member by member, letting `change(name, data)` alter (or drop: None) a member."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for m in src.getmembers():
            data = change(m.name, src.extractfile(m).read())
            if data is None:
                continue
            info = tarfile.TarInfo(m.name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


def test_it_refuses_a_damaged_archive_naming_the_member(instance, tmp_path, settings):
    archive = tmp_path / "backup.tar"
    backup(archive)
    damaged = tmp_path / "damaged.tar"
    _rewrite(archive, damaged, lambda n, d: d.replace(b"5.1.1.1", b"5.1.1.2") if n.endswith("evidence.jsonl") else d)
    settings.MEDIA_ROOT = tmp_path / "other-media"
    with pytest.raises(BackupRefused, match=r"member db/assessments\.evidence\.jsonl is damaged"):
        restore(damaged)
    missing = tmp_path / "missing.tar"
    _rewrite(archive, missing, lambda n, d: None if n.startswith("media/") and "evidence" in n else d)
    with pytest.raises(BackupRefused, match=r"member media/.* is missing"):
        restore(missing)
    not_tar = tmp_path / "not.tar"
    not_tar.write_bytes(b"hello")
    with pytest.raises(BackupRefused, match="not a readable tar"):
        restore(not_tar)
    assert not (tmp_path / "other-media").exists()


def test_the_cli_exits_2_on_a_damaged_archive_before_touching_the_database(instance, tmp_path):
    archive = tmp_path / "backup.tar"
    backup(archive)
    damaged = tmp_path / "damaged.tar"
    _rewrite(archive, damaged, lambda n, d: d + b"x" if n.startswith("media/") else d)
    target_dir = tmp_path / "target"
    env = env_for(f"sqlite:///{target_dir / 'db.sqlite3'}", target_dir)
    done = cli(["restore", str(damaged)], env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "is damaged" in done.stderr and "media/" in done.stderr
    assert not (target_dir / "media").exists()
    assert not (target_dir / "db.sqlite3").exists() or (target_dir / "db.sqlite3").stat().st_size == 0
    assert cli(["restore", str(tmp_path / "nope.tar")], env).returncode == 2


def test_it_refuses_a_database_that_is_not_empty(instance, tmp_path, settings):
    archive = tmp_path / "backup.tar"
    backup(archive)
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(BackupRefused, match="database is not empty"):
        restore(archive)


def test_it_refuses_an_archive_from_newer_code(instance, tmp_path, settings):
    archive = tmp_path / "backup.tar"
    backup(archive)

    def newer(name, data):
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["migrations"]["certification"].append("9999_from_the_future")
        return json.dumps(manifest).encode()

    future = tmp_path / "future.tar"
    _rewrite(archive, future, newer)
    with pytest.raises(BackupRefused, match=r"newer version.*certification\.9999_from_the_future"):
        restore(future)


def test_backup_refuses_a_missing_folder(tmp_path, db):
    with pytest.raises(BackupRefused, match="does not exist"):
        backup(tmp_path / "no" / "such" / "backup.tar")
    assert (
        cli(
            ["backup", "-o", str(tmp_path / "no" / "x.tar")], env_for("sqlite:///" + str(tmp_path / "x.db"), tmp_path)
        ).returncode
        == 2
    )

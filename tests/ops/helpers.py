"""Shared by the ops tests: run the `aftersales` CLI in a subprocess against another database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
FINGERPRINT = Path(__file__).with_name("fingerprint.py")


def fast_dir(tmp_path: Path) -> Path:
    """A folder on tmpfs when there is one (SQLite's fsyncs make migrate slow on disk)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        d = shm / f"aftersales-ops-{uuid.uuid4().hex[:12]}"
        d.mkdir()
        return d
    return tmp_path


def env_for(database_url: str, data_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        AFTERSALES_DATA_DIR=str(data_dir),
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or "x",
        DJANGO_ALLOWED_HOSTS="localhost",
        AFTERSALES_TASKS="immediate",
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def cli(args: list[str], env: dict, *, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "aftersales.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def fingerprint(env: dict) -> dict:
    done = subprocess.run([PYTHON, str(FINGERPRINT)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def postgres_url(name: str) -> str:
    """The URL of another database on the test's PostgreSQL server."""
    cfg = settings.DATABASES["default"]
    auth = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg.get("PASSWORD") else "")
    return f"postgres://{auth}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{name}"


def postgres_admin(sql: str) -> None:
    import psycopg

    cfg = dj_database_url.parse(postgres_url("postgres"))
    with psycopg.connect(
        dbname="postgres",
        user=cfg["USER"],
        password=cfg["PASSWORD"] or None,
        host=cfg["HOST"],
        port=cfg["PORT"],
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def evidence_files_add(world) -> None:
    """Two evidence files on the world's self-assessment, uploaded through the service: files a
    backup must carry (and a restore bring back byte for byte)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftersales.assessments.evidence import evidence_add

    for name, body in [("组织机构图.pdf", b"%PDF-1.4 org chart"), ("服务承诺.pdf", b"%PDF-1.4 commitments")]:
        evidence_add(
            assessment=world["assessment"],
            item_code="5.1.1.1",
            upload=SimpleUploadedFile(name, body),
            by=world["people"]["ent_admin"],
        )

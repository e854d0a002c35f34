"""A real server process whose database cannot be reached answers the 503 page and /healthz 503,
never a stack trace; its log lines are JSON (settings: tests/ops/settings_ops.py)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from .helpers import PYTHON, ROOT, env_for

# a plain WSGI server (runserver would refuse to start: it checks the migrations first)
SERVE = """
import sys
from wsgiref.simple_server import make_server
from aftersales.wsgi import application
make_server("127.0.0.1", int(sys.argv[1]), application).serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


@pytest.mark.parametrize(
    "database_url",
    [
        "sqlite:////nonexistent-folder-aftersales/db.sqlite3",  # cannot be opened
        "postgres://postgres@127.0.0.1:1/aftersales",  # nothing listens there
    ],
    ids=["sqlite", "postgresql"],
)
def test_a_server_without_its_database_answers_503(tmp_path, database_url):
    port = _free_port()
    env = env_for(database_url, tmp_path)
    env.update(DJANGO_SETTINGS_MODULE="tests.ops.settings_ops", DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_DEBUG="0")
    server = subprocess.Popen(
        [PYTHON, "-c", SERVE, str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                time.sleep(0.1)
        status, headers, body = _get(f"http://127.0.0.1:{port}/", **{"Accept-Language": "en"})
        assert status == 503, body[:2000]
        assert headers["Retry-After"] == "30"
        assert "Service temporarily unavailable" in body or "服务" in body
        assert "Traceback" not in body and "OperationalError" not in body
        status, _, body = _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 503 and json.loads(body)["database"] == "unavailable"
    finally:
        server.terminate()
        out = server.communicate(timeout=20)[0]
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    requests = [x for x in lines if x["logger"] == "aftersales.request"]
    assert [(x["path"], x["status"]) for x in requests] == [("/", 503), ("/healthz", 503)]
    assert all(x["request_id"] for x in requests)
    assert any(x["logger"] == "aftersales.ops.database" for x in lines)

"""Load test (issue 8): the public registry and the enterprise pages together, for several minutes,
on loopback: 0 errors and no growth in memory.

    .venv/bin/python bench/load_test.py                     # 5 minutes at 16 connections
    .venv/bin/python bench/load_test.py --minutes 1 --reload

Data: the demo (`load_demo`) in its own PostgreSQL database (`bench_load`, loaded once and kept).
Server: gunicorn with the project's production settings module and `aftersales/gunicorn_conf.py`
(2 gthread workers of 4 threads), DEBUG off. Load: wrk with a mix of requests — the registry's
search, certificate pages, verification pages and JSON (anonymous), and the enterprise admin's
workspace, self-assessment, KPI dashboard, certificates, cases and case pages (logged in through
a real session). Every 10 s the resident memory of each gunicorn worker is read from /proc.
"Growth" compares the last minute with the first minute after warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
DATA = Path(tempfile.gettempdir()) / "aftersales-bench-load"


def env(db: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "DJANGO_SECRET_KEY": "load-test-secret-not-for-production-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "AFTERSALES_DATA_DIR": str(DATA),
        "AFTERSALES_TASKS": "immediate",
        "REGISTRY_RATE_LIMIT": str(10**9),  # one client address: the limit is tested elsewhere
        "LOG_FORMAT": "text",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def manage(e: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [PY, "-m", "aftersales.manage", *args], env=e, cwd=ROOT, check=True, capture_output=capture, text=True
    )
    return done.stdout if capture else ""


def prepare(db: str, reload: bool) -> None:
    import psycopg

    with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
        if exists and reload:
            conn.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{db}"')
            reload = True
    e = env(db)
    if reload:
        manage(e, "migrate", "--no-input", "-v0")
        manage(e, "load_demo")


MIX_SCRIPT = """
import django, json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from aftersales.accounts.models import User
from aftersales.assessments.models import Assessment
from aftersales.certificates.models import Certificate
from aftersales.certification.models import Case
user = User.objects.get(username="zhangwei")
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
org = user.memberships.first().organisation
cookie = "sessionid=" + s.session_key
numbers = list(Certificate.objects.values_list("number", flat=True))
own = list(Certificate.objects.filter(enterprise=org).values_list("number", flat=True))
cases = list(Case.objects.filter(enterprise=org).values_list("pk", flat=True))
assessments = list(Assessment.objects.filter(enterprise=org, kind="self").values_list("pk", flat=True))
public = ["/registry/?q=haichuan", "/registry/?q=%E6%B5%B7%E5%B7%9D", "/api/registry/?q=jh"]
for n in numbers:
    public += [f"/registry/{n}/", f"/registry/{n}/verify/", f"/api/registry/{n}"]
private = ["/app/", "/certificates/", "/cases/", "/records/", f"/records/{org.pk}/", f"/records/{org.pk}/kpis/"]
private += [f"/certificates/{n}/" for n in own] + [f"/cases/{pk}/" for pk in cases]
private += [f"/assessments/{pk}/" for pk in assessments]
print(json.dumps({"cookie": cookie, "public": public, "private": private}))
"""


def mix(db: str) -> tuple[list[str], dict]:
    out = subprocess.run([PY, "-c", MIX_SCRIPT], env=env(db), cwd=ROOT, check=True, capture_output=True, text=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    lines = [f"-|{p}" for p in data["public"]] + [f"{data['cookie']}|{p}" for p in data["private"]]
    return lines, data


def check_paths(port: int, lines: list[str]) -> list[str]:
    """Every path of the mix answers 200 before the load starts (a 404 in the mix would count as
    an error and hide real ones)."""
    bad = []
    for line in sorted(set(lines)):
        cookie, path = line.split("|", 1)
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
        if cookie != "-":
            request.add_header("Cookie", cookie)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                if response.status != 200:
                    bad.append(f"{response.status} {path}")
        except Exception as exc:
            bad.append(f"{exc} {path}")
    return bad


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="bench_load")
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8188)
    parser.add_argument("-o", "--output", type=Path, default=HERE / "results" / "load.json")
    args = parser.parse_args(argv)
    prepare(args.db, args.reload)
    lines, data = mix(args.db)
    mixfile = DATA / "mix.txt"
    mixfile.parent.mkdir(parents=True, exist_ok=True)
    mixfile.write_text("\n".join(lines) + "\n")
    e = {**env(args.db), "GUNICORN_BIND": f"127.0.0.1:{args.port}", "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4"}
    e["GUNICORN_MAX_REQUESTS"] = "0"  # no recycling during the test: growth must show, not be hidden
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "-c", "python:aftersales.gunicorn_conf", "aftersales.wsgi:application"],
        env=e,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2)
                break
            except Exception:
                time.sleep(0.3)
        bad = check_paths(args.port, lines)
        if bad:
            raise SystemExit("paths of the mix that do not answer 200:\n  " + "\n  ".join(bad))
        seconds = int(args.minutes * 60)
        wrk = subprocess.Popen(
            [
                "wrk",
                "-t2",
                f"-c{args.connections}",
                f"-d{seconds}s",
                "--timeout=10s",
                "-s",
                str(HERE / "load_wrk.lua"),
                f"http://127.0.0.1:{args.port}",
                "--",
                str(mixfile),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        samples = []
        start = time.monotonic()
        while wrk.poll() is None:
            time.sleep(10)
            pids = worker_pids(server.pid)
            samples.append({"t": round(time.monotonic() - start), "rss_mb": [round(rss_mb(p), 1) for p in pids]})
        result = json.loads(wrk.stdout.read().strip().splitlines()[-1])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    totals = [sum(s["rss_mb"]) for s in samples]
    first = [t for s, t in zip(samples, totals, strict=True) if 30 <= s["t"] <= 90] or totals[:1]
    last = [t for s, t in zip(samples, totals, strict=True) if s["t"] >= seconds - 60] or totals[-1:]
    errors = sum(result["errors"].values())
    report = {
        "minutes": args.minutes,
        "connections": args.connections,
        "paths": {"public": len(data["public"]), "enterprise": len(data["private"])},
        "requests": result["requests"],
        "req_per_s": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "p50_ms": round(result["p50_us"] / 1000, 1),
        "p99_ms": round(result["p99_us"] / 1000, 1),
        "errors": result["errors"],
        "rss_total_mb_first_minute": round(sum(first) / len(first), 1),
        "rss_total_mb_last_minute": round(sum(last) / len(last), 1),
        "rss_samples": samples,
    }
    report["rss_growth_mb"] = round(report["rss_total_mb_last_minute"] - report["rss_total_mb_first_minute"], 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=1))
    print(
        f"{report['requests']:,} requests in {args.minutes:g} min at {args.connections} connections: "
        f"{report['req_per_s']} req/s, P50 {report['p50_ms']} ms, P99 {report['p99_ms']} ms, errors {errors}; "
        f"worker memory {report['rss_total_mb_first_minute']} MB → {report['rss_total_mb_last_minute']} MB "
        f"(growth {report['rss_growth_mb']} MB)"
    )
    print(f"wrote {args.output}")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Public registry benchmark (issues 7 and 22): the lookup by certificate number, JSON and HTML,
over 100,000 certificates in PostgreSQL, served by gunicorn (or granian), loaded by wrk at 64
connections; beside the same server answering a constant response through Django (the framework
ceiling). Target (issue 22): ≥ 60 % of the ceiling's throughput and P99 < 50 ms, no errors.

    .venv/bin/python bench/registry_bench.py                 # load the data (once), then measure
    .venv/bin/python bench/registry_bench.py --certificates 10000 --duration 5 --reload
    .venv/bin/python bench/registry_bench.py --code old=/tmp/registry-old,new=.   # two trees side by side

`--code LABEL=DIR,…` serves (and publishes with) the `aftersales` of each source tree, e.g. a
`git worktree` of an older commit: each tree gets its own database (`<db>_<label>`; the first is
loaded, the others are copies of it migrated by their own tree), and each server configuration
is measured with every tree in turn, in the same run.

Data: its own database (`bench_registry`, dropped and created again with --reload or when the
count differs), migrated, then written in bulk in the shape the certificate services write: an
enterprise per certificate (credit code with both check characters), the certificate with its
pinyin search keys, version 1 with the signed payload (Ed25519, the project's signing key),
the hash-chained status events (issue; suspension, withdrawal, cancellation, expiry for some; an
internal note for one in ten), two surveillances per certificate. Not written: the cases and
decisions behind them (the registry does not read them).

Then what `aftersales registry publish` does, in `--publish-procs` processes side by side: every
certificate's answers (JSON and the page in each language) rendered and stored (a no-op when this
release's are already there), and VACUUM (ANALYZE) of the tables written, as autovacuum would (it
is off on this machine's server).

Server: gunicorn (gthread, `--configs 2x4`) or granian (`--configs granian:2x1`) with
production-like settings (DEBUG off, DJANGO_SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL with persistent
connections) through bench/bench_settings.py, which only adds the constant URL. The rate limit stays
on but far above the load (REGISTRY_RATE_LIMIT=10^9, one client address). Requests for random
numbers among 100,000 read rows spread over the whole table; the hot set (1,000 numbers) reads
rows PostgreSQL keeps in its buffers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from registry_data import DATA_DIR, NUMBERS  # bench/ is on the path: this script runs from it

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
HOT = DATA_DIR / "hot.txt"  # the certificates most looked up (a tender season): answered from the cache

# ------------------------------------------------------------------------------------ database


def database_url(name: str) -> str:
    base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    return f"{base}/{name}"


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def child_env(args, code: Path = ROOT, db: str | None = None, **extra) -> dict:
    """The environment of a process running the `aftersales` of the tree `code` on database `db`."""
    env = dict(os.environ)
    env.update(
        DJANGO_SECRET_KEY="bench-registry-not-a-secret-" + "x" * 32,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_DEBUG="0",
        DATABASE_URL=database_url(db or args.db),
        DATABASE_CONN_MAX_AGE="600",
        AFTERSALES_DATA_DIR=str(DATA_DIR / "data"),
        CERT_SIGNING_KEY_FILE=str(DATA_DIR / "signing.pem"),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{args.port}",
        REGISTRY_RATE_LIMIT=str(10**9),
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONPATH=str(code),
        BENCH_CODE=str(code),
    )
    env.update(extra)
    return env


def run_phase(args, code: Path, db: str, name: str, *extra: str) -> dict:
    out = subprocess.run(
        [PY, str(HERE / "registry_data.py"), name, *extra],
        env=child_env(args, code, db),
        cwd=code,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"phase {name} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def migrate(args, code: Path, db: str) -> None:
    done = subprocess.run(
        [PY, "-m", "aftersales.manage", "migrate", "-v", "0"],
        env=child_env(args, code, db),
        cwd=code,
        capture_output=True,
    )
    if done.returncode:
        sys.exit(done.stderr.decode()[-4000:])


def prepare(args, code: Path, db: str, template: str | None) -> dict:
    """The database `db` for the tree `code`: kept while it holds the asked number of certificates,
    else loaded (or, with `template`, copied from that database and migrated by `code`)."""
    reuse = not args.reload and database_exists(db) and NUMBERS.exists()
    if reuse and run_phase(args, code, db, "count")["certificates"] == args.certificates:
        return {"reused": True, "certificates": args.certificates}
    if template:
        import psycopg

        started = time.monotonic()
        with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
        migrate(args, code, db)
        return {"copied_from": template, "seconds": round(time.monotonic() - started, 1)}
    recreate_database(db)
    migrate(args, code, db)
    return run_phase(args, code, db, "load", str(args.certificates), str(args.seed))


def publish_phase(args, code: Path, db: str) -> dict:
    """What `aftersales registry publish` does after a deploy, by the tree's own code: every
    certificate's answers rendered and stored (a no-op when this release's are already there), in
    `--publish-procs` processes, each taking every n-th certificate."""
    migrate(args, code, db)
    started = time.monotonic()
    parts = args.publish_procs
    cmd = [PY, str(HERE / "registry_data.py"), "publish"]
    procs = [
        subprocess.Popen(
            [*cmd, str(part), str(parts)], env=child_env(args, code, db), cwd=code, stdout=subprocess.PIPE, text=True
        )
        for part in range(parts)
    ]
    published = 0
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode:
            sys.exit(f"publish failed ({code})")
        published += json.loads(out.strip().splitlines()[-1])["published"]
    seconds = round(time.monotonic() - started, 1)
    return {"certificates_published": published, "seconds": seconds, "vacuum_seconds": vacuum(args, db)}


def vacuum(args, db: str) -> float:
    """VACUUM (ANALYZE) what the load and the publish wrote, as autovacuum would in production: it is
    off on this machine's server, and a publish leaves every replaced row dead (three per certificate),
    which each read by number then steps over. Then a CHECKPOINT, so that the server does not write
    the publish's pages out during the first measurement (it did on 2026-12-03: the first server
    measured got half the throughput it got a minute later)."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(database_url(db), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND (tablename LIKE 'registry_%' OR tablename LIKE 'certificates_%' OR tablename LIKE 'accounts_%')"
            )
        ]
        for table in tables:
            conn.execute(f'VACUUM (ANALYZE) "{table}"')
        conn.execute("CHECKPOINT")
    return round(time.monotonic() - started, 1)


# ------------------------------------------------------------------------------------ load


def wait_until_answering(port: int, timeout: float = 120) -> None:
    """Until the constant URL answers 200 (the app is loaded before the workers fork: --preload)."""
    import urllib.request

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/constant/", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer on {port}")


def start_server(args, code: Path, db: str, workers: int, threads: int, worker_class: str) -> subprocess.Popen:
    if worker_class == "granian":
        cmd = [
            str(Path(PY).parent / "granian"),
            "--interface=wsgi",
            "--host=127.0.0.1",
            f"--port={args.port}",
            f"--workers={workers}",
            f"--blocking-threads={threads}",
            "--runtime-threads=1",
            "--backlog=2048",
            "--http=1",
            "--no-ws",
            "--log-level=warning",
            "--no-access-log",
            "aftersales.wsgi:application",
        ]
        env = child_env(args, code, db, DJANGO_SETTINGS_MODULE="bench.bench_settings")
        server = subprocess.Popen(cmd, env=env, cwd=code, start_new_session=True)
        wait_until_answering(args.port)
        return server
    cmd = [
        str(Path(PY).parent / "gunicorn"),
        "aftersales.wsgi:application",
        f"--bind=127.0.0.1:{args.port}",
        f"--workers={workers}",
        f"--worker-class={worker_class}",
        f"--threads={threads}",
        "--backlog=2048",
        "--keep-alive=30",
        "--log-level=warning",
        "--preload",
        f"--pythonpath={code}",
    ]
    env = child_env(args, code, db, DJANGO_SETTINGS_MODULE="bench.bench_settings")
    server = subprocess.Popen(cmd, env=env, cwd=code, start_new_session=True)
    wait_until_answering(args.port)
    return server


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def wrk(args, path_prefix: str, suffix: str, *, numbers: Path | None, duration: float) -> dict:
    cmd = [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.connections}",
        f"-d{int(duration)}s",
        "--timeout=5s",
        "-s",
        str(HERE / "registry_wrk.lua"),
        f"http://127.0.0.1:{args.port}",
        "--",
        str(numbers) if numbers else "-",
        path_prefix,
        suffix,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    r = json.loads(line)
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors_total"] = sum(r["errors"].values())
    return r


SCENARIOS = {  # name -> (path prefix, suffix, numbers file: every certificate, a hot set, or none)
    "ceiling": ("/bench/constant/", "", None),
    "json": ("/api/registry/", "", NUMBERS),
    "html": ("/registry/", "/", NUMBERS),
    "json-hot": ("/api/registry/", "", HOT),
    "html-hot": ("/registry/", "/", HOT),
}


def measure(args, code: Path, db: str, config: tuple[int, int, str]) -> dict:
    workers, threads, worker_class = config
    server = start_server(args, code, db, workers, threads, worker_class)
    try:
        results = {"load_average_before": os.getloadavg()}
        for name in args.scenarios:
            prefix, suffix, numbers = SCENARIOS[name]
            warmup = args.warmup_hot if numbers == HOT else args.warmup  # the hot set: fill each worker's cache
            wrk(args, prefix, suffix, numbers=numbers, duration=warmup)
            results[name] = wrk(args, prefix, suffix, numbers=numbers, duration=args.duration)
        results["load_average_after"] = os.getloadavg()
        return results
    finally:
        stop_server(server)


def check_answers(args, code: Path, db: str) -> None:
    """Before measuring: a JSON answer and a page for one number, and the constant, answer 200."""
    import urllib.request

    server = start_server(args, code, db, 1, 1, "gthread")
    try:
        number = NUMBERS.read_text().split()[0]
        for path in (f"/api/registry/{number}", f"/registry/{number}/", "/bench/constant/"):
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}{path}") as r:
                assert r.status == 200, path
                body = r.read().decode()
                assert number in body or path.startswith("/bench"), path
    finally:
        stop_server(server)


def parse_config(text: str) -> tuple[int, int, str]:
    """ "4x2" → gunicorn, 4 gthread workers of 2 threads; "4xsync" → 4 sync workers;
    "granian:2x1" → granian, 2 workers of 1 blocking thread."""
    if text.startswith("granian:"):
        workers, _, threads = text.removeprefix("granian:").partition("x")
        return int(workers), int(threads or 1), "granian"
    workers, _, threads = text.partition("x")
    if threads == "sync":
        return int(workers), 1, "sync"
    return int(workers), int(threads or 1), "gthread"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=100_000)
    parser.add_argument("--db", default="bench_registry")
    parser.add_argument("--reload", action="store_true", help="drop and load the data again")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=8177)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--warmup-hot", type=float, default=10)
    parser.add_argument("--hot", type=int, default=1000, help="certificates in the hot set")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument(
        "--configs",
        default="2x4",
        help="server configs to measure, comma-separated: 2x4 (gunicorn, 2 gthread workers of 4 threads), 4x2, "
        "4xsync, granian:2x1 (granian, 2 workers of 1 blocking thread) … (default: 2x4, the project's "
        "production server; see bench/README.md)",
    )
    parser.add_argument("--scenarios", default="ceiling,json,html,json-hot,html-hot")
    parser.add_argument(
        "--code",
        default=f"new={ROOT}",
        help="source trees to measure, LABEL=DIR comma-separated (default: this tree); each its own database",
    )
    parser.add_argument("--rounds", type=int, default=1, help="measure every config and tree this many times")
    parser.add_argument("--publish-procs", type=int, default=2, help="processes publishing side by side")
    parser.add_argument("--no-publish", action="store_true", help="measure the databases' answers as they are")
    parser.add_argument("--numbers", type=Path, help="look up only these numbers (one a line; default: all)")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "results" / "registry.json")
    args = parser.parse_args(argv)
    args.scenarios = args.scenarios.split(",")
    codes = [(label, Path(path).resolve()) for label, _, path in (c.partition("=") for c in args.code.split(","))]
    dbs = {label: f"{args.db}_{label}" if len(codes) > 1 else args.db for label, _ in codes}
    data = {}
    for i, (label, code) in enumerate(codes):
        data[label] = prepare(args, code, dbs[label], dbs[codes[0][0]] if i else None)
    for label, code in codes:
        if not args.no_publish:
            data[label]["publish"] = publish_phase(args, code, dbs[label])
    if args.numbers:
        SCENARIOS["json"] = (*SCENARIOS["json"][:2], args.numbers)
        SCENARIOS["html"] = (*SCENARIOS["html"][:2], args.numbers)
    everyone = (args.numbers or NUMBERS).read_text().split()
    HOT.write_text("\n".join(random.Random(args.seed).sample(everyone, min(args.hot, len(everyone)))) + "\n")
    print(f"data: {data}", flush=True)
    for label, code in codes:
        check_answers(args, code, dbs[label])
    load_before, runs = os.getloadavg(), []
    for round_ in range(args.rounds):
        for text in args.configs.split(","):
            config = parse_config(text)
            order = codes if round_ % 2 == 0 else codes[::-1]  # alternate which tree goes first
            for label, code in order:
                results = measure(args, code, dbs[label], config)
                run = {"code": label, "round": round_ + 1, "config": text, "workers": config[0], "threads": config[1]}
                runs.append({**run, "worker_class": config[2], **results})
                print_table({"runs": runs[-1:]}, header=False)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "data": data,
        "code": {label: str(code) for label, code in codes},
        "load": {
            "tool": "wrk",
            "connections": args.connections,
            "threads": args.wrk_threads,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "warmup_hot_s": args.warmup_hot,
            "hot_set": args.hot,
        },
        "load_average_before": load_before,
        "runs": runs,
        "target": {"share_of_ceiling": 0.60, "p99_ms": 50, "errors": 0},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(report)


def print_table(report: dict, header: bool = True) -> None:
    if header:
        print("| code | server | endpoint | req/s | share of ceiling | P50 ms | P99 ms | errors |")
        print("|---|---|---|---:|---:|---:|---:|---:|")
    for run in report["runs"]:
        ceiling = run.get("ceiling", {}).get("rps")
        for name in SCENARIOS:
            if name not in run:
                continue
            r = run[name]
            share = f"{r['rps'] / ceiling:.0%}" if ceiling else ""
            print(
                f"| {run.get('code', '')} | {run['config']} | {name} | {r['rps']:,.0f} | {share} "
                f"| {r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['errors_total']} |",
                flush=True,
            )


if __name__ == "__main__":
    main()

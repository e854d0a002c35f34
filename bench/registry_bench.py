"""Public registry benchmark (issue 7): the verification endpoint by certificate number, JSON and
HTML, over 100,000 certificates in PostgreSQL, served by gunicorn, loaded by wrk at 64 connections;
beside the same server answering a constant response through Django (the framework ceiling).
Target: ≥ 70 % of the ceiling's throughput and P99 < 50 ms, no errors.

    .venv/bin/python bench/registry_bench.py                 # load the data (once), then measure
    .venv/bin/python bench/registry_bench.py --certificates 10000 --duration 5 --reload

Data: its own database (`bench_registry`, dropped and created again with --reload or when the
count differs), migrated, then written in bulk in the shape the certificate services write: an
enterprise per certificate (credit code with both check characters), the certificate with its
pinyin search keys, version 1 with the signed payload (Ed25519, the project's signing key),
the hash-chained status events (issue; suspension, withdrawal, cancellation, expiry for some; an
internal note for one in ten), two surveillances per certificate. Not written: the cases and
decisions behind them (the registry does not read them).

Then `aftersales registry publish`, as after a deploy: every certificate's answers (JSON and the
page in each language) rendered and stored (a no-op when this release's are already there).

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
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
DATA_DIR = Path(tempfile.gettempdir()) / "aftersales-bench-registry"
NUMBERS = DATA_DIR / "numbers.txt"
HOT = DATA_DIR / "hot.txt"  # the certificates most looked up (a tender season): answered from the cache
TODAY = date(2026, 11, 23)

CITIES = [
    "杭州",
    "宁波",
    "温州",
    "上海",
    "苏州",
    "南京",
    "广州",
    "深圳",
    "成都",
    "武汉",
    "西安",
    "青岛",
    "厦门",
    "合肥",
    "长沙",
    "郑州",
    "济南",
    "天津",
    "重庆",
    "昆明",
]
WORDS = [
    "海川",
    "华信",
    "中联",
    "天成",
    "远航",
    "瑞丰",
    "金桥",
    "东方",
    "新锐",
    "恒达",
    "博远",
    "嘉禾",
    "鼎盛",
    "宏图",
    "安泰",
    "永兴",
    "德润",
    "光明",
    "星辰",
    "万达",
    "铭泰",
    "汇通",
    "晨曦",
    "正和",
    "盛世",
    "通达",
    "长青",
    "启航",
    "华瑞",
    "亿家",
]
TRADES = [
    "电器",
    "家居",
    "汽车服务",
    "电子科技",
    "机械设备",
    "信息技术",
    "厨卫电器",
    "物流",
    "医疗器械",
    "家具",
    "空调设备",
    "电梯工程",
]
SCOPES = {
    "电器": "家用电器的销售与售后服务（安装、维修、退换货、投诉处理）",
    "汽车服务": "乘用车销售及售后维修保养服务",
}


# ------------------------------------------------------------------------------------ data


def _setup_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    django.setup()


def phase_load(n: int, seed: int) -> dict:
    """Write `n` certificates in bulk (in this process: run it with DATABASE_URL set)."""
    _setup_django()
    from django.conf import settings
    from django.db import connection, transaction
    from pypinyin import Style, lazy_pinyin

    from aftersales.accounts.models import Organisation, User
    from aftersales.certificates.models import Certificate, CertificateEvent, CertificateVersion, Surveillance
    from aftersales.certificates.payload import version_payload
    from aftersales.certificates.services import add_years
    from aftersales.certificates.signing import b64url, signing_key
    from aftersales.core import credit_code
    from aftersales.core.certnumber import number_make
    from aftersales.core.chain import GENESIS, canonical, link_hash

    rng = random.Random(seed)
    t0 = time.perf_counter()
    pinyin = {}
    for part in CITIES + WORDS + TRADES + ["有限公司"]:
        pinyin[part] = (
            "".join(lazy_pinyin(part)).lower(),
            "".join(lazy_pinyin(part, style=Style.FIRST_LETTER)).lower(),
        )
    with transaction.atomic():
        cb = Organisation.objects.create(kind="cb", name="华信认证中心", address="北京市海淀区")
        user = User.objects.create_user(username="bench-cb-admin", password=None)
        key_id, key = signing_key()
    S = Certificate.Status
    orgs, certs, plans = [], [], []
    for i in range(n):
        city, word, trade = rng.choice(CITIES), rng.choice(WORDS), rng.choice(TRADES)
        name = f"{city}{word}{trade}有限公司"
        body = f"{i + 1:08d}"
        code = credit_code.complete("91330106" + body + credit_code.org_check_character(body))
        year = 2023 + i % 4
        issued_on = date(year, 1, 1) + timedelta(days=rng.randrange(0, 330 if year == 2026 else 365))
        expires_on = add_years(issued_on, 3) - timedelta(days=1)
        roll = rng.random()
        if expires_on < TODAY:
            status = S.EXPIRED
        elif roll < 0.05:
            status = S.SUSPENDED
        elif roll < 0.07:
            status = S.WITHDRAWN
        elif roll < 0.09:
            status = S.CANCELLED
        else:
            status = S.VALID
        parts = (city, word, trade, "有限公司")
        plans.append((name, code, issued_on, expires_on, status, trade))
        orgs.append(
            Organisation(
                kind="enterprise", name=name, credit_code=code, address=f"{city}市新城区创业路 {i % 997 + 1} 号"
            )
        )
        certs.append(
            Certificate(
                number=number_make(settings.CERT_NUMBER_PATTERN, cb="ASC", year=year, seq=i // 4 + 1),
                cb=cb,
                scheme_id="gbt27922-2011",
                status=status,
                status_since=issued_on,
                first_issued_on=issued_on,
                version_count=1,
                name=name,
                name_pinyin="".join(pinyin[p][0] for p in parts),
                name_initials="".join(pinyin[p][1] for p in parts),
                credit_code=code,
                level=rng.choice(["qualified", "three_star", "four_star", "four_star", "five_star"]),
                issued_on=issued_on,
                expires_on=expires_on,
            )
        )
    ids = {m: next_id(m) for m in (Organisation, Certificate, CertificateVersion, CertificateEvent, Surveillance)}
    for i, (org, c) in enumerate(zip(orgs, certs, strict=True)):
        org.pk, c.pk = ids[Organisation] + i, ids[Certificate] + i
        c.enterprise = org
    versions, events, surveillances = [], [], []
    for c, org, (name, code, issued_on, expires_on, status, trade) in zip(certs, orgs, plans, strict=True):
        scope = SCOPES.get(trade, f"{trade}产品的销售与售后服务")
        sites = [{"name": f"{name[:2]}服务中心", "address": org.address}]
        score = str(rng.randrange(600, 990))
        payload = version_payload(
            number=c.number,
            seq=1,
            enterprise_name=name,
            credit_code=code,
            address=org.address,
            scope=scope,
            sites=sites,
            scheme_id="gbt27922-2011",
            scheme_version="ref-2026.1",
            scheme_sha256="a" * 64,
            level=c.level,
            score=score,
            cb_name=cb.name,
            first_issued_on=issued_on,
            issued_on=issued_on,
            expires_on=expires_on,
            valid_from=issued_on,
        )
        signature = b64url(key.sign(canonical(payload)))
        versions.append(
            CertificateVersion(
                certificate=c,
                seq=1,
                reason="issue",
                enterprise_name=name,
                credit_code=code,
                address=org.address,
                scope=scope,
                sites=sites,
                scheme_id="gbt27922-2011",
                scheme_version="ref-2026.1",
                scheme_sha256="a" * 64,
                level=c.level,
                score_exact=f"{score}/1",
                score_display=score,
                cb_name=cb.name,
                first_issued_on=issued_on,
                issued_on=issued_on,
                expires_on=expires_on,
                valid_from=issued_on,
                payload=payload,
                signature=signature,
                key_id=key_id,
                created_by=user,
            )
        )
        steps = [("certificate.issued", "", "", issued_on, "", True)]
        later = issued_on + timedelta(days=rng.randrange(200, 600))
        if rng.random() < 0.1:
            steps.append(
                ("certificate.note", "", "", issued_on + timedelta(days=30), "内部：客户投诉联系人回访记录", False)
            )
        if status in (S.SUSPENDED, S.WITHDRAWN):
            steps.append(("certificate.suspended", "valid", "suspended", later, "监督审核未按期进行", True))
        if status == S.WITHDRAWN:
            steps.append(
                ("certificate.withdrawn", "suspended", "withdrawn", later + timedelta(days=90), "暂停期间未整改", True)
            )
        if status == S.CANCELLED:
            steps.append(("certificate.cancelled", "valid", "cancelled", later, "企业申请注销", True))
        if status == S.EXPIRED:
            steps.append(("certificate.expired", "valid", "expired", expires_on + timedelta(days=1), "", True))
        prev = GENESIS
        for seq, (action, frm, to, on, reason, public) in enumerate(steps, start=1):
            e = CertificateEvent(
                certificate=c,
                seq=seq,
                at=datetime(on.year, on.month, on.day, 2, tzinfo=UTC),
                effective_on=on,
                actor=user,
                actor_label=user.username,
                action=action,
                from_status=frm,
                to_status=to,
                reason=reason,
                data={},
                public=public,
                prev_hash=prev,
            )
            e.hash = link_hash(prev, e.payload(c.number))
            prev = e.hash
            events.append(e)
            if to:
                c.status_since = on
        c.event_count, c.head_hash = len(steps), prev
        for k in (1, 2):
            due = issued_on + timedelta(days=365 * k)
            done = due < TODAY and status != S.CANCELLED and rng.random() < 0.95
            surveillances.append(
                Surveillance(
                    certificate=c,
                    cycle=1,
                    n=k,
                    window_opens=due - timedelta(days=90),
                    due_by=due,
                    state="done" if done else ("planned" if due >= TODAY else "cancelled"),
                    done_on=due - timedelta(days=rng.randrange(1, 60)) if done else None,
                )
            )
    t_built = time.perf_counter()
    with transaction.atomic():
        for model, rows in (
            (Organisation, orgs),
            (Certificate, certs),
            (CertificateVersion, versions),
            (CertificateEvent, events),
            (Surveillance, surveillances),
        ):
            for pk, row in enumerate(rows, start=ids[model]):
                row.pk = pk
            copy_rows(model, rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    NUMBERS.write_text("\n".join(c.number for c in certs) + "\n")
    return {
        "certificates": n,
        "versions": len(versions),
        "events": len(events),
        "surveillances": len(surveillances),
        "seconds": round(time.perf_counter() - t0, 1),
        "seconds_build": round(t_built - t0, 1),  # names, pinyin, payloads, signatures, hash chains
    }


def next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def copy_rows(model, rows: list) -> None:
    """Write model instances with COPY (their pk set), then move the id sequence past them."""
    from django.db import connection

    fields = model._meta.concrete_fields
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields])
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def phase_count() -> dict:
    _setup_django()
    from aftersales.certificates.models import Certificate

    return {"certificates": Certificate.objects.count()}


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


def child_env(args, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SECRET_KEY="bench-registry-not-a-secret-" + "x" * 32,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_DEBUG="0",
        DATABASE_URL=database_url(args.db),
        DATABASE_CONN_MAX_AGE="600",
        AFTERSALES_DATA_DIR=str(DATA_DIR / "data"),
        CERT_SIGNING_KEY_FILE=str(DATA_DIR / "signing.pem"),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{args.port}",
        REGISTRY_RATE_LIMIT=str(10**9),
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run_phase(args, name: str, *extra: str) -> dict:
    out = subprocess.run(
        [PY, __file__, "_phase", name, *extra], env=child_env(args), cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(f"phase {name} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare(args) -> dict:
    reuse = not args.reload and database_exists(args.db) and NUMBERS.exists()
    if reuse and run_phase(args, "count")["certificates"] == args.certificates:
        return {"reused": True, "certificates": args.certificates}
    recreate_database(args.db)
    migrate = subprocess.run(
        [PY, "-m", "aftersales.manage", "migrate", "-v", "0"], env=child_env(args), cwd=ROOT, capture_output=True
    )
    if migrate.returncode:
        sys.exit(migrate.stderr.decode()[-4000:])
    return run_phase(args, "load", str(args.certificates), str(args.seed))


def publish_phase(args) -> dict:
    """`aftersales registry publish`, as after a deploy: every certificate's answers rendered and
    stored (registry/publish.py); a no-op when the database already holds this release's."""
    migrate = subprocess.run(
        [PY, "-m", "aftersales.manage", "migrate", "-v", "0"], env=child_env(args), cwd=ROOT, capture_output=True
    )
    if migrate.returncode:
        sys.exit(migrate.stderr.decode()[-4000:])
    started = time.monotonic()
    out = subprocess.run(
        [str(Path(PY).parent / "aftersales"), "registry", "publish", "--batch", "500"],
        env=child_env(args),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(out.stderr[-4000:])
    published = int(out.stdout.split("published ", 1)[1].split()[0])
    return {"certificates_published": published, "seconds": round(time.monotonic() - started, 1)}


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


def start_server(args, workers: int, threads: int, worker_class: str) -> subprocess.Popen:
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
        env = child_env(args, DJANGO_SETTINGS_MODULE="bench.bench_settings")
        server = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
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
        f"--pythonpath={ROOT}",
    ]
    env = child_env(args, DJANGO_SETTINGS_MODULE="bench.bench_settings")
    server = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
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


def measure(args, config: tuple[int, int, str]) -> dict:
    workers, threads, worker_class = config
    server = start_server(args, workers, threads, worker_class)
    try:
        results = {}
        for name in args.scenarios:
            prefix, suffix, numbers = SCENARIOS[name]
            warmup = args.warmup_hot if numbers == HOT else args.warmup  # the hot set: fill each worker's cache
            wrk(args, prefix, suffix, numbers=numbers, duration=warmup)
            results[name] = wrk(args, prefix, suffix, numbers=numbers, duration=args.duration)
        return results
    finally:
        stop_server(server)


def check_answers(args) -> None:
    """Before measuring: a JSON answer and a page for one number, and the constant, answer 200."""
    import urllib.request

    server = start_server(args, 1, 1, "gthread")
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
    parser.add_argument("-o", "--output", type=Path, default=HERE / "results" / "registry.json")
    args = parser.parse_args(argv)
    args.scenarios = args.scenarios.split(",")
    data = prepare(args)
    data["publish"] = publish_phase(args)
    everyone = NUMBERS.read_text().split()
    HOT.write_text("\n".join(random.Random(args.seed).sample(everyone, min(args.hot, len(everyone)))) + "\n")
    print(f"data: {data}", flush=True)
    check_answers(args)
    runs = []
    for text in args.configs.split(","):
        config = parse_config(text)
        results = measure(args, config)
        runs.append({"config": text, "workers": config[0], "threads": config[1], "worker_class": config[2], **results})
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "data": data,
        "load": {
            "tool": "wrk",
            "connections": args.connections,
            "threads": args.wrk_threads,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "warmup_hot_s": args.warmup_hot,
            "hot_set": args.hot,
        },
        "load_average_before": os.getloadavg(),
        "runs": runs,
        "target": {"share_of_ceiling": 0.70, "p99_ms": 50, "errors": 0},
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(report)


def print_table(report: dict) -> None:
    print("| server | endpoint | req/s | share of ceiling | P50 ms | P99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for run in report["runs"]:
        ceiling = run.get("ceiling", {}).get("rps")
        for name in SCENARIOS:
            if name not in run:
                continue
            r = run[name]
            share = f"{r['rps'] / ceiling:.0%}" if ceiling else ""
            print(
                f"| {run['config']} | {name} | {r['rps']:,.0f} | {share} | {r['p50_us'] / 1000:.1f} "
                f"| {r['p99_us'] / 1000:.1f} | {r['errors_total']} |"
            )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_phase":
        sys.path.insert(0, str(ROOT))
        name, rest = sys.argv[2], sys.argv[3:]
        result = phase_load(int(rest[0]), int(rest[1])) if name == "load" else phase_count()
        print(json.dumps(result))
    else:
        main()

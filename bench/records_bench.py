"""Service-records benchmark (issue: import ≥ 100k rows/s, KPI suite over 1.3 M records < 5 s,
≥ 10× a pandas row-wise baseline, peak memory < 2 GB), on SQLite and PostgreSQL.

    make bench                                  # everything, the issue's sizes
    .venv/bin/python bench/records_bench.py --work-orders 100000 --complaints 30000 --db sqlite

Each phase runs in its own process so its peak memory (ru_maxrss) is its own; the parent prints a
table and writes a JSON file of results to bench/results/. Data come from the project's seeded
generator (aftersales/core/records/synthetic.py) written as the shipped mappings' source files, so
the import path parses the same Chinese-header files an enterprise uploads (GBK for work orders).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FILES = {  # kind -> (shipped mapping, file name)
    "work_order": ("crm-work-orders-gbk", "work_orders.csv"),
    "complaint": ("complaints-event-log-utf8bom", "complaints.csv"),
    "return_visit": ("return-visits-utf8", "return_visits.csv"),
}


# ------------------------------------------------------------------------------------ phases
# Run in a child process: `records_bench.py _phase NAME --dir DIR` with DATABASE_URL set.


def phase_generate(args) -> dict:
    from aftersales.core.records import synthetic
    from aftersales.core.records.mapping import get_mapping

    t0 = time.perf_counter()
    wo = synthetic.work_orders(args.work_orders, seed=args.seed)
    co = synthetic.complaints(args.complaints, seed=args.seed)
    rv = synthetic.return_visits(wo, co, share=10, seed=args.seed)
    sizes = {}
    for kind, frame in (("work_order", wo), ("complaint", co), ("return_visit", rv)):
        mapping_name, file_name = FILES[kind]
        data = synthetic.to_csv(frame, get_mapping(mapping_name))
        (Path(args.dir) / file_name).write_bytes(data)
        sizes[kind] = {"rows": frame.height, "bytes": len(data)}
    return {"seconds": time.perf_counter() - t0, "files": sizes}


def _setup_django():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    django.setup()


def _enterprise():
    from aftersales.accounts.models import Organisation
    from aftersales.accounts.services import organisation_create
    from aftersales.core import credit_code

    body = "MA2B3C4D"
    code = credit_code.complete("91330106" + body + credit_code.org_check_character(body))
    found = Organisation.objects.filter(credit_code=code).first()
    return found or organisation_create(
        kind=Organisation.Kind.ENTERPRISE, name="基准测试企业", credit_code=code, by_label="bench"
    )


def phase_migrate(args) -> dict:
    from django.core.management import call_command

    _setup_django()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    enterprise = _enterprise()
    from datetime import date
    from decimal import Decimal

    from aftersales.accounts.models import User
    from aftersales.records.services import commitment_publish

    user = User.objects.create_user(username="bench", password=None)
    commitment_publish(
        enterprise=enterprise,
        effective_from=date(2025, 1, 1),
        by=user,
        first_response_hours=Decimal(2),
        arrival_hours=Decimal(24),
        completion_hours=Decimal(72),
        complaint_closure_working_days=Decimal(5),
    )
    return {"seconds": time.perf_counter() - t0}


def phase_import(args) -> dict:
    _setup_django()
    from aftersales.core.records.mapping import shipped_mappings
    from aftersales.records.services import records_import

    enterprise = _enterprise()
    mapping_name, file_name = FILES[args.kind]
    data = (Path(args.dir) / file_name).read_bytes()
    mapping = shipped_mappings()[mapping_name].read_bytes()
    t0 = time.perf_counter()
    ri = records_import(
        enterprise=enterprise,
        kind=args.kind,
        data=data,
        filename=file_name,
        mapping=mapping,
        mapping_name=mapping_name,
        by_label="bench",
    )
    seconds = time.perf_counter() - t0
    if ri.status != "done":
        raise SystemExit(f"import failed: {ri.problems[:5]}")
    return {
        "seconds": seconds,
        "rows": ri.rows_total,
        "rows_per_second": ri.rows_total / seconds,
        "inserted": ri.inserted,
        "updated": ri.updated,
        "unchanged": ri.unchanged,
        "events": ri.events,
    }


def phase_kpi(args) -> dict:
    _setup_django()
    from aftersales.core.records.kpi import kpi_suite
    from aftersales.records.selectors import (
        business_calendar,
        commitment_in_force,
        core_commitments,
        record_frames,
    )

    enterprise = _enterprise()
    calendar = business_calendar()
    _ = calendar.sha256  # the calendar table is built once per process, not per request
    runs = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        frames = record_frames(enterprise)
        t1 = time.perf_counter()
        report = kpi_suite(
            frames, calendar=calendar, commitments=core_commitments(commitment_in_force(enterprise, None))
        )
        t2 = time.perf_counter()
        runs.append({"load": t1 - t0, "suite": t2 - t1, "total": t2 - t0})
    # the first run reads the records from the database and writes the columnar snapshot (the first
    # dashboard view after an import); later runs read the snapshot (every view until the next import)
    cold, warm = runs[0], min(runs[1:] or runs, key=lambda r: r["total"])
    records = sum(f.height for f in (frames.complaints, frames.work_orders, frames.return_visits, frames.surveys))
    (Path(args.dir) / f"kpi-{args.db_label}.json").write_text(json.dumps(report.as_json(), ensure_ascii=False))
    return {"records": records, "runs": runs, "cold": cold, "warm": warm, "seconds": warm["total"]}


def phase_baseline(args) -> dict:
    _setup_django()
    import pandas as pd
    from django.db import connection

    from aftersales.records.models import Complaint, ReturnVisit, SurveyResponse, WorkOrder
    from aftersales.records.selectors import commitment_in_force

    sys.path.insert(0, str(HERE))
    from baseline_pandas import kpis

    enterprise = _enterprise()
    t0 = time.perf_counter()
    frames = {}
    connection.ensure_connection()
    for name, model in (("c", Complaint), ("w", WorkOrder), ("rv", ReturnVisit), ("s", SurveyResponse)):
        sql, params = model.objects.filter(enterprise=enterprise).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            columns = [c[0] for c in cursor.description]
            df = pd.DataFrame(cursor.fetchall(), columns=columns)
        for col in df.columns:  # aware UTC → naive Shanghai time, as an enterprise reads them
            if col.endswith("_at"):
                df[col] = pd.to_datetime(df[col], utc=True).dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
        df = df.replace({"": None})
        frames[name] = df
    row = commitment_in_force(enterprise, None)
    commitments = {}
    if row is not None:
        for f in ("first_response_hours", "arrival_hours", "completion_hours", "complaint_closure_working_days"):
            commitments[f] = getattr(row, f, None)
    t1 = time.perf_counter()
    values = kpis(frames["c"], frames["w"], frames["rv"], frames["s"], commitments=commitments)
    t2 = time.perf_counter()
    (Path(args.dir) / f"baseline-{args.db_label}.json").write_text(json.dumps(values, default=str))
    return {"load": t1 - t0, "suite": t2 - t1, "seconds": t2 - t0}


PHASES = {
    "generate": phase_generate,
    "migrate": phase_migrate,
    "import": phase_import,
    "kpi": phase_kpi,
    "baseline": phase_baseline,
}


# ------------------------------------------------------------------------------------ parent


def run_phase(name: str, args, env: dict, *extra: str) -> dict:
    cmd = [sys.executable, str(Path(__file__)), "_phase", name, "--dir", args.dir, *extra]
    cmd += ["--work-orders", str(args.work_orders), "--complaints", str(args.complaints), "--seed", str(args.seed)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, cwd=ROOT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"phase {name} {' '.join(extra)} failed (exit {proc.returncode})")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_mb"] = round(usage.ru_maxrss / 1024)  # Linux: kilobytes
    return result


def compare(report: dict, baseline: dict) -> list[str]:
    """Differences between the suite's headline numbers and the baseline's ([] = they agree)."""
    from decimal import ROUND_HALF_UP, Decimal
    from fractions import Fraction

    def q(x, unit):
        return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal(unit), rounding=ROUND_HALF_UP)

    diffs = []
    for k in report["kpis"]:
        b = baseline.get(k["id"])
        if b is None:
            if k["value"] is not None:
                diffs.append(f"{k['id']}: baseline has no value")
            continue
        if "median" in b:  # time KPI, seconds
            for field in ("median", "p90", "median_business", "p90_business"):
                v = b.get(field)
                got = k[field]
                want = None if v is None else str(q(Fraction(str(v)) / 3600, "0.01"))
                if got != want:
                    diffs.append(f"{k['id']}.{field}: suite {got} baseline {want}")
        elif "num" in b:
            if (k["numerator"], k["denominator"]) != (b["num"], b["den"]):
                diffs.append(f"{k['id']}: suite {k['numerator']}/{k['denominator']} baseline {b['num']}/{b['den']}")
        elif "sum" in b and b["n"]:
            scale = 100 if k["id"] == "nps" else 1
            unit = "0.1" if k["id"] == "nps" else "0.01"
            want = str(q(Fraction(b["sum"] * scale, b["n"]), unit))
            if k["value"] != want:
                diffs.append(f"{k['id']}: suite {k['value']} baseline {want}")
    return diffs


def fresh_postgres(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work-orders", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--baseline-on", default="postgres", help="database the (slow) baseline runs on")
    parser.add_argument("--repeat", type=int, default=3, help="KPI suite runs (best is reported)")
    parser.add_argument("--dir", default="")
    parser.add_argument("--pg-name", default="aftersales_bench", help="PostgreSQL database made afresh for the run")
    args = parser.parse_args()
    work = tempfile.TemporaryDirectory(prefix="aftersales-bench-")
    args.dir = args.dir or work.name
    base_env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "bench",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "AFTERSALES_TASKS": "immediate",
        "AFTERSALES_DATA_DIR": args.dir,
        "PYTHONPATH": str(ROOT),
    }
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "sizes": {"work_orders": args.work_orders, "complaints": args.complaints, "seed": args.seed},
        "databases": {},
    }
    print(f"generating {args.work_orders:,} work orders + {args.complaints:,} complaints …", flush=True)
    results["generate"] = run_phase("generate", args, base_env)
    dbs = args.db.split(",")
    baseline_db = args.baseline_on if args.baseline_on in dbs else dbs[-1]
    for db in dbs:
        if db == "sqlite":
            url = f"sqlite:///{Path(args.dir) / 'bench.sqlite3'}"
        elif db == "postgres":
            url = fresh_postgres(
                os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"), args.pg_name
            )
        else:
            raise SystemExit(f"unknown database {db!r}: use sqlite or postgres")
        env = {**base_env, "DATABASE_URL": url}
        # an import queues the KPI snapshot job for the worker, as in production: the import is timed
        # alone (with immediate tasks the job would run inside it), the KPI phase's first run reads
        # the records from the database and writes the snapshot, as the job would
        import_env = {**env, "AFTERSALES_TASKS": "database"}
        r = results["databases"][db] = {}
        print(f"[{db}] migrate", flush=True)
        run_phase("migrate", args, env)
        for kind in FILES:
            print(f"[{db}] import {kind}", flush=True)
            r[f"import_{kind}"] = run_phase("import", args, import_env, "--kind", kind)
        print(f"[{db}] import work_order again (must change nothing)", flush=True)
        r["reimport_work_order"] = run_phase("import", args, import_env, "--kind", "work_order")
        print(f"[{db}] KPI suite (first run cold, then from the snapshot)", flush=True)
        r["kpi"] = run_phase("kpi", args, env, "--repeat", str(args.repeat), "--db-label", db)
        if not args.no_baseline and db == baseline_db:
            print(f"[{db}] pandas row-wise baseline (slow)", flush=True)
            r["baseline"] = run_phase("baseline", args, env, "--db-label", db)
            report = json.loads((Path(args.dir) / f"kpi-{db}.json").read_text())
            baseline = json.loads((Path(args.dir) / f"baseline-{db}.json").read_text())
            r["agreement"] = compare(report, baseline)
            r["speedup"] = r["baseline"]["seconds"] / r["kpi"]["seconds"]
        print(json.dumps(r, indent=1), flush=True)
    out = HERE / "results" / f"records-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"results: {out.relative_to(ROOT)}")
    print_table(results)


def print_table(results: dict) -> None:
    print()
    print("| database | step | rows | seconds | rows/s | peak MB |")
    print("|---|---|---:|---:|---:|---:|")
    for db, r in results["databases"].items():
        for step, v in r.items():
            if not isinstance(v, dict):
                continue
            rows = v.get("rows") or v.get("records") or ""
            rate = f"{v['rows_per_second']:,.0f}" if "rows_per_second" in v else ""
            print(f"| {db} | {step} | {rows:,} | {v['seconds']:.2f} | {rate} | {v['peak_mb']} |" if rows else
                  f"| {db} | {step} | | {v['seconds']:.2f} | | {v['peak_mb']} |")  # fmt: skip
        if "kpi" in r:
            c = r["kpi"]["cold"]
            step = f"kpi, cold (database read {c['load']:.2f} s + suite {c['suite']:.2f} s)"
            print(f"| {db} | {step} | | {c['total']:.2f} | | |")
        if "speedup" in r:
            print(f"| {db} | speed-up over baseline | | {r['speedup']:.1f}× | | |")
            print(f"| {db} | suite vs baseline differences | | {len(r['agreement'])} | | |")


def child() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("_phase")
    parser.add_argument("name")
    parser.add_argument("--dir", required=True)
    parser.add_argument("--kind", default="")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db-label", default="")
    parser.add_argument("--work-orders", type=int)
    parser.add_argument("--complaints", type=int)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    print(json.dumps(PHASES[args.name](args), default=str))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_phase":
        child()
    else:
        main()

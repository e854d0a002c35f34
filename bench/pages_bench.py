"""Page benchmark (issue 20, part 6): every page of every persona, timed in-process at a grown size.

    make bench-pages
    .venv/bin/python bench/pages_bench.py --repeat 9 --label after          # SQLite (default)
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/pages_bench.py --db postgres

Loads the demo (`load_demo`) into a fresh database, grows it (cases and certificates of the demo's
certification body, records of one enterprise: bulk inserts and the records import), builds the
persona × URL matrix's rows (tests/web) on top of the demo, then times every GET row for each
persona through Django's test Client: one first request (query count, size, status), then the
median of `--repeat` more, beside a trivial page (/bench/constant/) timed the same way in the same
run. HTML pages over `--flag` ms are flagged. JSON goes to bench/results/pages-<when>-<label>.json.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TRIVIAL = "/bench/constant/"
PG_NAME = "aftersales_bench_pages"


def environment(args) -> None:
    """The project's settings from the environment, on a fresh database and data folder."""
    data = Path(tempfile.mkdtemp(prefix="aftersales-bench-pages-"))
    if args.db == "postgres":
        url = fresh_postgres(os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"))
    else:
        url = f"sqlite:///{data / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
            "DATABASE_URL": url,
            "AFTERSALES_DATA_DIR": str(data),
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "bench",
            "DJANGO_ALLOWED_HOSTS": "testserver,localhost",
            "DJANGO_DEBUG": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "TOTP_REQUIRED_FOR_CB": "0",
            "AFTERSALES_TASKS": "database",  # jobs wait in the queue, as with a worker; requests stay requests
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "PUBLIC_BASE_URL": "http://testserver",
        }
    )
    sys.path.insert(0, str(ROOT))
    args.data_dir = str(data)


def fresh_postgres(url: str) -> str:
    import psycopg

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    return url.rsplit("/", 1)[0] + f"/{PG_NAME}"


# ------------------------------------------------------------------------------------ data


def demo_load() -> float:
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    return time.perf_counter() - t0


def demo_people() -> dict:
    """The demo's users as the matrix's personas, in the order the demo made them: the first
    enterprise admin and a member of that enterprise (whose records grow), another enterprise's
    admin, and the CB's roles (two auditors)."""
    from aftersales.accounts.models import Membership, Organisation, Role

    members = list(Membership.objects.select_related("user", "organisation").order_by("pk"))

    def first(role, *, org=None, skip=None):
        for m in members:
            if m.role == role and (org is None or m.organisation_id == org) and m.user != skip:
                return m
        raise SystemExit(f"the demo has no {role} user")

    admin = first(Role.ENTERPRISE_ADMIN)
    ent = admin.organisation
    other = next(m for m in members if m.role == Role.ENTERPRISE_ADMIN and m.organisation_id != ent.pk)
    auditor = first(Role.AUDITOR)
    cb_admin = first(Role.CB_ADMIN)
    people = {
        "ent_admin": admin.user,
        "ent_member": first(Role.ENTERPRISE_MEMBER, org=ent.pk).user,
        "other_admin": other.user,
        "cb_admin": cb_admin.user,
        "reviewer": first(Role.REVIEWER, org=cb_admin.organisation_id).user,
        "auditor": auditor.user,
        "auditor_other": first(Role.AUDITOR, org=auditor.organisation_id, skip=auditor.user).user,
        "committee": first(Role.COMMITTEE, org=cb_admin.organisation_id).user,
    }
    cb = Organisation.objects.get(pk=cb_admin.organisation_id)
    return {"enterprise": ent, "other": other.organisation, "cb": cb, "people": people}


def grow(args, world) -> dict:
    """Cases and certificates of the demo CB, records of the demo enterprise (bulk)."""
    from django.db import connection

    out = {}
    t0 = time.perf_counter()
    sys.path.insert(0, str(HERE))
    import registry_data

    out["certificates"] = registry_data.phase_load(
        args.certificates, args.seed, cb=world["cb"], user=world["people"]["cb_admin"], first=50_000_000
    )
    out["cases"] = grow_cases(args.cases, world)
    out["records"] = grow_records(args.records, world["enterprise"], world["people"]["ent_admin"], args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


def grow_cases(n: int, world) -> dict:
    """`n` cases of the grown certificates' enterprises with the demo CB, in every status (rows and
    their opening event, as tests/certification/helpers.open_direct makes them)."""
    from django.db import transaction

    from aftersales.accounts.models import Organisation
    from aftersales.certification.cases import case_event_record, case_reference_next
    from aftersales.certification.models import Application, Case

    statuses = [s for s, _ in Case.Status.choices]
    enterprises = list(
        Organisation.objects.filter(kind="enterprise", credit_code__startswith="91330106500").order_by("pk")[:n]
    )
    by = world["people"]["cb_admin"]
    with transaction.atomic():
        for i, enterprise in enumerate(enterprises):
            case = Case.objects.create(
                reference=case_reference_next(2026),
                enterprise=enterprise,
                cb=world["cb"],
                scheme_version=world["gbt"],
                created_by=by,
            )
            Application.objects.create(case=case, updated_by=by)
            case_event_record(case=case, action="case.opened", by=by)
            Case.objects.filter(pk=case.pk).update(status=statuses[i % len(statuses)])
    return {"cases": len(enterprises)}


def grow_records(n: int, enterprise, user, seed: int) -> dict:
    """About `n` more records of `enterprise` through the records import (work orders, complaints,
    return visits: 80/15/5), dated over the same months as the demo's."""
    from django.utils import timezone

    from aftersales.core.records import synthetic
    from aftersales.core.records.mapping import load_mapping, shipped_mappings
    from aftersales.records.selectors import business_calendar
    from aftersales.records.services import records_import

    # every time, follow-ups included, before today: an import refuses times after tomorrow
    today = timezone.localdate()
    start = synthetic.start_for(today, last_day=min(business_calendar().last_day, today))
    orders = _own_ids(synthetic.work_orders(n * 80 // 100, seed=seed, start=start), "repeat_of")
    complaints = _own_ids(synthetic.complaints(n * 15 // 100, seed=seed, start=start))
    visits = _own_ids(synthetic.return_visits(orders, complaints, share=6, seed=seed), "subject_id")
    out = {}
    for kind, frame, mapping_name in (
        ("work_order", orders, "crm-work-orders-gbk"),
        ("complaint", complaints, "complaints-event-log-utf8bom"),
        ("return_visit", visits, "return-visits-utf8"),
    ):
        raw = shipped_mappings()[mapping_name].read_bytes()
        data = synthetic.to_csv(frame, load_mapping(raw, name=mapping_name))
        ri = records_import(
            enterprise=enterprise,
            kind=kind,
            data=data,
            filename=f"bench-{kind}.csv",
            mapping=raw,
            mapping_name=mapping_name,
            by=user,
        )
        if ri.status != "done":
            raise SystemExit(f"bench import {kind} failed: {ri.problems[:3]}")
        out[kind] = {"rows": ri.rows_total, "inserted": ri.inserted, "updated": ri.updated}
    return out


def _own_ids(frame, *refs: str):
    """The generator's ids with a prefix of their own: the demo's records keep theirs."""
    import polars as pl

    return frame.with_columns(pl.concat_str(pl.lit("B-"), pl.col(c)).alias(c) for c in ("external_id", *refs))


def counts() -> dict:
    from aftersales.certificates.models import Certificate, Surveillance
    from aftersales.certification.models import Case
    from aftersales.records.models import Complaint, ReturnVisit, WorkOrder

    return {
        "cases": Case.objects.count(),
        "certificates": Certificate.objects.count(),
        "surveillances": Surveillance.objects.count(),
        "records": sum(m.objects.count() for m in (WorkOrder, Complaint, ReturnVisit)),
    }


# ------------------------------------------------------------------------------------ pages


def matrix_rows(world) -> dict:
    """The persona × URL matrix's rows (tests/web), built on the demo world: GET rows only. A part
    of the matrix the demo's enterprise cannot take (routes_cycle issues it a second certificate) is
    built on another demo enterprise instead (its GET rows do not depend on which)."""
    import importlib

    from django.db import transaction

    from aftersales.assessments.services import assessment_start
    from aftersales.schemes.models import SchemeVersion
    from tests.web import test_persona_matrix as matrix

    world["gbt"] = SchemeVersion.objects.get(scheme_id="gbt27922-2011")
    # a self-assessment of its own (the demo's draft carries its baseline's special bonus; the matrix adds one)
    world["assessment"] = assessment_start(
        enterprise=world["enterprise"], scheme_version=world["gbt"], by=world["people"]["ent_admin"], title="基准测试"
    )
    builders = [matrix.base_routes, matrix.api_routes] + [
        importlib.import_module(f"tests.web.{f.stem}").routes
        for f in sorted((ROOT / "tests" / "web").glob("routes_*.py"))
    ]
    rows = {}
    for build in builders:
        try:
            with transaction.atomic():
                got = build(world)
        except Exception as exc:  # any refusal: the same rows on the spare enterprise
            with transaction.atomic():
                got = build(spare_world(world))
            print(f"  {build.__module__}: built on another enterprise ({exc})", flush=True)
        rows.update(got)
    return {name: row for name, row in rows.items() if row[0] == "get"}


def spare_world(world) -> dict:
    """The world with another demo enterprise (no live certificate, an admin) in the enterprise's place."""
    from aftersales.accounts.models import Membership, Role
    from aftersales.certificates.models import Certificate

    live = Certificate.objects.filter(status__in=("valid", "suspended")).values("enterprise_id")
    m = (
        Membership.objects.filter(role=Role.ENTERPRISE_ADMIN, organisation__kind="enterprise")
        .exclude(organisation__in=(world["enterprise"], world["other"]))
        .exclude(organisation_id__in=live)
        .select_related("organisation", "user")
        .order_by("pk")
        .first()
    )
    return {**world, "enterprise": m.organisation, "people": {**world["people"], "ent_admin": m.user}}


def timed(client, url: str, headers: dict, repeat: int, budget: float) -> dict:
    """The first request (queries, size, status, its time) and the median of up to `repeat` more
    (at least 3, fewer than `repeat` when they exceed `budget` seconds)."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    gc.collect()
    with connection.execute_wrapper(count):
        t0 = time.perf_counter()
        response = client.get(url, headers=headers)
        first = time.perf_counter() - t0
    body = b"".join(response.streaming_content) if response.streaming else response.content
    times: list[float] = []
    spent = 0.0
    while len(times) < repeat and (len(times) < 3 or spent < budget):
        t0 = time.perf_counter()
        r = client.get(url, headers=headers)
        if r.streaming:
            b"".join(r.streaming_content)
        times.append(time.perf_counter() - t0)
        spent += times[-1]
    return {
        "status": response.status_code,
        "type": response.get("Content-Type", "").split(";")[0],
        "bytes": len(body),
        "queries": len(queries),
        "first_ms": round(first * 1000, 1),
        "median_ms": round(statistics.median(times) * 1000, 1),
        "min_ms": round(min(times) * 1000, 1),
        "n": len(times),
    }


def measure(args, world, rows: dict, stage: str) -> list[dict]:
    from django.test import Client

    from tests.web.personas import PERSONAS

    pages = []
    deadline = time.monotonic() + args.max_minutes * 60
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)  # a page that fails is reported (500), not fatal
        user = world["people"].get(persona)
        if user is not None:
            client.force_login(user)
        who = f"{persona} ({user.username})" if user else persona
        trivial = timed(client, TRIVIAL, {}, args.repeat, args.page_budget)
        pages.append({"stage": stage, "persona": who, "page": "trivial", "url": TRIVIAL, **trivial})
        for name, (_, url, _data, headers, _statuses) in rows.items():
            if args.only and args.only not in name:
                continue
            if time.monotonic() > deadline:
                print(f"  time limit ({args.max_minutes} min) reached: the rest of {who} not measured", flush=True)
                break
            r = timed(client, url, dict(headers), args.repeat, args.page_budget)
            pages.append({"stage": stage, "persona": who, "page": name, "url": url, **r})
        print(f"  [{stage}] {who}: {sum(1 for p in pages if p['persona'] == who)} pages", flush=True)
    return pages


def table(pages: list[dict], flag_ms: float, show_ms: float) -> str:
    """Pages sorted by median time: every page at or over `show_ms`, the rest summarised."""
    rows = sorted(pages, key=lambda p: -p["median_ms"])
    head = f"| {'page':<34} | {'persona':<26} | status | type | median ms | first ms | queries | KB |"
    out = [head, "|" + "|".join("---" for _ in range(8)) + "|"]
    for p in rows:
        if p["median_ms"] < show_ms:
            break
        flag = " ⚑" if p["type"] == "text/html" and p["median_ms"] > flag_ms else ""
        out.append(
            f"| {p['page'] + flag:<34} | {p['persona']:<26} | {p['status']} | {p['type'].split('/')[-1]} "
            f"| {p['median_ms']:.0f} | {p['first_ms']:.0f} | {p['queries']} | {p['bytes'] / 1024:.0f} |"
        )
    rest = [p for p in rows if p["median_ms"] < show_ms and p["page"] != "trivial"]
    trivial = [p["median_ms"] for p in pages if p["page"] == "trivial"]
    html = [p for p in pages if p["type"] == "text/html" and p["page"] != "trivial"]
    if rest:
        out.append(
            f"\n{len(rest)} more pages under {show_ms:.0f} ms (median of their medians "
            f"{statistics.median(p['median_ms'] for p in rest):.1f} ms, largest "
            f"{max(p['bytes'] for p in rest) / 1024:.0f} KB, at most {max(p['queries'] for p in rest)} queries)."
        )
    if trivial:
        out.append(f"Trivial page {TRIVIAL}: median {statistics.median(trivial):.1f} ms.")
    over = [p for p in html if p["median_ms"] > flag_ms]
    out.append(f"HTML pages over {flag_ms:.0f} ms: {len(over)} of {len(html)}.")
    return "\n".join(out)


def compare(before_file: str, after_file: str, show_ms: float) -> str:
    """Two runs side by side: every page at least `show_ms` in either, by its time before."""
    runs = [json.loads(Path(f).read_text()) for f in (before_file, after_file)]
    keyed = [{(p["stage"], p["persona"], p["page"]): p for p in run["pages"]} for run in runs]
    keys = sorted(keyed[0].keys() & keyed[1].keys(), key=lambda k: -keyed[0][k]["median_ms"])
    out = [
        "| page | persona | type | before ms | after ms | queries before → after | KB before → after |",
        "|---|---|---|---:|---:|---|---|",
    ]
    rest = []
    for k in keys:
        b, a = keyed[0][k], keyed[1][k]
        if max(b["median_ms"], a["median_ms"]) < show_ms:
            rest.append(k)
            continue
        out.append(
            f"| {k[2]} | {k[1]} | {b['type'].split('/')[-1]} | {b['median_ms']:.0f} | {a['median_ms']:.0f} "
            f"| {b['queries']} → {a['queries']} | {b['bytes'] / 1024:.0f} → {a['bytes'] / 1024:.0f} |"
        )
    for label, run, pages in (("before", runs[0], keyed[0]), ("after", runs[1], keyed[1])):
        trivial = [p["median_ms"] for p in run["pages"] if p["page"] == "trivial"]
        median_rest = statistics.median(pages[k]["median_ms"] for k in rest) if rest else 0
        out.append(
            f"\n{label}: trivial page median {statistics.median(trivial):.1f} ms; the {len(rest)} other pages "
            f"median {median_rest:.1f} ms; load average at the end {run['machine']['load_average'][0]:.1f}"
        )
    return "\n".join(out)


def git_head() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--repeat", type=int, default=7, help="timed requests per page after the first (median)")
    p.add_argument("--page-budget", type=float, default=1.5, help="seconds per page before stopping at 3 requests")
    p.add_argument("--max-minutes", type=float, default=20, help="per stage: pages past it are not measured")
    p.add_argument("--cases", type=int, default=200)
    p.add_argument("--certificates", type=int, default=2000)
    p.add_argument("--records", type=int, default=300_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--demo-too", action="store_true", help="also time every page at the demo's size first")
    p.add_argument("--only", default="", help="only the rows whose name contains this")
    p.add_argument("--flag", type=float, default=150, help="HTML pages slower than this (ms) are flagged")
    p.add_argument("--show", type=float, default=100, help="the table lists every page at least this slow (ms)")
    p.add_argument("--label", default="")
    p.add_argument("--keep", action="store_true", help="keep the data folder (SQLite file, media) afterwards")
    p.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="print two result files side by side")
    args = p.parse_args()
    if args.compare:
        print(compare(*args.compare, args.show))
        return
    environment(args)
    import django

    django.setup()
    t_start = time.perf_counter()
    print(f"[{args.db}] migrate and load the demo …", flush=True)
    seconds_demo = demo_load()
    world = demo_people()
    rows = matrix_rows(world)
    print(f"  {len(rows)} GET rows of the matrix, {seconds_demo:.0f} s", flush=True)
    pages = []
    sizes = {"demo": counts()}
    if args.demo_too:
        pages += measure(args, world, rows, "demo")
    print(f"growing: {args.cases} cases, {args.certificates} certificates, {args.records:,} records …", flush=True)
    grown = grow(args, world)
    sizes["grown"] = counts()
    print(f"  {sizes['grown']} in {grown['seconds']} s", flush=True)
    pages += measure(args, world, rows, "grown")
    when = datetime.now(UTC)
    result = {
        "when": when.isoformat(timespec="seconds"),
        "commit": git_head(),
        "label": args.label,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average": os.getloadavg(),
        },
        "database": args.db,
        "repeat": args.repeat,
        "sizes": sizes,
        "grow": grown,
        "seconds": round(time.perf_counter() - t_start),
        "pages": pages,
    }
    out = HERE / "results" / f"pages-{when:%Y%m%d-%H%M}{'-' + args.label if args.label else ''}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    for stage in ("demo", "grown"):
        these = [p for p in pages if p["stage"] == stage]
        if these:
            print(f"\n## {stage}: {sizes[stage]}\n")
            print(table(these, args.flag, args.show))
    print(f"\n{out.relative_to(ROOT)} ({result['seconds']} s, load average {os.getloadavg()[0]:.1f})")
    if not args.keep:
        shutil.rmtree(args.data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

"""KPI page and generated documents at the grown size (issue 20, part 6).

    .venv/bin/python bench/kpi_docs_bench.py grow --data DIR      # load_demo first, then this once
    .venv/bin/python bench/kpi_docs_bench.py measure --data DIR   # any number of times, any code tree

`grow` adds synthetic records (the project's seeded generator, imported through the shipped
mappings) to the demo's 五星 candidate 杭州海川; `measure` times, in one process through Django's
test client as the enterprise's admin: the KPI page warm (snapshot and figures current) and cold
(no snapshot, no stored figures), then the first and second download of each PDF (assessment
report, audit report, quotation, certificate). Run `measure` with PYTHONPATH pointing at another
tree (e.g. `git archive` of an older commit) to time that code on the same data.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

FILES = {
    "work_order": "crm-work-orders-gbk",
    "complaint": "complaints-event-log-utf8bom",
    "return_visit": "return-visits-utf8",
}


def _setup(data: str) -> None:
    os.environ.update(
        AFTERSALES_DATA_DIR=data,
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench"),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="aftersales.settings",
    )
    os.environ.setdefault("AFTERSALES_TASKS", "database")
    import django

    django.setup()


def _enterprise():
    from aftersales.accounts.models import Organisation

    return Organisation.objects.get(name="杭州海川家电有限公司")


def grow(args) -> None:
    import polars as pl

    from aftersales.core.records import synthetic
    from aftersales.core.records.mapping import get_mapping
    from aftersales.records.services import records_import

    ent = _enterprise()
    wo = synthetic.work_orders(args.work_orders, seed=7)
    wo = wo.with_columns(
        (pl.lit("B") + pl.col("external_id")).alias("external_id"),
        (pl.lit("B") + pl.col("repeat_of")).alias("repeat_of"),
    )
    bee = (pl.lit("B") + pl.col("external_id")).alias("external_id")
    co = synthetic.complaints(args.complaints, seed=7).with_columns(bee)
    rv = synthetic.return_visits(wo, co, share=10, seed=7).with_columns(bee)
    for kind, frame in (("work_order", wo), ("complaint", co), ("return_visit", rv)):
        mapping = get_mapping(FILES[kind])
        t0 = time.perf_counter()
        ri = records_import(
            enterprise=ent,
            kind=kind,
            data=synthetic.to_csv(frame, mapping),
            filename=f"{kind}.csv",
            mapping=_mapping_bytes(FILES[kind]),
            mapping_name=FILES[kind],
            by_label="bench",
        )
        print(f"{kind}: {ri.status} {ri.rows_total} rows in {time.perf_counter() - t0:.1f} s")


def _mapping_bytes(name: str) -> bytes:
    from aftersales.core.records.mapping import shipped_mappings

    return shipped_mappings()[name].read_bytes()


def _time(client, url: str, n: int = 1) -> tuple[list[float], object]:
    times, response = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times, response


def _forget_kpis(data: Path) -> None:
    """No snapshot and no stored figures: the view after an import whose snapshot job has not run."""
    shutil.rmtree(data / "cache" / "records", ignore_errors=True)
    shutil.rmtree(data / "media" / "kpi", ignore_errors=True)


def measure(args) -> None:
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from aftersales.accounts.models import User
    from aftersales.assessments.models import Assessment
    from aftersales.certificates.models import Certificate
    from aftersales.certification.models import Case, Quotation

    data = Path(settings.DATA_DIR)
    ent = _enterprise()
    client = Client()
    client.force_login(User.objects.get(username="zhangwei"))
    out: dict = {"records": {}}
    from aftersales.records.models import RECORD_MODELS

    for kind, model in RECORD_MODELS.items():
        out["records"][str(kind)] = model.objects.filter(enterprise=ent).count()
    url = reverse("records_kpis", args=[ent.pk])
    cold = []
    for _ in range(args.cold):
        _forget_kpis(data)
        times, response = _time(client, url)
        cold.append(times[0])
    out["kpi_cold_ms"] = cold
    out["kpi_cold_pending"] = b"kpi-pending" in response.content
    # the figures as the background job (or the first view) leaves them
    from django.core.management import call_command

    if out["kpi_cold_pending"]:
        t0 = time.perf_counter()
        call_command("db_worker", batch=True, verbosity=0)
        out["kpi_job_s"] = time.perf_counter() - t0
    _time(client, url)
    warm, response = _time(client, url, args.n)
    assert b"kpi-pending" not in response.content
    out["kpi_warm_ms"] = {"median": statistics.median(warm), "min": min(warm), "max": max(warm)}

    docs = {}
    shutil.rmtree(data / "media" / "generated", ignore_errors=True)
    assessment = Assessment.objects.filter(enterprise=ent, status="finished", kind="self").order_by("-pk").first()
    case = Case.objects.filter(enterprise=ent, audit__isnull=False).order_by("-pk").first()
    certificate = Certificate.objects.filter(enterprise=ent).first()
    urls = {
        "assessment report": reverse("assessment_report_pdf", args=[assessment.pk]),
        "audit report": reverse("audit_report_pdf", args=[case.pk]),
        "quotation": reverse(
            "case_quotation_pdf", args=[Quotation.objects.filter(case__enterprise=ent).first().case_id]
        ),
        "certificate": reverse("certificate_pdf", args=[certificate.number]),
    }
    cb = Client()
    cb.force_login(User.objects.get(username="chenjing"))
    for name, doc_url in urls.items():
        who = cb if name == "audit report" else client
        first, r1 = _time(who, doc_url)
        second, r2 = _time(who, doc_url, 3)
        docs[name] = {
            "first_ms": first[0],
            "second_ms": statistics.median(second),
            "bytes": len(r1.content),
            "same_bytes": r1.content == r2.content,
        }
    out["documents"] = docs
    print(json.dumps(out, indent=1, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", choices=["grow", "measure"])
    parser.add_argument("--data", required=True, help="AFTERSALES_DATA_DIR holding the demo's SQLite database")
    parser.add_argument("--work-orders", type=int, default=200_000)
    parser.add_argument("--complaints", type=int, default=60_000)
    parser.add_argument("-n", type=int, default=15, help="warm KPI page requests")
    parser.add_argument("--cold", type=int, default=3, help="cold KPI page requests")
    parser.add_argument("--out", help="write the results as JSON here")
    args = parser.parse_args()
    _setup(args.data)
    {"grow": grow, "measure": measure}[args.phase](args)


if __name__ == "__main__":
    sys.exit(main())

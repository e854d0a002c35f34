"""Demo service records: a few thousand seeded records per demo enterprise, over the 300 days up
to the end of last month (as an enterprise applying today would have them; never past the business
calendar's last year), imported as CSV files through the same import service the web and the CLI
use; published commitments; one audit sample each.

杭州海川 and 成都锦程 have every kind for the whole period (their eligibility signal is ready);
佛山恒泰 has no return visits (its signal shows the missing months). Idempotent: a file already
imported, commitments already published or a sample already drawn are left alone.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

import polars as pl
from django.utils import timezone

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.core.records import synthetic
from aftersales.core.records.mapping import load_mapping, shipped_mappings
from aftersales.records.models import AuditSample, Commitment, RecordImport
from aftersales.records.selectors import business_calendar
from aftersales.records.services import commitment_publish, records_import, sample_draw

SAMPLES_DIR = "samples"

# enterprise name -> (seed, work orders, complaints, return-visit share %, commitments)
PLANS = {
    "杭州海川家电有限公司": (11, 3000, 400, 85, ("2", "24", "48", "5")),
    "成都锦程电器销售有限公司": (22, 1500, 250, 45, ("4", "48", "72", "10")),
    "佛山市顺德区恒泰厨具有限公司": (33, 800, 150, 0, None),
}

MAPPINGS = {
    "work_order": "crm-work-orders-gbk",
    "complaint": "complaints-event-log-utf8bom",
    "return_visit": "return-visits-utf8",
}


def _admin(enterprise: Organisation):
    membership = (
        Membership.objects.filter(organisation=enterprise, role=Role.ENTERPRISE_ADMIN).select_related("user").first()
    )
    return membership.user if membership else None


def _import(enterprise, user, kind: str, data: bytes, filename: str, mapping_name: str, stdout) -> None:
    sha = hashlib.sha256(data).hexdigest()
    if RecordImport.objects.filter(enterprise=enterprise, file_sha256=sha, status="done", dry_run=False).exists():
        return
    mapping_bytes = shipped_mappings()[mapping_name].read_bytes()
    ri = records_import(
        enterprise=enterprise,
        kind=kind,
        data=data,
        filename=filename,
        mapping=mapping_bytes,
        mapping_name=mapping_name,
        by=user,
        by_label="command:load_demo",
    )
    if ri.status != "done":
        raise RuntimeError(f"demo import {filename} failed: {ri.problems[:3]}")
    stdout.write(f"  {enterprise.name}: {filename} → {ri.inserted} records, {ri.events} status events")


def _csv(frame: pl.DataFrame, mapping_name: str) -> bytes:
    mapping = load_mapping(shipped_mappings()[mapping_name].read_bytes(), name=mapping_name)
    return synthetic.to_csv(frame, mapping)


def load(*, stdout) -> None:
    """Load the demo records into the demo enterprises that exist (run after the organisations)."""
    from pathlib import Path

    samples = Path(synthetic.__file__).resolve().parent / SAMPLES_DIR
    # records up to last month, as an enterprise applying today would have (within the calendar)
    start = synthetic.start_for(timezone.localdate(), last_day=business_calendar().last_day)
    for name, (seed, n_orders, n_complaints, share, promises) in PLANS.items():
        enterprise = Organisation.objects.filter(name=name, kind=Organisation.Kind.ENTERPRISE).first()
        if enterprise is None:
            continue
        user = _admin(enterprise)
        orders = synthetic.work_orders(n_orders, seed=seed, start=start)
        complaints = synthetic.complaints(n_complaints, seed=seed, start=start)
        _import(enterprise, user, "work_order", _csv(orders, MAPPINGS["work_order"]), "工单导出-2026.csv",
                MAPPINGS["work_order"], stdout)  # fmt: skip
        _import(enterprise, user, "complaint", _csv(complaints, MAPPINGS["complaint"]), "投诉记录-2026.csv",
                MAPPINGS["complaint"], stdout)  # fmt: skip
        if share:
            visits = synthetic.return_visits(orders, complaints, share=share, seed=seed)
            _import(enterprise, user, "return_visit", _csv(visits, MAPPINGS["return_visit"]), "回访记录-2026.csv",
                    MAPPINGS["return_visit"], stdout)  # fmt: skip
        survey_file = samples / "surveys-xlsx.xlsx"
        _import(enterprise, user, "survey", survey_file.read_bytes(), survey_file.name, "surveys-xlsx", stdout)
        if promises and not Commitment.objects.filter(enterprise=enterprise).exists():
            first, arrival, completion, closure = (Decimal(v) for v in promises)
            commitment_publish(
                enterprise=enterprise,
                effective_from=date(2026, 1, 1),
                first_response_hours=first,
                arrival_hours=arrival,
                completion_hours=completion,
                complaint_closure_working_days=closure,
                note="公司官网及服务手册公布的服务承诺",
                by=user,
            )
        if not AuditSample.objects.filter(enterprise=enterprise).exists():
            sample = sample_draw(
                enterprise=enterprise,
                kind="work_order",
                n=10,
                seed=f"demo-{seed}",
                method="stratified-month",
                date_from=date(2026, 5, 1),
                date_to=date(2026, 10, 31),
                by=user,
            )
            stdout.write(f"  {enterprise.name}: audit sample #{sample.pk} ({sample.n} of {sample.frame_size})")

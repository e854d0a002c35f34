"""Demo service records for every demo enterprise, each telling its story (demo/stories.py):
work orders, complaints, return visits and satisfaction surveys received over the 300 days up to
the end of last month (as an enterprise applying today would have them; never past the business
calendar's last year, never after the moment of loading), imported as CSV files through the same
import service the web and the CLI use; published commitments; an audit sample for the three
enterprises of the README's logins table.

杭州海川 (五星 candidate) keeps nearly every promise; 成都锦程 (三星) is middling; 佛山恒泰 (not yet
qualified) is late more often than not, publishes no commitments and makes no return visits (its
eligibility signal shows the missing months). Idempotent: a kind of record an enterprise already
has from the demo, commitments already published or a sample already drawn are left alone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

import polars as pl
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import Membership, Organisation, Role
from aftersales.core.records import synthetic
from aftersales.core.records.mapping import Mapping, load_mapping, shipped_mappings
from aftersales.records.models import AuditSample, Commitment, RecordImport
from aftersales.records.selectors import business_calendar
from aftersales.records.services import commitment_publish, records_import, sample_draw

from .generate import Frames, Window, frames_for, window_for
from .stories import STORIES, Story

ACTOR = "command:load_demo"
SPAN_DAYS = synthetic.SPAN_SECONDS // 86400

# kind -> (shipped mapping, file name stem)
FILES = {
    "work_order": ("crm-work-orders-gbk", "工单导出"),
    "complaint": ("complaints-event-log-utf8bom", "投诉记录"),
    "return_visit": ("return-visits-utf8", "回访记录"),
    "survey": ("surveys-xlsx", "满意度调查"),  # the workbook's columns, saved as CSV
}


def demo_window(now: datetime | None = None) -> Window:
    """The demo's records window as of `now` (default: this moment, local time)."""
    now = now or timezone.localtime().replace(tzinfo=None)
    last_day = business_calendar().last_day
    start = synthetic.start_for(now.date(), last_day=last_day)
    return window_for(now, start=start, span_days=SPAN_DAYS, last_day=last_day)


@cache
def _mapping(name: str) -> tuple[bytes, Mapping]:
    data = shipped_mappings()[name].read_bytes()
    return data, load_mapping(data, name=name)


def _admin(enterprise: Organisation):
    membership = (
        Membership.objects.filter(organisation=enterprise, role=Role.ENTERPRISE_ADMIN).select_related("user").first()
    )
    return membership.user if membership else None


def _import(enterprise, user, kind: str, frame: pl.DataFrame, window: Window, stdout) -> None:
    if frame.height == 0:
        return
    mapping_name, stem = FILES[kind]
    mapping_bytes, mapping = _mapping(mapping_name)
    data = synthetic.to_csv(frame, mapping)
    filename = f"{stem}-{window.start:%Y%m}-{window.end - timedelta(days=1):%Y%m}.csv"
    ri = records_import(
        enterprise=enterprise,
        kind=kind,
        data=data,
        filename=filename,
        mapping=mapping_bytes,
        mapping_name=mapping_name,
        by=user,
        by_label=ACTOR,
    )
    if ri.status != "done":
        raise RuntimeError(f"demo import {filename} of {enterprise.name} failed: {ri.problems[:3]}")
    stdout.write(f"  {enterprise.name}: {filename} → {ri.inserted} records, {ri.events} status events")


def _commitments(enterprise, user, story: Story, window: Window) -> None:
    if not story.commitments or Commitment.objects.filter(enterprise=enterprise).exists():
        return
    first, arrival, completion, closure = (Decimal(v) for v in story.commitments)
    commitment_publish(
        enterprise=enterprise,
        effective_from=window.start.date(),
        first_response_hours=first,
        arrival_hours=arrival,
        completion_hours=completion,
        complaint_closure_working_days=closure,
        note="公司官网及服务手册公布的服务承诺",
        by=user,
    )


def _sample(enterprise, user, story: Story, window: Window, stdout) -> None:
    """Ten work orders from the last six whole months of the window, stratified by month."""
    if AuditSample.objects.filter(enterprise=enterprise).exists():
        return
    last = (window.end - timedelta(days=1)).date()
    month = last.year * 12 + last.month - 1 - 5
    first = max(date(month // 12, month % 12 + 1, 1), window.start.date())
    sample = sample_draw(
        enterprise=enterprise,
        kind="work_order",
        n=10,
        seed=f"demo-{story.seed}",
        method="stratified-month",
        date_from=first,
        date_to=last,
        by=user,
    )
    stdout.write(f"  {enterprise.name}: audit sample #{sample.pk} ({sample.n} of {sample.frame_size})")


def load(*, stdout, now: datetime | None = None) -> None:
    """Load the demo records into the demo enterprises that exist (run after the organisations)."""
    window = demo_window(now)
    enterprises = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE, name__in=list(STORIES))
    done = set(
        RecordImport.objects.filter(status="done", dry_run=False, created_by_label=ACTOR).values_list(
            "enterprise_id", "kind"
        )
    )
    for enterprise in enterprises.order_by("pk"):
        story = STORIES[enterprise.name]
        user = _admin(enterprise)
        frames: Frames | None = None
        with transaction.atomic():  # one commit per enterprise
            for kind, attr in (("work_order", "work_orders"), ("complaint", "complaints"),
                               ("return_visit", "return_visits"), ("survey", "surveys")):  # fmt: skip
                if (enterprise.pk, kind) in done:
                    continue
                frames = frames or frames_for(story, window)
                _import(enterprise, user, kind, getattr(frames, attr), window, stdout)
            _commitments(enterprise, user, story, window)
            if story.sample:
                _sample(enterprise, user, story, window, stdout)

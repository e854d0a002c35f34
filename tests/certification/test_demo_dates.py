"""The demo's service records are never dated after the moment they are loaded, whatever day that
is: a completion, closure, return visit or survey that would come later has not happened yet (the
record stays open). Checked on the generated frames at several moments (no database) and on a
demo records load with time frozen at another date than today."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import time_machine
from django.db import models
from django.db.models import Max
from django.utils import timezone

from aftersales.accounts.models import Organisation, Role, User
from aftersales.accounts.services import membership_grant, organisation_create
from aftersales.core.records import synthetic
from aftersales.demo import records
from aftersales.demo.generate import Window, frames_for, window_for
from aftersales.demo.stories import STORIES
from aftersales.records.models import RECORD_MODELS, StatusEvent, WorkOrder
from aftersales.records.selectors import kpi_report

from ..conftest import make_code

SH = ZoneInfo("Asia/Shanghai")
PLANNED = {"promised_arrival_at", "deadline_at"}  # an appointment or a deadline may lie ahead
CALENDAR_END = date(2026, 12, 31)


def _latest(frame: pl.DataFrame) -> datetime | None:
    cols = [c for c, t in frame.schema.items() if t == pl.Datetime("us") and c not in PLANNED]
    return frame.select(pl.max_horizontal(pl.col(cols).max())).item() if frame.height else None


@pytest.mark.parametrize(
    "now",
    [datetime(2026, 11, 1, 0, 5), datetime(2026, 11, 3, 9, 30), datetime(2026, 7, 16, 23, 59), datetime(2027, 2, 1)],
)
def test_no_generated_record_is_dated_after_the_moment_of_loading(now):
    window = window_for(now, start=synthetic.start_for(now.date(), last_day=CALENDAR_END), span_days=300,
                        last_day=CALENDAR_END)  # fmt: skip
    assert window.cap <= now and window.cap <= datetime(2026, 12, 31, 23, 59)
    for name, story in STORIES.items():
        frames = frames_for(story, window)
        for frame in (frames.work_orders, frames.complaints, frames.return_visits, frames.surveys):
            latest = _latest(frame)
            assert latest is None or latest <= window.cap, (name, latest, window.cap)
        if story.last_day:  # the business moved: nothing after its last day
            assert _latest(frames.work_orders) <= datetime.combine(story.last_day, datetime.max.time())
        if story.first_day and frames.work_orders.height:
            assert frames.work_orders["received_at"].min() >= datetime.combine(story.first_day, datetime.min.time())


def test_a_window_that_does_not_run_forward_is_refused():
    start = datetime(2026, 1, 1)
    with pytest.raises(ValueError, match="runs forward"):
        Window(start=start, end=start, cap=start + timedelta(days=1))
    with pytest.raises(ValueError, match="ends by its cap"):
        Window(start=start, end=start + timedelta(days=10), cap=start + timedelta(days=5))


FROZEN = datetime(2026, 11, 3, 9, 30, tzinfo=SH)  # early in a month: October's follow-ups are not all done
NAMES = ("杭州海川家电有限公司", "佛山市顺德区恒泰厨具有限公司", "厦门鹭岛小家电有限公司", "天津津门电器有限公司")


def test_a_demo_load_on_another_day_dates_nothing_after_it(db):
    with time_machine.travel(FROZEN, tick=False):
        for n, name in enumerate(NAMES, start=1):
            org = organisation_create(kind=Organisation.Kind.ENTERPRISE, name=name, credit_code=make_code(900 + n),
                                      by_label="test")  # fmt: skip
            user = User.objects.create_user(username=f"admin{n}", password="x-pass-12345")
            membership_grant(user=user, organisation=org, role=Role.ENTERPRISE_ADMIN, by_label="test")
        records.load(stdout=io.StringIO())
        now = timezone.now()
        report = kpi_report(Organisation.objects.get(name=NAMES[0]), date_from=None, date_to=None)
    assert now == FROZEN
    for model in (*RECORD_MODELS.values(), StatusEvent):
        for f in model._meta.get_fields():
            if isinstance(f, models.DateTimeField) and f.name not in PLANNED:
                latest = model.objects.aggregate(m=Max(f.name))["m"]
                assert latest is None or latest <= FROZEN, (model.__name__, f.name, latest)
    latest = {}
    for name in NAMES:
        received = WorkOrder.objects.filter(enterprise__name=name).aggregate(m=Max("received_at"))["m"]
        assert received is not None, name
        latest[name] = timezone.localtime(received).date()
    # records run until the end of last month (October); the moved business's until its last day
    assert latest[NAMES[0]] >= date(2026, 10, 25)
    assert latest[NAMES[3]] <= date(2026, 4, 30)
    # some of October's work orders are still open on 3 November: their completion has not happened yet
    assert WorkOrder.objects.filter(enterprise__name=NAMES[1], status="open").exists()
    assert report.get("arrival_on_time").value >= Decimal("0.95")

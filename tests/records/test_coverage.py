"""record_coverage: which required months hold records of each kind, by the enterprise's local
(Asia/Shanghai) months, in one query whatever the number of records."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.records.models import Complaint, RecordImport, ReturnVisit, WorkOrder
from aftersales.records.selectors import record_coverage

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
AS_OF = date(2026, 5, 10)  # three months required: 2026-02, 2026-03, 2026-04


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def ri(world):
    return RecordImport.objects.create(
        enterprise=world["enterprise"],
        kind="work_order",
        file_name="x.csv",
        file_size=1,
        file_sha256="0" * 64,
        mapping_name="m",
        mapping_sha256="0" * 64,
        mapping_text="",
        created_by_label="t",
        status="done",
        finished_at="2026-05-01T00:00:00Z",
    )


def work_order(world, ri, n: int, received: datetime) -> WorkOrder:
    return WorkOrder.objects.create(
        enterprise=world["enterprise"],
        import_batch=ri,
        external_id=f"W{n}",
        received_at=received,
        product="空调",
        status="resolved",
    )


def test_it_finds_the_months_by_local_time(world, ri):
    work_order(world, ri, 1, at(2026, 2, 1, 0, 30))  # 2026-01-31 16:30 UTC: February in Shanghai
    work_order(world, ri, 2, at(2026, 3, 31, 23, 59))
    work_order(world, ri, 3, at(2026, 5, 1, 0, 0))  # this month: not a required one
    work_order(world, ri, 4, at(2026, 1, 31, 23, 59))  # before the required months
    Complaint.objects.create(
        enterprise=world["enterprise"],
        import_batch=ri,
        external_id="C1",
        received_at=at(2026, 4, 30, 23),
        category="维修服务",
        status="closed",
    )
    cov = record_coverage(world["enterprise"], as_of=AS_OF, months=3)
    assert cov.months == ("2026-02", "2026-03", "2026-04")
    assert sorted(cov.present.get("work_order", ())) == ["2026-02", "2026-03"]
    assert sorted(cov.present.get("complaint", ())) == ["2026-04"]
    assert not cov.present.get("return_visit") and not ReturnVisit.objects.exists()
    assert cov.missing["return_visit"] == ["2026-02", "2026-03", "2026-04"]


def test_it_reads_once_whatever_the_number_of_records(world, ri):
    def queries() -> int:
        with CaptureQueriesContext(connection) as q:
            record_coverage(world["enterprise"], as_of=AS_OF, months=3)
        return len(q)

    work_order(world, ri, 0, at(2026, 3, 5, 12))
    few = queries()
    for n in range(1, 40):
        work_order(world, ri, n, at(2026, 2 + n % 3, 1 + n % 28, 9))
    assert queries() == few == 1

"""The CB admin's "to report" queue: plans due before their audit first, the export of what is due,
and a fixed number of queries whatever the queue holds."""

from datetime import date

import pytest
from django.urls import reverse

from aftersales.regulator.models import RegulatorExport, ReportedRecord
from tests.audits.factories import START, case_at
from tests.certificates.factories import new_enterprise

from .helpers import at, certified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(world["people"]["cb_admin"])
    return client


def rows_of(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('<tr data-sheet="')[1:]]


def test_a_plan_sent_to_the_enterprise_is_due_before_its_audit_and_listed_first(admin, world):
    with at(2026, 11, 20):
        certified(world, enterprise=new_enterprise())  # a certificate and its result, due 12-10
    with at(2026, 12, 1):
        case = case_at(world, "planned")  # the plan is sent: its audit starts on START
        html = admin.get(reverse("regulator_queue")).content.decode()
    assert case.audit.start_date == START
    assert rows_of(html)[0] == "plans"  # before the others, although they were recorded earlier
    assert case.reference in html and "2026-12-06" in html  # due the day before the audit
    assert "before the audit" in html


def test_exporting_the_queue_reports_each_row_and_empties_the_queue(admin, world):
    with at(2026, 12, 1):
        case = case_at(world, "planned")
        response = admin.post(reverse("regulator_queue_export"), {"channel": "xlsx"})
        assert response.status_code == 302
        export = RegulatorExport.objects.get()
        assert export.generated_by == world["people"]["cb_admin"] and export.scope == "due"
        record = ReportedRecord.objects.get(kind="plan")
        assert (record.object_id, record.row, record.due_on) == (case.audit.pk, 2, date(2026, 12, 6))
        html = admin.get(reverse("regulator_queue")).content.decode()
    assert rows_of(html) == [] and "Nothing is due" in html


def test_an_overdue_plan_is_marked(admin, world):
    with at(2026, 12, 1):
        case_at(world, "planned")
    with at(2026, 12, 8):
        html = admin.get(reverse("regulator_queue")).content.decode()
    assert "is-overdue" in html and "1 overdue" in html


def test_the_queue_page_query_count_does_not_grow_with_the_rows(admin, world, django_assert_max_num_queries):
    with at(2026, 11, 20):
        certified(world)
        with django_assert_max_num_queries(40) as q:
            admin.get(reverse("regulator_queue"))
        n = len(q.captured_queries)
        for _ in range(3):
            certified(world, enterprise=new_enterprise())
        with django_assert_max_num_queries(n):
            html = admin.get(reverse("regulator_queue")).content.decode()
    assert len(rows_of(html)) == 12  # four plans, four certificates, four results

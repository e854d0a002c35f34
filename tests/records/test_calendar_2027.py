"""On 2027-01-15, with no holiday table for 2027 (chinesecalendar 1.11 ends with 2026, no State
Council notice found for 2027, no BUSINESS_CALENDAR_FILE): the demo's records load, the KPIs and
the eligibility signal work, and the KPI page says that 2027 counts Monday to Friday only."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from aftersales.accounts.models import Organisation, Role, User
from aftersales.accounts.services import membership_grant, organisation_create
from aftersales.certification.selectors import eligibility_of
from aftersales.core.records.calendar import CalendarRangeError
from aftersales.demo import records as demo_records
from aftersales.records import selectors
from aftersales.records.models import RecordImport
from tests.certification.helpers import make_case
from tests.conftest import make_code

pytestmark = pytest.mark.django_db

JAN_15_2027 = datetime(2027, 1, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def in_2027(settings):
    settings.BUSINESS_CALENDAR_FILE = ""
    with time_machine.travel(JAN_15_2027, tick=False):
        yield


def test_it_assumes_monday_to_friday_for_this_year_and_refuses_later_ones(in_2027):
    cal = selectors.business_calendar()
    assert cal.assumed_years == (2027,) and cal.id == "cn-workday-2027-assumed.1"
    assert "2027: Monday to Friday, public holidays and 调休 days not known" in cal.source
    assert cal.is_workday(date(2027, 1, 1))  # New Year's Day, a Friday: not known to be a holiday
    assert not cal.is_workday(date(2027, 1, 2))  # a Saturday
    assert not cal.is_workday(date(2026, 10, 1))  # 2026 is the package's, holidays included
    with pytest.raises(CalendarRangeError):
        cal.is_workday(date(2028, 1, 3))


def test_the_demo_records_the_kpis_and_eligibility_work_on_15_january_2027(in_2027, client, world):
    name = next(iter(getattr(demo_records, "STORIES", None) or demo_records.PLANS))  # the demo's first enterprise
    enterprise = organisation_create(
        kind=Organisation.Kind.ENTERPRISE, name=name, credit_code=make_code(7), by_label="t"
    )
    admin = User.objects.create_user(username="demo_admin", password="x-pass-12345")
    membership_grant(user=admin, organisation=enterprise, role=Role.ENTERPRISE_ADMIN, by_label="t")

    demo_records.load(stdout=io.StringIO())  # the records part of load_demo, for one enterprise

    assert RecordImport.objects.filter(enterprise=enterprise, status="done").exists()
    coverage = selectors.record_coverage(enterprise, as_of=date(2027, 1, 15))
    assert coverage.months[-1] == "2026-12" and coverage.missing == {}  # the eligibility signal
    case = make_case(world, enterprise=enterprise)  # an application of that enterprise, as of 2027-01-15
    rules = {r.code: r for r in eligibility_of(case, as_of=date(2027, 1, 15)).rules}
    assert rules["records"].passed, rules["records"]
    report = selectors.kpi_report(enterprise, date_from=None, date_to=None)
    assert report.calendar_id == "cn-workday-2027-assumed.1"

    client.force_login(admin)
    page = client.get(reverse("records_kpis", args=[enterprise.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    if "kpi-pending" in text:  # figures computed in the background: ask again once they are stored
        text = client.get(reverse("records_kpis", args=[enterprise.pk])).content.decode()
    assert "outside business calendar" not in text
    assert "cn-workday-2027-assumed.1" in text
    assert 'id="kpi-calendar-assumed"' in text and "every Monday to Friday of 2027" in text

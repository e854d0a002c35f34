"""BUSINESS_CALENDAR_FILE: the operator adds the next year's days off and 调休 working days before
the chinesecalendar package has them; a file that cannot be used is named at start-up and on the
KPI page and API, never a stack trace."""

from datetime import date

import pytest
from django.core import checks
from django.urls import reverse

from aftersales.records import selectors
from aftersales.records.checks import business_calendar_file

pytestmark = pytest.mark.django_db

GOOD = "years:\n  2027:\n    holidays: [2027-01-01]\n    workdays: []\n"  # made up for the test


@pytest.fixture
def calendar_file(tmp_path, settings):
    path = tmp_path / "calendar-2027.yaml"
    settings.BUSINESS_CALENDAR_FILE = str(path)
    return path


def test_the_file_extends_the_calendar_the_kpis_use(calendar_file):
    calendar_file.write_text(GOOD)
    cal = selectors.business_calendar()
    assert cal.last_day == date(2027, 12, 31) and cal.id == "cn-workday-2027-local.1"
    assert not cal.is_workday(date(2027, 1, 1))
    assert business_calendar_file() == []


def test_a_changed_file_is_read_again(calendar_file):
    calendar_file.write_text(GOOD)
    assert not selectors.business_calendar().is_workday(date(2027, 1, 1))
    calendar_file.write_text(GOOD.replace("2027-01-01", "2027-01-04"))
    import os

    os.utime(calendar_file, ns=(1, 2))  # another modification time, whatever the clock's resolution
    cal = selectors.business_calendar()
    assert cal.is_workday(date(2027, 1, 1)) and not cal.is_workday(date(2027, 1, 4))


def test_a_bad_file_is_an_error_at_start_up_naming_each_entry(calendar_file):
    calendar_file.write_text("years:\n  2027:\n    holidays: [2027-02-30]\n    workdays: [2027-01-04]\n")
    errors = business_calendar_file()
    assert [e.id for e in errors] == ["records.E001", "records.E001"]
    assert all(isinstance(e, checks.Error) for e in errors)
    assert "years.2027.holidays[1]" in errors[0].msg and "2027-02-30" in errors[0].msg
    assert "years.2027.workdays[1]" in errors[1].msg and "Saturday or Sunday" in errors[1].msg


def test_a_missing_file_is_named(calendar_file):
    errors = business_calendar_file()
    assert len(errors) == 1 and "cannot be read" in errors[0].msg and str(calendar_file) in errors[0].msg


def test_a_file_the_package_has_caught_up_with_is_a_warning(calendar_file):
    calendar_file.write_text("years:\n  2026:\n    holidays: [2026-01-01]\n")
    (warning,) = business_calendar_file()
    assert warning.id == "records.W001" and isinstance(warning, checks.Warning)


def test_the_kpi_page_and_api_show_what_is_wrong_with_the_file(client, world, calendar_file):
    calendar_file.write_text("years: [")
    client.force_login(world["people"]["ent_admin"])
    ent = world["enterprise"].pk
    page = client.get(reverse("records_kpis", args=[ent]))
    assert page.status_code == 200
    assert "calendar-2027.yaml" in page.content.decode()
    api = client.get(f"/api/records/{ent}/kpis")
    assert api.status_code == 422 and "calendar-2027.yaml" in api.json()["detail"]

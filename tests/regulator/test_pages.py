"""The CB's regulator report page: log, export form, reminder state, download."""

import hashlib
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.certificates.models import Reminder
from aftersales.regulator.models import RegulatorExport
from aftersales.regulator.reminders import reminder_key
from aftersales.regulator.selectors import last_month
from aftersales.regulator.services import regulator_export

from .helpers import OCTOBER, SEPTEMBER, at, certified, other_cb_case, september_october, unscoped

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, world, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(world["people"]["cb_admin"])
    return client


def test_it_shows_the_log_and_offers_last_month(admin, world):
    september_october(world)
    export = regulator_export(cb=world["cb"], month=OCTOBER, by=world["people"]["cb_admin"])
    page = admin.get(reverse("regulator_home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "2026-10" in html and export.sha256[:12] in html
    assert reverse("regulator_download", args=[export.pk]) in html
    assert f'value="{last_month(timezone.localdate()):%Y-%m}"' in html


def test_it_exports_a_month_and_logs_who(admin, world):
    september_october(world)
    response = admin.post(reverse("regulator_export"), {"month": "2026-10"})
    assert response.status_code == 302
    export = RegulatorExport.objects.get()
    assert export.generated_by == world["people"]["cb_admin"]
    assert export.counts["证书信息表"] == 1


def test_an_invalid_report_shows_its_problems_and_writes_nothing(admin, world):
    unscoped(world)
    response = admin.post(reverse("regulator_export"), {"month": f"{timezone.localdate():%Y-%m}"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "sheet 证书信息表, row 2, column 认证覆盖的业务范围: required cell is empty" in html
    assert not RegulatorExport.objects.exists()


def test_a_bad_month_is_refused(admin, world):
    response = admin.post(reverse("regulator_export"), {"month": "October"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.content.decode()
    assert not RegulatorExport.objects.exists()


def test_it_downloads_the_stored_file(admin, world):
    export = regulator_export(cb=world["cb"], month=OCTOBER, by_label="test")
    response = admin.get(reverse("regulator_download", args=[export.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == export.sha256
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_another_cbs_export_is_not_found(admin, world):
    other_cb, _ = other_cb_case(world)
    export = regulator_export(cb=other_cb, month=OCTOBER, by_label="test")
    assert admin.get(reverse("regulator_download", args=[export.pk])).status_code == 404


def test_it_shows_the_reminder_state(admin, world):
    with at(2026, 11, 20):
        certified(world)
    month = date(2026, 11, 1)
    Reminder.objects.create(
        key=reminder_key(world["cb"], month),
        kind=Reminder.Kind.REGULATOR_REPORT,
        organisation=world["cb"],
        due_on=timezone.localdate(),
        subject="s",
        body="b",
        recipients=["a@b.cn"],
    )
    with at(2026, 12, 3):
        html = admin.get(reverse("regulator_home")).content.decode()
    assert "Reminder sent on" in html and "1 recipient(s)" in html
    assert "not been exported" in html or "not exported yet" in html


def test_the_log_page_query_count_does_not_grow(admin, world, django_assert_max_num_queries):
    regulator_export(cb=world["cb"], month=OCTOBER, by_label="test")
    with django_assert_max_num_queries(30) as q:
        admin.get(reverse("regulator_home"))
    n = len(q.captured_queries)
    for _ in range(3):
        regulator_export(cb=world["cb"], month=OCTOBER, by=world["people"]["cb_admin"])
    with django_assert_max_num_queries(n):
        admin.get(reverse("regulator_home"))


def test_an_export_lists_the_records_it_carried_with_their_rows(admin, world, django_assert_max_num_queries):
    case, certificate = september_october(world)
    export = regulator_export(cb=world["cb"], month=OCTOBER, by_label="test")
    with django_assert_max_num_queries(30) as q:
        html = admin.get(reverse("regulator_export_detail", args=[export.pk])).content.decode()
    assert f"{case.reference}-R1" in html and f"{certificate.number} v1" in html
    assert f"{certificate.number} → suspended" in html
    assert html.count('data-kind="') == 3
    september = regulator_export(cb=world["cb"], month=SEPTEMBER, by_label="test")
    assert case.reference in admin.get(reverse("regulator_export_detail", args=[september.pk])).content.decode()
    other_cb, _ = other_cb_case(world)
    elsewhere = regulator_export(cb=other_cb, month=OCTOBER, by_label="test")
    assert admin.get(reverse("regulator_export_detail", args=[elsewhere.pk])).status_code == 404
    assert len(q.captured_queries) < 30

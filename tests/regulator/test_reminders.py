"""The reminder before the monthly report is due: once, only when due, only while records of the
month are unreported."""

from datetime import date

import pytest

from aftersales.certificates.models import Reminder
from aftersales.regulator.reminders import regulator_reminders, report_due_on
from aftersales.regulator.services import regulator_export
from tests.policy import install_policy

from .helpers import OCTOBER, at, september_october

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_mail(world):
    admin = world["people"]["cb_admin"]
    admin.email = "admin@cb.example.cn"
    admin.save(update_fields=["email"])
    return admin.email


def test_the_report_is_due_on_the_configured_day(settings):
    assert report_due_on(date(2026, 11, 3)) == date(2026, 11, 10)
    install_policy(settings, {"regulator_report.due_day": 31})
    assert report_due_on(date(2026, 2, 3)) == date(2026, 2, 28)


def test_it_reminds_nobody_before_the_window(world, admin_mail, mailoutbox):
    assert regulator_reminders(date(2026, 11, 4)) == []
    assert not Reminder.objects.exists()
    assert mailoutbox == []


@pytest.fixture
def october(world):
    """Records in October (a certificate, its result, a suspension)."""
    return september_october(world)


def test_a_month_without_records_needs_no_reminder(world, admin_mail):
    assert regulator_reminders(date(2026, 11, 5)) == []


def test_a_month_reported_through_the_queue_needs_no_reminder(world, october, admin_mail):
    with at(2026, 11, 2):
        regulator_export(cb=world["cb"], by_label="test")
    assert regulator_reminders(date(2026, 11, 5)) == []


def test_it_reminds_the_cb_admins_once_when_due(world, october, admin_mail, mailoutbox):
    [reminder] = regulator_reminders(date(2026, 11, 5))
    assert reminder.key == f"regulator:{world['cb'].pk}:2026-10"
    assert reminder.kind == Reminder.Kind.REGULATOR_REPORT
    assert reminder.organisation == world["cb"]
    assert reminder.due_on == date(2026, 11, 10)
    assert reminder.recipients == [admin_mail]
    assert reminder.sent_at is not None
    [mail] = mailoutbox
    assert mail.to == [admin_mail]
    assert "2026-10" in mail.subject and "2026-11-10" in mail.subject
    assert regulator_reminders(date(2026, 11, 6)) == []
    assert regulator_reminders(date(2026, 11, 10)) == []
    assert Reminder.objects.count() == 1
    assert len(mailoutbox) == 1


def test_it_does_not_remind_when_last_month_is_exported(world, october, admin_mail, mailoutbox):
    with at(2026, 11, 3):
        regulator_export(cb=world["cb"], month=OCTOBER, by_label="test")
    assert regulator_reminders(date(2026, 11, 7)) == []
    assert mailoutbox == []


def test_it_does_not_remind_after_the_due_day(world, october, admin_mail):
    assert regulator_reminders(date(2026, 11, 11)) == []


def test_the_window_follows_the_settings(world, october, admin_mail, settings):
    install_policy(settings, {"regulator_report.due_day": 15, "regulator_report.reminder_days": 2})
    assert regulator_reminders(date(2026, 11, 12)) == []
    assert len(regulator_reminders(date(2026, 11, 13))) == 1

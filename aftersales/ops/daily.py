"""The daily job: the certificate cycle, then what the layers above it do each day."""

from __future__ import annotations

from datetime import date

from aftersales.certificates.cycle.job import CycleReport, cycle_run
from aftersales.notifications.daily import notifications_daily
from aftersales.records.tasks import record_imports_interrupted
from aftersales.regulator.reminders import regulator_reminders

from .chains import ChainReport, chains_anchor


def daily_run(*, today: date | None = None, by_label: str = "cycle job") -> tuple[CycleReport, ChainReport]:
    """Idempotent (a second run on the same day sends and changes nothing): the certificate cycle
    (expiry, missed surveillances, reminders), the regulator's reminders, imports whose process
    died marked so, the day's notifications (docs/notifications.md), and the chain heads the
    checkpoint log lacks signed (only of chains that agree with their links)."""
    report = cycle_run(today=today, by_label=by_label)
    report.regulator = [r.key for r in regulator_reminders(report.today)]
    record_imports_interrupted()  # imports whose process was killed: say so instead of "running" forever
    notices = notifications_daily(today=report.today)  # deadlines coming or passed, reminders in the app, digests
    report.notified, report.digests = notices.rectification + notices.reminders, notices.digests
    return report, chains_anchor()

"""System checks of the records app: a BUSINESS_CALENDAR_FILE that cannot be used is reported when
the site starts (`manage.py check`, `migrate`, `runserver`), not first on a KPI page."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from aftersales.core.problems import ProblemsError


@checks.register()
def business_calendar_file(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if not settings.BUSINESS_CALENDAR_FILE:
        return []
    from .selectors import business_calendar

    try:
        calendar = business_calendar()
    except ProblemsError as exc:
        return [
            checks.Error(p.located("en"), hint="docs/records.md, section 3", id="records.E001") for p in exc.problems
        ]
    if "-local" not in calendar.id:
        return [
            checks.Warning(
                f"BUSINESS_CALENDAR_FILE adds no year: {calendar.source}",
                hint="the chinesecalendar package has every year of the file now; the setting can go",
                id="records.W001",
            )
        ]
    return []

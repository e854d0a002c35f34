"""The business calendar behind a KPI report, for the page to state its source and assumptions."""

from django import template

from aftersales.core.problems import ProblemsError
from aftersales.core.records.calendar import BusinessCalendar
from aftersales.records.selectors import business_calendar

register = template.Library()


@register.filter
def calendar_named(calendar_id: str) -> BusinessCalendar | None:
    """The calendar in use if it is the one named `calendar_id` (a report computed before a change
    of calendar names another: nothing is said about it rather than something wrong)."""
    try:
        calendar = business_calendar()
    except ProblemsError:
        return None
    return calendar if calendar.id == calendar_id else None

"""Bounded request parameters, one rule for pages and forms and the API (aftersales/core/bounds.py).

`BoundedDateField` refuses a date outside its range with a message naming the range (its widget,
`IsoDateInput`, writes the ISO value a date input needs in every language), `CountField` and
`IdField` a number the database cannot hold; `ApiPage`,
`ApiPageSize`, `ApiDate`, `ApiRecordsDate` and `ApiCount` are the API's types for the same rules (ninja answers
422 with the range); `page_number` reads a page number from a query string for a Paginator.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from aftersales.core.bounds import (
    COUNT_MAX,
    DATE_MAX,
    DATE_MIN,
    ID_MAX,
    PAGE_MAX,
    PAGE_SIZE_MAX,
    RECORDS_DATE_MIN,
    date_in_bounds,
)

ApiPage = Annotated[int, Field(ge=1, le=PAGE_MAX)]
ApiPageSize = Annotated[int, Field(ge=1, le=PAGE_SIZE_MAX)]
ApiDate = Annotated[date, Field(ge=DATE_MIN, le=DATE_MAX)]
ApiRecordsDate = Annotated[date, Field(ge=RECORDS_DATE_MIN, le=DATE_MAX)]
# A count stored in a PositiveIntegerField: larger numbers fail on PostgreSQL (integer out of range).
ApiCount = Annotated[int, Field(ge=0, le=COUNT_MAX)]


class IsoDateInput(forms.DateInput):
    """`<input type="date">` with its value in ISO `YYYY-MM-DD`, the only form the browser takes: the
    language's own date format (zh-Hans `2026/12/15`) is dropped by the browser and the date lost."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    """A date from `first` to `last` (default 1900-01-01 … 2999-12-31), entered in a date input."""

    widget = IsoDateInput

    def __init__(self, *args, first: date = DATE_MIN, last: date = DATE_MAX, **kwargs):
        self.first, self.last = first, last
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and not date_in_bounds(value, first=self.first, last=self.last):
            raise forms.ValidationError(
                _("Give a date from %(first)s to %(last)s."),
                code="date_out_of_bounds",
                params={"first": self.first.isoformat(), "last": self.last.isoformat()},
            )


class CountField(forms.IntegerField):
    """A whole number a PositiveIntegerField can hold (0 … COUNT_MAX unless narrower bounds are given)."""

    def __init__(self, *args, min_value: int = 0, max_value: int = COUNT_MAX, **kwargs):
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)


class IdField(forms.IntegerField):
    """The id of a row picked in a form (1 … ID_MAX): a larger number is refused, not sent to the database."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=ID_MAX, **kwargs)


def RecordsDateField(*args, **kwargs) -> BoundedDateField:
    """A date of service records: from 2000-01-01 (docs/records.md §2.3)."""
    return BoundedDateField(*args, first=RECORDS_DATE_MIN, **kwargs)


def page_number(value: object) -> int:
    """A page number for `Paginator.get_page`: 1 unless a whole number from 1 to PAGE_MAX (the
    paginator then answers the last page for a number past it)."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > len(str(PAGE_MAX)):
        return 1
    return max(1, min(int(text), PAGE_MAX))

"""The bounds of what a request or a file may say: page numbers and dates.

A page of 9223372036854775807 overflows the database's OFFSET; a period ending 9999-12-31 overflows
`date + 1 day`; a record dated 0001-01-01 breaks every later computation on it. One rule per kind
of value, used by the forms, the API and the records import (docs/security.md, docs/records.md).
"""

from __future__ import annotations

from datetime import date

PAGE_MAX = 100_000  # far beyond any list's last page; larger numbers are refused, not clamped
PAGE_SIZE_MAX = 500
COUNT_MAX = 2_147_483_647  # a PositiveIntegerField's largest value on PostgreSQL
ID_MAX = 9_223_372_036_854_775_807  # a BigAutoField's
DATE_MIN = date(1900, 1, 1)  # any date a person enters (a company's registration, an audit day)
DATE_MAX = date(2999, 12, 31)
RECORDS_DATE_MIN = date(2000, 1, 1)  # service records and their periods (KPIs, lists, samples)


def date_in_bounds(value: date, *, first: date = DATE_MIN, last: date = DATE_MAX) -> bool:
    return first <= value <= last

"""The audits app's settings, with their documented defaults.

- AUDIT_CONFLICT_YEARS (2): a declared link with the client within this many years bars an auditor.
- AUDIT_MAX_CONSECUTIVE_LEADS (2): whoever led the client's last N audits may not audit it now.
- AUDIT_RECTIFICATION_DAYS ({"major": 30, "minor": 60}): calendar days the enterprise has to
  rectify a nonconformity, counted from the day rectification starts. The shipped schemes do not
  state a deadline; a scheme that does will take precedence once the scheme format carries it.
"""

from __future__ import annotations

from django.conf import settings

from aftersales.core.impartiality import DEFAULT_CONFLICT_YEARS, DEFAULT_MAX_CONSECUTIVE_LEADS

DEFAULT_RECTIFICATION_DAYS = {"major": 30, "minor": 60}


def conflict_years() -> int:
    return int(getattr(settings, "AUDIT_CONFLICT_YEARS", DEFAULT_CONFLICT_YEARS))


def max_consecutive_leads() -> int:
    return int(getattr(settings, "AUDIT_MAX_CONSECUTIVE_LEADS", DEFAULT_MAX_CONSECUTIVE_LEADS))


def rectification_days(grade: str, scheme=None) -> int:
    """Days to rectify a nonconformity of this grade: the scheme's parameter if it has one, else the setting."""
    from_scheme = getattr(getattr(scheme, "parameters", None), "rectification_days", None)
    if from_scheme and grade in from_scheme:
        return int(from_scheme[grade])
    days = {**DEFAULT_RECTIFICATION_DAYS, **getattr(settings, "AUDIT_RECTIFICATION_DAYS", {})}
    return int(days[grade])

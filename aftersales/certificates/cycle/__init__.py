"""The certificate's cycle after issue: surveillance, recertification, reminders, expiry.

services.py (open and decide surveillances, recertification), job.py (the cycle's part of the daily
job), selectors.py and views.py (the CB's cycle dashboard), cli.py (`aftersales cycle due`).
"""

from .job import CycleReport, cycle_run, recertification_opens
from .services import (
    CycleRefused,
    baseline_for,
    decision_recorded,
    recertification_open,
    surveillance_decided,
    surveillance_open,
    surveillance_proposal_answer,
)

__all__ = [
    "CycleRefused",
    "CycleReport",
    "baseline_for",
    "cycle_run",
    "decision_recorded",
    "recertification_open",
    "recertification_opens",
    "surveillance_decided",
    "surveillance_open",
    "surveillance_proposal_answer",
]

"""core.cycle.surveillance_state: the one rule for where a certificate stands with its surveillance
audits on a day (the cycle page, the certificate list and page, the API and the registry ask it)."""

from dataclasses import dataclass
from datetime import date

import pytest

from aftersales.core.concepts import ProposalState, SurveillanceStanding
from aftersales.core.cycle import surveillance_state

DUE, LATE, MISSED, NONE = SurveillanceStanding.DUE, SurveillanceStanding.OVERDUE, SurveillanceStanding.MISSED, None


@dataclass
class Row:
    due_by: date
    state: str = "planned"
    window_opens: date | None = None
    done_on: date | None = None
    proposal_answer: str = ""

    def __post_init__(self):
        self.window_opens = self.window_opens or date(self.due_by.year - 1, 10, self.due_by.day)


FIRST, SECOND = date(2026, 12, 1), date(2027, 12, 1)


def test_the_next_surveillance_is_due_until_its_date_then_overdue():
    rows = [Row(FIRST), Row(SECOND)]
    before = surveillance_state(rows, date(2025, 9, 30))
    assert (before.standing, before.due_by, before.window_open) == (DUE, FIRST, False)
    opened = surveillance_state(rows, date(2025, 10, 1))
    assert (opened.standing, opened.window_open) == (DUE, True)
    on_the_day = surveillance_state(rows, FIRST)
    assert (on_the_day.standing, on_the_day.due_by, on_the_day.late) == (DUE, FIRST, False)
    after = surveillance_state(rows, date(2026, 12, 2))
    assert (after.standing, after.due_by, after.late, after.proposal) == (LATE, FIRST, True, None)


def test_an_overdue_surveillance_keeps_its_date_and_not_the_next_one_s():
    """The bug of issue 23: a missed 2026-12-01 surveillance read as "next due 2027-12-01"."""
    state = surveillance_state([Row(FIRST, "missed"), Row(SECOND)], date(2026, 12, 7))
    assert (state.standing, state.due_by, state.proposal) == (MISSED, FIRST, ProposalState.PENDING)
    assert state.public_standing is LATE


@pytest.mark.parametrize(
    ("answer", "proposal"),
    [("", ProposalState.PENDING), ("suspended", ProposalState.SUSPENDED), ("waived", ProposalState.WAIVED)],
)
def test_a_missed_surveillance_carries_the_cb_s_answer_to_its_proposal(answer, proposal):
    state = surveillance_state([Row(FIRST, "missed", proposal_answer=answer)], date(2027, 3, 1))
    assert (state.standing, state.proposal) == (MISSED, proposal)


def test_the_earliest_late_surveillance_decides():
    rows = [Row(SECOND, "missed"), Row(FIRST, "opened")]
    state = surveillance_state(rows, date(2028, 1, 1))
    assert (state.standing, state.due_by) == (LATE, FIRST)


def test_done_counts_and_the_cycle_s_end():
    rows = [Row(FIRST, "done", done_on=date(2026, 11, 20)), Row(SECOND, "done", done_on=date(2027, 11, 2))]
    rows.append(Row(date(2028, 12, 1), "cancelled"))
    state = surveillance_state(rows, date(2028, 1, 5))
    assert (state.standing, state.done, state.last_done_on, state.due_by) == (
        SurveillanceStanding.DONE,
        2,
        date(2027, 11, 2),
        None,
    )
    assert surveillance_state([], date(2028, 1, 5)).standing is NONE


def test_a_certificate_no_longer_live_has_nothing_due_but_keeps_its_count():
    rows = [Row(FIRST, "done", done_on=date(2026, 11, 20)), Row(SECOND)]
    state = surveillance_state(rows, date(2028, 1, 5), live=False)
    assert (state.standing, state.due_by, state.done, state.late) == (NONE, None, 1, False)

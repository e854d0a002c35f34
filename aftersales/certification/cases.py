"""The two writes every step of a case goes through: record an event, change the status.

Both lock the case row, append one hash-chained event and update the chain head in the caller's
transaction. Step services (application, review, audit, decision) call them; nothing else writes
`Case.status` or `CaseEvent`.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.core.chain import Break
from aftersales.core.refusal import Refused
from aftersales.events.chain import chain_append, chain_breaks

from .models import TRANSITIONS, Case, CaseEvent


class TransitionRefused(Refused):
    """The case is not in a status that allows this step. str() is a message for the user."""

    def __init__(self, case: Case, to: str, action: str):
        self.case, self.to, self.action = case, to, action
        super().__init__(
            _("Case %(reference)s is “%(status)s”; “%(action)s” is not possible now.")
            % {"reference": case.reference, "status": Case.Status(case.status).label, "action": action}
        )


def case_lock(case: Case) -> Case:
    """The case row locked for this transaction (fresh from the database)."""
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_event_record(
    *,
    case: Case,
    action: str,
    by=None,
    by_label: str = "",
    reason: str = "",
    data: dict | None = None,
    to_status: str = "",
    public: bool = True,
) -> CaseEvent:
    """Append one event to the case's chain (and move it to `to_status` if given, unchecked:
    use `case_transition` for status changes)."""
    locked = case_lock(case)
    event = chain_append(
        locked,
        CaseEvent,
        action=action,
        by=by,
        by_label=by_label,
        reason=reason,
        data=data,
        to_status=to_status,
        public=public,
        save=("updated_at",),
    )
    case.status, case.event_count, case.head_hash = locked.status, locked.event_count, locked.head_hash
    return event


@transaction.atomic
def case_transition(
    *, case: Case, to: str, action: str, by=None, by_label: str = "", reason: str = "", data: dict | None = None
) -> CaseEvent:
    """Move the case to status `to` if TRANSITIONS allows it from its current status, else
    TransitionRefused (nothing changed)."""
    locked = case_lock(case)
    if to not in TRANSITIONS[locked.status]:
        raise TransitionRefused(locked, to, action)
    return case_event_record(case=case, action=action, by=by, by_label=by_label, reason=reason, data=data, to_status=to)


def case_chain_breaks(case: Case) -> list[Break]:
    """Where the case's stored history no longer matches its hashes ([] if intact), including a
    head that does not point at the last event."""
    return chain_breaks(case, CaseEvent)


def case_reference_next(year: int) -> str:
    """The next case number of the year: AS-2026-0001, AS-2026-0002, … (call inside a transaction)."""
    prefix = f"AS-{year}-"
    last = Case.objects.filter(reference__startswith=prefix).order_by("-reference").values_list("reference", flat=True)
    n = int(last[0].removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{n:04d}"

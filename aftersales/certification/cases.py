"""The two writes every step of a case goes through: record an event, change the status.

Both lock the case row, append one hash-chained event and update the chain head in the caller's
transaction. Step services (application, review, audit, decision) call them; nothing else writes
`Case.status` or `CaseEvent`.
"""

from __future__ import annotations

import json
from datetime import UTC

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.certificates.checkpoints import checkpoint_on_commit
from aftersales.core.chain import GENESIS, Break, Link, history_breaks, link_hash
from aftersales.core.refusal import Refused

from .models import TRANSITIONS, Case, CaseEvent


class TransitionRefused(Refused):
    """The case is not in a status that allows this step. str() is a message for the user."""

    def __init__(self, case: Case, to: str, action: str):
        self.case, self.to, self.action = case, to, action
        super().__init__(
            _("Case %(reference)s is “%(status)s”; “%(action)s” is not possible now.")
            % {"reference": case.reference, "status": Case.Status(case.status).label, "action": action}
        )


def _plain(data: dict | None) -> dict:
    """JSON-native form, so the hash computed now equals the one recomputed from the database."""
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))


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
    if by is None and not by_label:
        raise ValueError("an event needs an actor: a user (by=) or a label (by_label=)")
    locked = case_lock(case)
    event = CaseEvent(
        case=locked,
        seq=locked.event_count + 1,
        at=timezone.now().astimezone(UTC),
        actor=by,
        actor_label=by_label or by.get_username(),
        action=action,
        from_status=locked.status if to_status else "",
        to_status=to_status,
        reason=reason,
        data=_plain(data),
        public=public,
        prev_hash=locked.head_hash or GENESIS,
    )
    event.hash = link_hash(event.prev_hash, event.payload(locked.reference))
    event.save()
    locked.event_count, locked.head_hash = event.seq, event.hash
    fields = ["event_count", "head_hash", "updated_at"]
    if to_status:
        locked.status = to_status
        fields.append("status")
    locked.save(update_fields=fields)
    case.status, case.event_count, case.head_hash = locked.status, locked.event_count, locked.head_hash
    checkpoint_on_commit(f"case:{locked.reference}", event.seq, event.hash)
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
    events = CaseEvent.objects.filter(case=case).order_by("seq")
    links = [Link(e.seq, e.prev_hash, e.hash, e.payload(case.reference)) for e in events]
    return history_breaks(links, head_hash=case.head_hash, event_count=case.event_count)


def case_reference_next(year: int) -> str:
    """The next case number of the year: AS-2026-0001, AS-2026-0002, … (call inside a transaction)."""
    prefix = f"AS-{year}-"
    last = Case.objects.filter(reference__startswith=prefix).order_by("-reference").values_list("reference", flat=True)
    n = int(last[0].removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{n:04d}"

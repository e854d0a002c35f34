"""What the appeal pages show of the history: each event with its translated label and statuses."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import Appeal, AppealEvent

ACTIONS = {
    "appeal.lodged": _("lodged"),
    "appeal.handler_assigned": _("handler assigned"),
    "appeal.acknowledged": _("receipt acknowledged"),
    "appeal.review_started": _("review started"),
    "appeal.note": _("investigation note"),
    "appeal.decided": _("outcome recorded"),
    "appeal.withdrawn": _("withdrawn by the enterprise"),
}


def _status(value: str) -> str:
    return str(Appeal.Status(value).label) if value in Appeal.Status.values else value


def history_rows(events) -> list[dict]:
    rows = []
    for e in events:
        e: AppealEvent
        detail = ""
        if e.action == "appeal.handler_assigned":
            detail = e.data.get("handler") or ""
        elif e.action == "appeal.decided":
            outcome = e.data.get("outcome", "")
            detail = str(Appeal.Outcome(outcome).label) if outcome in Appeal.Outcome.values else outcome
        rows.append(
            {
                "e": e,
                "label": ACTIONS.get(e.action, e.action),
                "from": _status(e.from_status) if e.from_status else "",
                "to": _status(e.to_status),
                "detail": detail,
            }
        )
    return rows

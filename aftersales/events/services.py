from django.db import models

from .chain import event_appended_on_commit
from .models import Event


def event_record(
    *, action: str, subject: models.Model, by=None, by_label: str = "", reason: str = "", data: dict | None = None
) -> Event:
    """Record one state change. Call it inside the service's transaction."""
    if by is None and not by_label:
        raise ValueError("an event needs an actor: a user (by=) or a label (by_label=)")
    event = Event.objects.create(
        actor=by,
        actor_label=by_label or by.get_username(),
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        reason=reason,
        data=data or {},
    )
    event_appended_on_commit(event)
    return event

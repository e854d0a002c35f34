"""The one hash-chained event log: an abstract model and the one function that appends to it.

Cases (`certification.CaseEvent`), certificates (`certificates.CertificateEvent`) and appeals
(`appeals.AppealEvent`) each keep a chain of events per owner row. A concrete model names its owner
(`owner_field`, a foreign key it declares) and its chain's kind ("case", "certificate", "appeal");
the owner row carries `status`, `event_count` and `head_hash` and says its key in the chain's name
(`chain_key`, e.g. the case number). What the hash covers is `payload()` — its keys are fixed: a
changed key would break every stored hash (core.chain).

`chain_head_moved` tells the layer above (signed checkpoints, certificates/checkpoints.py) that a
chain has a new head; it is sent inside the appending transaction. `event_appended` hands the new
event to whoever tells people about it (notifications) once the appending transaction commits.
"""

from __future__ import annotations

import json
from datetime import UTC

from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.chain import GENESIS, Break, Link, history_breaks, link_hash

# sent with chain="case:AS-2026-0001", seq, head once an event is appended (inside the transaction)
chain_head_moved = Signal()
# sent with event= (the appended row: a chained event or an events.Event) once its transaction has
# committed; a receiver that fails is logged and changes nothing that was committed
event_appended = Signal()


def event_appended_on_commit(event: models.Model) -> None:
    """Send `event_appended` for `event` after the current transaction commits."""
    transaction.on_commit(lambda: event_appended.send(sender=type(event), event=event), robust=True)


class ChainedEvent(models.Model):
    """One step of an owner's life: who, when, what, why. Append-only and hash-chained per owner."""

    owner_field: str = ""  # the foreign key to the owner ("case", "certificate", "appeal")
    chain_kind: str = ""  # the chain's name prefix and the owner's key in the payload

    seq = models.PositiveIntegerField(_("number"))
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=80)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    # true when the enterprise may see the event (a subclass may word it for its readers)
    public = models.BooleanField(_("visible to the enterprise"), default=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{getattr(self, f'{self.owner_field}_id')}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{self.chain_kind} events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self.chain_kind} events are append-only")

    def payload(self, key: str) -> dict:
        """What the hash covers (`key` is the owner's number)."""
        return {
            self.chain_kind: key,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor_label,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
            "reason": self.reason,
            "data": self.data,
            "public": self.public,
            **self.payload_extra(),
        }

    def payload_extra(self) -> dict:
        """Fields a kind of chain adds to what its hash covers."""
        return {}


def plain(data: dict | None) -> dict:
    """JSON-native form, so the hash computed now equals the one recomputed from the database."""
    return json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))


def chain_append(
    locked: models.Model,
    model: type[ChainedEvent],
    *,
    action: str,
    by=None,
    by_label: str = "",
    reason: str = "",
    data: dict | None = None,
    to_status: str = "",
    from_status: str | None = None,
    public: bool = True,
    save: tuple[str, ...] = (),
    **fields,
) -> ChainedEvent:
    """Append one event to the chain of `locked` (the owner row, locked by the caller in its
    transaction), move the owner's head and, when `to_status` is given, its status (unchecked: the
    caller checks its transitions). `save` names more owner fields the caller changed; `fields` are
    the event's own extra fields (a certificate's `effective_on`). `from_status` defaults to the
    owner's status when the status changes."""
    if by is None and not by_label:
        raise ValueError("an event needs an actor: a user (by=) or a label (by_label=)")
    if from_status is None:
        from_status = locked.status if to_status else ""
    event = model(
        **{model.owner_field: locked},
        seq=locked.event_count + 1,
        at=timezone.now().astimezone(UTC),
        actor=by,
        actor_label=by_label or by.get_username(),
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=plain(data),
        public=public,
        prev_hash=locked.head_hash or GENESIS,
        **fields,
    )
    event.hash = link_hash(event.prev_hash, event.payload(locked.chain_key))
    event.save()
    locked.event_count, locked.head_hash = event.seq, event.hash
    update = ["event_count", "head_hash", *save]
    if to_status:
        locked.status = to_status
        update.append("status")
    locked.save(update_fields=update)
    chain_head_moved.send(sender=model, chain=f"{model.chain_kind}:{locked.chain_key}", seq=event.seq, head=event.hash)
    event_appended_on_commit(event)
    return event


def chain_breaks(owner: models.Model, model: type[ChainedEvent]) -> list[Break]:
    """Where the owner's stored history no longer matches its hashes ([] if intact), including a
    head that does not point at the last event."""
    events = model.objects.filter(**{model.owner_field: owner}).order_by("seq")
    links = [Link(e.seq, e.prev_hash, e.hash, e.payload(owner.chain_key)) for e in events]
    return history_breaks(links, head_hash=owner.head_hash, event_count=owner.event_count)

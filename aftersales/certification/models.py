"""A certification case: one enterprise's way from application to decision with one certification body.

Initial certification, surveillance and recertification are all cases; each has an append-only,
hash-chained event history (`CaseEvent`), so a changed or removed past step is detectable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Organisation
from aftersales.schemes.models import SchemeVersion


class Case(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", _("initial certification")
        SURVEILLANCE = "surveillance", _("surveillance audit")
        RECERTIFICATION = "recertification", _("recertification")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft application")
        SUBMITTED = "submitted", _("submitted, awaiting review")
        INFO_REQUESTED = "info_requested", _("more information requested")
        REFUSED = "refused", _("application refused")
        ACCEPTED = "accepted", _("accepted, quotation sent")
        CONTRACTED = "contracted", _("contract signed")
        PLANNED = "planned", _("audit planned")
        DOCUMENT_REVIEW = "document_review", _("document review")
        AUDIT = "audit", _("audit")
        RECTIFICATION = "rectification", _("rectification")
        REPORTED = "reported", _("audit reported, awaiting decision")
        DECIDED = "decided", _("decided")
        WITHDRAWN = "withdrawn", _("withdrawn")

    reference = models.CharField(_("case number"), max_length=32, unique=True)
    enterprise = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("enterprise")
    )
    cb = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cb_cases", verbose_name=_("certification body")
    )
    scheme_version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, verbose_name=_("scheme"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INITIAL)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("previous case")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # the chain's head, so appending needs no scan of the history
    event_count = models.PositiveIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference


# Which status may follow which. Anything else is refused with a message naming both.
TRANSITIONS: dict[str, frozenset[str]] = {
    Case.Status.DRAFT: frozenset({Case.Status.SUBMITTED, Case.Status.WITHDRAWN}),
    Case.Status.SUBMITTED: frozenset(
        {Case.Status.INFO_REQUESTED, Case.Status.ACCEPTED, Case.Status.REFUSED, Case.Status.WITHDRAWN}
    ),
    Case.Status.INFO_REQUESTED: frozenset({Case.Status.SUBMITTED, Case.Status.WITHDRAWN}),
    Case.Status.REFUSED: frozenset(),
    Case.Status.ACCEPTED: frozenset({Case.Status.CONTRACTED, Case.Status.WITHDRAWN}),
    Case.Status.CONTRACTED: frozenset({Case.Status.PLANNED, Case.Status.WITHDRAWN}),
    Case.Status.PLANNED: frozenset({Case.Status.DOCUMENT_REVIEW, Case.Status.WITHDRAWN}),
    Case.Status.DOCUMENT_REVIEW: frozenset({Case.Status.AUDIT}),
    Case.Status.AUDIT: frozenset({Case.Status.RECTIFICATION, Case.Status.REPORTED}),
    Case.Status.RECTIFICATION: frozenset({Case.Status.REPORTED}),
    # the committee decides, or sends the case back to the audit team
    Case.Status.REPORTED: frozenset({Case.Status.DECIDED, Case.Status.AUDIT}),
    Case.Status.DECIDED: frozenset(),
    Case.Status.WITHDRAWN: frozenset(),
}


class CaseEvent(models.Model):
    """One step of a case: who, when, what, why. Append-only and hash-chained per case."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
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
    # true when the enterprise may see the event (internal CB notes are not)
    public = models.BooleanField(_("visible to the enterprise"), default=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("case events are append-only")

    def payload(self, reference: str) -> dict:
        """What the hash covers (`reference` is the case's number)."""
        return {
            "case": reference,
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor_label,
            "action": self.action,
            "from": self.from_status,
            "to": self.to_status,
            "reason": self.reason,
            "data": self.data,
            "public": self.public,
        }

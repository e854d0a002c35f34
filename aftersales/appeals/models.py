"""Appeals against the certification body's decisions and complaints about its audits and
conduct (ISO/IEC 17065 §7.13 practice).

An `Appeal` is lodged by an enterprise admin about one case: an appeal names the decision it
contests (the committee's `audits.Decision`, or a certificate's suspension or withdrawal, a
`certificates.CertificateEvent`); a complaint names only the case. It moves lodged →
acknowledged → under_review → decided, or is withdrawn by the enterprise before the decision.
Only `appeals.services` writes it; every change appends one hash-chained `AppealEvent` (who, when,
what, why).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Organisation
from aftersales.certification.models import Case
from aftersales.events.chain import ChainedEvent
from aftersales.uploads import RandomName


class Appeal(models.Model):
    class Kind(models.TextChoices):
        APPEAL = "appeal", _("appeal")
        COMPLAINT = "complaint", _("complaint")

    class Status(models.TextChoices):
        LODGED = "lodged", _("lodged")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        UNDER_REVIEW = "under_review", _("under review")
        DECIDED = "decided", _("decided")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("upheld")
        PARTLY_UPHELD = "partly_upheld", _("partly upheld")
        DISMISSED = "dismissed", _("dismissed")

    reference = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("case"))
    # denormalised from the case, for the lists and the access rules
    enterprise = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="appeals")
    cb = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cb_appeals")
    decision = models.ForeignKey(
        "audits.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    certificate_event = models.ForeignKey(
        "certificates.CertificateEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    grounds = models.TextField(_("grounds"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.LODGED)
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lodged_at = models.DateTimeField(_("lodged at"))
    # deadlines, fixed when lodged (calendar days from the settings of that day)
    acknowledge_by = models.DateField(_("acknowledge by"))
    decide_by = models.DateField(_("decide by"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="appeals_handled"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_reasons = models.TextField(_("reasons"), blank=True)
    remedy = models.TextField(_("remedy"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)  # decided or withdrawn
    # the chain's head, so appending needs no scan of the history
    event_count = models.PositiveIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-lodged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="appeal", decision__isnull=False, certificate_event__isnull=True)
                | Q(kind="appeal", decision__isnull=True, certificate_event__isnull=False)
                | Q(kind="complaint", decision__isnull=True, certificate_event__isnull=True),
                name="appeal_names_one_decision",
            ),
            models.CheckConstraint(condition=~Q(grounds=""), name="appeal_has_grounds"),
            models.CheckConstraint(
                condition=Q(status="decided", decided_at__isnull=False) & ~Q(outcome="") & ~Q(outcome_reasons="")
                | ~Q(status="decided") & Q(outcome="", decided_at__isnull=True),
                name="appeal_outcome_when_decided",
            ),
            models.CheckConstraint(condition=Q(decide_by__gte=F("acknowledge_by")), name="appeal_deadlines_ordered"),
            # one open appeal per contested decision
            models.UniqueConstraint(
                fields=["decision"],
                condition=Q(status__in=["lodged", "acknowledged", "under_review"], decision__isnull=False),
                name="appeal_one_open_per_decision",
            ),
            models.UniqueConstraint(
                fields=["certificate_event"],
                condition=Q(status__in=["lodged", "acknowledged", "under_review"], certificate_event__isnull=False),
                name="appeal_one_open_per_certificate_event",
            ),
        ]
        indexes = [
            models.Index(fields=["cb", "status"], name="appeal_cb_status"),
            models.Index(fields=["enterprise", "status"], name="appeal_enterprise_status"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def chain_key(self) -> str:
        """The appeal's name in its event chain ("appeal:AP-2026-0001")."""
        return self.reference


OPEN = frozenset({Appeal.Status.LODGED, Appeal.Status.ACKNOWLEDGED, Appeal.Status.UNDER_REVIEW})

# Which status may follow which. Anything else is refused with a message naming both.
TRANSITIONS: dict[str, frozenset[str]] = {
    Appeal.Status.LODGED: frozenset({Appeal.Status.ACKNOWLEDGED, Appeal.Status.WITHDRAWN}),
    Appeal.Status.ACKNOWLEDGED: frozenset({Appeal.Status.UNDER_REVIEW, Appeal.Status.WITHDRAWN}),
    Appeal.Status.UNDER_REVIEW: frozenset({Appeal.Status.DECIDED, Appeal.Status.WITHDRAWN}),
    Appeal.Status.DECIDED: frozenset(),
    Appeal.Status.WITHDRAWN: frozenset(),
}


class AppealEvent(ChainedEvent):
    """One step of an appeal: who, when, what, why. Append-only and hash-chained per appeal.
    Investigation notes and the assignment of the handler are internal to the certification body
    (public=False)."""

    owner_field = chain_kind = "appeal"

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["appeal", "seq"]
        constraints = [models.UniqueConstraint(fields=["appeal", "seq"], name="appeal_event_seq_unique")]


class AppealFile(models.Model):
    """A file the enterprise lodged with its appeal (checked like application materials, stored
    under a random name outside the web root, served only through `appeal_for`)."""

    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=RandomName("appeals"))
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="appeal_file_not_empty"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="appeal_file_sha256_hex"),
        ]

    def __str__(self) -> str:
        return self.original_name

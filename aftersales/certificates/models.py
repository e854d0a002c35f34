"""Certificates, their versions and status history, the surveillance cycle, reminders, signing keys.

A `Certificate` is the identity that lasts across a three-year cycle and its recertifications (one
number). What it states lives in immutable `CertificateVersion` rows: a level, scope, address or
name change, a recertification or a surveillance that changes the level is a new version, signed
(Ed25519) over its canonical payload. Status changes are append-only, hash-chained
`CertificateEvent` rows; `Certificate.status` is their head, written only by `certificates.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Organisation
from aftersales.certification.models import Case
from aftersales.choices import text_choices
from aftersales.core.concepts import (
    CERTIFICATE_TRANSITIONS,
    LIVE_STATUSES,
    PASSING_LEVELS,
    CertificateStatus,
    VersionReason,
)
from aftersales.events.chain import ChainedEvent


class Certificate(models.Model):
    Status = text_choices(CertificateStatus)  # declared in core.concepts: codes and labels

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    enterprise = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("enterprise")
    )
    cb = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cb_certificates", verbose_name=_("certification body")
    )
    scheme_id = models.CharField(_("scheme"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.VALID)
    status_since = models.DateField(_("status since"))
    first_issued_on = models.DateField(_("first issued on"))
    # the current version, denormalised for the registry's search and lists (written with each version)
    version_count = models.PositiveIntegerField(default=0)
    name = models.CharField(_("enterprise name"), max_length=200)
    name_pinyin = models.CharField(max_length=800, blank=True)  # "hangzhouhaichuandianqi…", search only
    name_initials = models.CharField(max_length=200, blank=True)  # "hzhcdq…", search only
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    level = models.CharField(_("level"), max_length=16)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    # the status chain's head (append without scanning the history)
    event_count = models.PositiveIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-issued_on", "number"]
        constraints = [
            # one live certificate per enterprise and scheme
            models.UniqueConstraint(
                fields=["enterprise", "scheme_id"],
                condition=Q(status__in=[CertificateStatus.VALID.value, CertificateStatus.SUSPENDED.value]),
                name="certificate_one_live_per_enterprise_scheme",
            ),
            models.CheckConstraint(condition=Q(expires_on__gt=models.F("issued_on")), name="certificate_dates_ordered"),
            models.CheckConstraint(
                condition=Q(issued_on__gte=models.F("first_issued_on")), name="certificate_issue_after_first"
            ),
            models.CheckConstraint(
                condition=Q(status__in=list(CertificateStatus.values())),
                name="certificate_status_known",
            ),
            models.CheckConstraint(
                condition=Q(level__in=[level.value for level in PASSING_LEVELS]),
                name="certificate_level_passing",
            ),
        ]
        indexes = [
            models.Index(fields=["credit_code"], name="certificate_credit_code"),
            models.Index(fields=["status", "expires_on"], name="certificate_status_expiry"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_live(self) -> bool:
        """Valid or suspended: the certificate can still change."""
        return self.status in LIVE_STATUSES

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.VALID

    @property
    def is_suspended(self) -> bool:
        return self.status == CertificateStatus.SUSPENDED

    @property
    def chain_key(self) -> str:
        """The certificate's name in its event chain ("certificate:ASC26SC00001J")."""
        return self.number


# Which status may follow which (core.concepts); anything else is refused with a message naming both.
TRANSITIONS = CERTIFICATE_TRANSITIONS


class Immutable(models.Model):
    """Rows written once: saving an existing row or deleting one raises."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are immutable")


class CertificateVersion(Immutable):
    """What the certificate states, from `valid_from` until the next version. Signed."""

    Reason = text_choices(VersionReason)  # declared in core.concepts: codes and labels

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="versions")
    seq = models.PositiveIntegerField(_("version"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)  # why (changes), shown in the history
    # the decision this version comes from (issue, recertification, surveillance, level); none for
    # a change of name or address
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision = models.ForeignKey(
        "audits.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="certificate_versions"
    )
    enterprise_name = models.CharField(_("enterprise name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    address = models.CharField(_("address"), max_length=300)
    scope = models.TextField(_("scope"))
    sites = models.JSONField(_("sites"), default=list)  # [{"name", "address"}]
    scheme_id = models.CharField(max_length=64)
    scheme_version = models.CharField(max_length=64)
    scheme_sha256 = models.CharField(max_length=64)
    level = models.CharField(_("level"), max_length=16)
    score_exact = models.CharField(max_length=64)  # Fraction as "n/d"
    score_display = models.CharField(_("score"), max_length=16)  # the printed score (rounded down)
    cb_name = models.CharField(_("certification body"), max_length=200)
    first_issued_on = models.DateField(_("first issued on"))
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"))
    valid_from = models.DateField(_("valid from"))
    # the canonical JSON that is signed (core.chain.canonical) and its Ed25519 signature
    payload = models.JSONField()
    signature = models.CharField(max_length=128)  # base64url, no padding
    key_id = models.CharField(max_length=32)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["certificate", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "seq"], name="certificate_version_seq_unique"),
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("issued_on")), name="certificate_version_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} v{self.seq}"


class CertificateEvent(ChainedEvent):
    """One step of a certificate's life: issue, version, suspension, restoration, withdrawal,
    cancellation, expiry, surveillance done or missed. Append-only and hash-chained per certificate."""

    owner_field = chain_kind = "certificate"

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="events")
    effective_on = models.DateField(_("effective on"))
    public = models.BooleanField(_("shown in the public registry"), default=True)

    class Meta:
        ordering = ["certificate", "seq"]
        constraints = [models.UniqueConstraint(fields=["certificate", "seq"], name="certificate_event_seq_unique")]

    def payload_extra(self) -> dict:
        return {"effective_on": self.effective_on.isoformat()}


class CertificateCase(models.Model):
    """A case in the certificate's life: the initial certification that issued it, each
    surveillance audit, each recertification."""

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="cases")
    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="certificate_link")
    kind = models.CharField(max_length=16, choices=Case.Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["certificate", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} ← {self.case_id}"


class Surveillance(models.Model):
    """A surveillance audit the cycle requires: due in a window, done by a decided surveillance case,
    or missed (which proposes a suspension to the CB)."""

    class State(models.TextChoices):
        PLANNED = "planned", _("planned")
        OPENED = "opened", _("audit opened")
        DONE = "done", _("done")
        MISSED = "missed", _("missed")
        CANCELLED = "cancelled", _("no longer needed")

    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="surveillances")
    cycle = models.PositiveIntegerField(_("cycle"))  # 1 for the first three years, 2 after a recertification …
    n = models.PositiveIntegerField(_("surveillance"))  # 1st, 2nd in the cycle
    window_opens = models.DateField(_("window opens"))
    due_by = models.DateField(_("due by"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.PLANNED)
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="surveillance")
    done_on = models.DateField(_("done on"), null=True, blank=True)
    missed_on = models.DateField(_("missed on"), null=True, blank=True)
    # the CB's answer to a proposed suspension: "" (none yet) / suspended / waived (with a reason)
    proposal_answer = models.CharField(max_length=12, blank=True)
    proposal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["due_by", "certificate_id"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "cycle", "n"], name="surveillance_unique"),
            models.CheckConstraint(condition=Q(due_by__gte=models.F("window_opens")), name="surveillance_window"),
        ]
        indexes = [models.Index(fields=["state", "due_by"], name="surveillance_state_due")]

    def __str__(self) -> str:
        return f"{self.certificate_id} surveillance {self.cycle}.{self.n}"


class Reminder(models.Model):
    """A reminder sent (or to be sent) to an organisation; `key` makes the cycle job idempotent."""

    class Kind(models.TextChoices):
        SURVEILLANCE_DUE = "surveillance_due", _("surveillance due")
        SURVEILLANCE_MISSED = "surveillance_missed", _("surveillance missed")
        RECERTIFICATION_OPEN = "recertification_open", _("recertification window open")
        EXPIRY = "expiry", _("certificate expiring")
        EXPIRED = "expired", _("certificate expired")
        REGULATOR_REPORT = "regulator_report", _("monthly regulator report due")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reminders")
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="reminders"
    )
    due_on = models.DateField(_("due on"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("message"))
    recipients = models.JSONField(default=list)  # e-mail addresses it went to
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.key


class SigningKey(models.Model):
    """A public key certificates were signed with (published at /.well-known/); the private key
    never enters the database (CERT_SIGNING_KEY_FILE)."""

    key_id = models.CharField(max_length=32, unique=True)
    public_key = models.CharField(max_length=64)  # raw 32 bytes, base64url without padding
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.key_id

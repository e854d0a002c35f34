"""A certification case: one enterprise's way from application to decision with one certification body.

Initial certification, surveillance and recertification are all cases; each has an append-only,
hash-chained event history (`CaseEvent`), so a changed or removed past step is detectable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Organisation
from aftersales.choices import text_choices
from aftersales.core.concepts import AuditMode, CaseKind, CaseStatus, RiskClass
from aftersales.events.chain import ChainedEvent
from aftersales.schemes.models import SchemeVersion
from aftersales.uploads import RandomName


class Case(models.Model):
    Kind = text_choices(CaseKind)  # declared in core.concepts: codes and labels

    Status = text_choices(CaseStatus)

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

    @property
    def chain_key(self) -> str:
        """The case's name in its event chain ("case:AS-2026-0001")."""
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


class CaseEvent(ChainedEvent):
    """One step of a case: who, when, what, why. Append-only and hash-chained per case."""

    owner_field = chain_kind = "case"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]


# ------------------------------------------------------------------------------ the application


class Application(models.Model):
    """What the enterprise applies with (one per case). Editable in draft and when more
    information is requested; frozen otherwise."""

    class Delivery(models.TextChoices):
        OWN = "own", _("own outlets")
        ENTRUSTED = "entrusted", _("entrusted outlets")
        MIXED = "mixed", _("mixed")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="application")
    products = models.TextField(_("product categories in scope"), blank=True, help_text=_("one category a line"))
    services = models.TextField(_("services in scope"), blank=True)
    delivery_model = models.CharField(
        _("after-sales delivery model"), max_length=16, choices=Delivery.choices, blank=True
    )
    staff_total = models.PositiveIntegerField(_("staff (total headcount)"), null=True, blank=True)
    staff_service_management = models.PositiveIntegerField(_("service-management staff"), null=True, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    system_effective_on = models.DateField(_("date the after-sales system took effect"), null=True, blank=True)
    declared_no_incident = models.BooleanField(
        _("no major quality or safety accident, mass complaint or administrative penalty in the past 12 months"),
        default=False,
    )
    declared_not_blacklisted = models.BooleanField(_("not on a credit blacklist"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # the eligibility result frozen at (re)submission: {"as_of", "policy": pin, "scheme", "rules": [...]}
    eligibility = models.JSONField(_("eligibility at submission"), default=dict, blank=True)

    def __str__(self) -> str:
        return f"{self.case}"

    @property
    def product_list(self) -> list[str]:
        return [line.strip() for line in self.products.splitlines() if line.strip()]


class Site(models.Model):
    """A site or service outlet in scope."""

    class Kind(models.TextChoices):
        OWN = "own", _("own")
        ENTRUSTED = "entrusted", _("entrusted")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    fixed_outlet = models.BooleanField(_("fixed service outlet"), default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Exclusion(models.Model):
    """An item of the scheme declared not applicable, with the reason; the reviewer confirms it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="exclusions")
    item_code = models.CharField(_("item"), max_length=64)
    reason = models.TextField(_("reason"))
    confirmed = models.BooleanField(_("confirmed by the reviewer"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["application", "item_code"], name="exclusion_once_per_item")]

    def __str__(self) -> str:
        return self.item_code


class Manager(models.Model):
    """A certified after-sales service manager (售后服务管理师) of the enterprise."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="managers")
    name = models.CharField(_("name"), max_length=100)
    certificate_no = models.CharField(_("certificate number"), max_length=64)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "certificate_no"], name="manager_certificate_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.certificate_no})"


class Material(models.Model):
    """One uploaded version of one application material (domain.md §4). A new upload of the same
    type is a new version; old versions are kept."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="materials")
    material_type = models.CharField(_("material"), max_length=32)
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=RandomName("case-materials"))
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["material_type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "material_type", "version"], name="material_version_unique"),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="material_not_empty"),
            models.CheckConstraint(condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="material_sha256_hex"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="material_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.material_type} v{self.version}"


class InfoItem(models.Model):
    """One question of a request for more information, and the applicant's answer. Items asked
    together share a `round`."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="info_items")
    round = models.PositiveIntegerField(_("round"))
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True, answer="")
                | models.Q(answered_at__isnull=False) & ~models.Q(answer=""),
                name="info_item_answered_with_text",
            ),
        ]

    def __str__(self) -> str:
        return self.question[:40]


class InfoAttachment(models.Model):
    """A file the applicant sends with an answer to a request for more information (checked like
    every upload, hashed, stored privately)."""

    item = models.ForeignKey(InfoItem, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=RandomName("case-info"))
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="info_attachment_not_empty"),
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"), name="info_attachment_sha256_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


# ----------------------------------------------------------------------------------- the review


class Review(models.Model):
    """The CB's review of the application: audit mode, man-days (calculated, maybe overridden)."""

    Mode = text_choices(AuditMode)  # declared in core.concepts: codes and labels
    RiskClass = text_choices(RiskClass)

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="review")
    scope_confirmed = models.BooleanField(_("scope confirmed"), default=False)
    audit_mode = models.CharField(_("audit mode"), max_length=16, choices=Mode.choices, blank=True)
    risk_class = models.CharField(_("industry risk class"), max_length=16, blank=True)
    outlets_visited = models.PositiveIntegerField(_("fixed outlets visited"), default=0)
    calculation = models.JSONField(_("man-day calculation"), default=dict, blank=True)
    man_days_calculated = models.DecimalField(
        _("man-days (calculated)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    man_days_override = models.DecimalField(
        _("man-days (override)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    override_reason = models.TextField(_("reason for the override"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(man_days_override__isnull=True) | ~models.Q(override_reason=""),
                name="review_override_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(man_days_override__isnull=True) | models.Q(man_days_override__gt=0),
                name="review_override_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case}"

    @property
    def man_days(self):
        return self.man_days_override if self.man_days_override is not None else self.man_days_calculated

    def get_risk_class_display(self) -> str:
        """The risk class's label (the rule file may name a class the concept does not: shown as it is)."""
        known = self.risk_class in Review.RiskClass.values
        return str(Review.RiskClass(self.risk_class).label) if known else self.risk_class


class Quotation(models.Model):
    """The fees quoted when the application is accepted (one per case; Decimal yuan)."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="quotation")
    man_days = models.DecimalField(_("man-days"), max_digits=6, decimal_places=2)
    day_rate = models.DecimalField(_("day rate"), max_digits=10, decimal_places=2)
    lines = models.JSONField(_("lines"))
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(total__gte=0), name="quotation_total_positive")]

    def __str__(self) -> str:
        return f"{self.case} {self.total}"


class Contract(models.Model):
    """The certification contract, recorded as signed."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="contract")
    signed_on = models.DateField(_("signed on"))
    signed_by = models.CharField(_("signed by (for the enterprise)"), max_length=150)
    file = models.FileField(_("file"), upload_to=RandomName("case-contracts"), blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.case} {self.signed_on}"

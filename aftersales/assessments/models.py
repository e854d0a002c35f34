from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Organisation
from aftersales.choices import text_choices
from aftersales.core.scoring import DeductionKind, ResultKind
from aftersales.schemes.models import SchemeVersion
from aftersales.uploads import RandomName


class Assessment(models.Model):
    """An enterprise's self-assessment against one scheme version, or (kind "audit") the audit
    team's scoring of a certification case with the same machinery. Finished = frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        FINISHED = "finished", _("finished")

    class Kind(models.TextChoices):
        SELF = "self", _("self-assessment")
        AUDIT = "audit", _("audit")

    enterprise = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("enterprise")
    )
    scheme_version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, verbose_name=_("scheme"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.SELF)
    # the certification case an audit scores (audits only; reached through the audits app's access)
    case = models.ForeignKey(
        "certification.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_assessments",
        verbose_name=_("case"),
    )
    baseline = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("baseline")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Frozen with the assessment: the exact score, the level and the full result (scheme id,
    # version and hash included), so a later scheme edition never changes it.
    score_exact = models.CharField(_("exact score"), max_length=64, blank=True)
    level = models.CharField(_("level"), max_length=16, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", finished_at__isnull=True, result__isnull=True)
                | Q(status="finished", finished_at__isnull=False, result__isnull=False),
                name="assessment_finished_has_result",
            ),
            models.CheckConstraint(
                condition=Q(kind="self", case__isnull=True) | Q(kind="audit", case__isnull=False),
                name="assessment_audit_has_case",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("assessment_detail", args=[self.pk])

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.FINISHED


class Answer(models.Model):
    """One item's result. `version` rises on every save, so concurrent edits are detected."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item_code = models.CharField(_("item"), max_length=64)
    kind = models.CharField(_("result"), max_length=16, choices=[(k.value, k.value) for k in ResultKind])
    sampled = models.PositiveIntegerField(_("sampled"), null=True, blank=True)
    nonconforming = models.PositiveIntegerField(_("nonconforming"), null=True, blank=True)
    awarded = models.DecimalField(_("points awarded"), max_digits=9, decimal_places=4, null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item_code"], name="answer_one_per_item"),
            models.CheckConstraint(
                condition=Q(nonconforming__isnull=True) | Q(nonconforming__lte=F("sampled")),
                name="answer_nonconforming_within_sample",
            ),
            models.CheckConstraint(
                condition=Q(awarded__isnull=True) | Q(awarded__gte=0), name="answer_awarded_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_code}: {self.kind}"


class SpecialFinding(models.Model):
    class Type(models.TextChoices):
        DEDUCTION = "deduction", _("special deduction")
        BONUS = "bonus", _("special bonus")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="specials")
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    Kind = text_choices(DeductionKind)  # declared in core.concepts: codes and labels
    kind = models.CharField(_("kind"), max_length=16, blank=True, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(type="bonus", kind="") | Q(type="deduction") & ~Q(kind=""),
                name="special_deduction_has_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.kind}: {self.reason[:40]}"


class Evidence(models.Model):
    """A file backing one item's answer. Stored privately (no public URL); its SHA-256 is kept so
    an auditor can tell it is the very file the enterprise uploaded."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    item_code = models.CharField(_("item"), max_length=64)
    file = models.FileField(_("file"), upload_to=RandomName("evidence"))
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_hex"),
        ]
        indexes = [models.Index(fields=["assessment", "item_code"], name="evidence_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_code}: {self.original_name}"

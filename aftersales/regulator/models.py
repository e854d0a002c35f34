"""The report to the national regulator: what was exported, when, by whom, with which hash, and
which records each export carried (a record's reporting state)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Organisation


class RegulatorExport(models.Model):
    """One export: a month's workbook, the records due (the queue) as a workbook, or the records due
    sent through the WebService channel's adapter. A period may be exported again: each run is a row."""

    class Scope(models.TextChoices):
        MONTH = "month", _("the month's records")
        DUE = "due", _("the records not yet reported")

    class Channel(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook")
        JSON = "json", _("WebService (JSON)")
        XML = "xml", _("WebService (XML)")

    cb = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="regulator_exports")
    period = models.DateField(_("month"), null=True, blank=True)  # the first day of the month; empty: the queue
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.MONTH)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.XLSX)
    template_id = models.CharField(_("template"), max_length=100, blank=True)
    file = models.FileField(upload_to="regulator/%Y/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    counts = models.JSONField(_("rows per sheet"), default=dict)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    generated_by_label = models.CharField(max_length=150)
    generated_at = models.DateTimeField(_("generated at"))

    class Meta:
        ordering = ["-generated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period__isnull=True) | Q(period__day=1), name="regulator_export_period_first_day"
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="regulator_export_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.cb_id} {self.period:%Y-%m}" if self.period else f"{self.cb_id} {self.scope}"


class ReportedRecord(models.Model):
    """One record carried by one export: a plan (Audit), a result (Decision), a certificate
    version (CertificateVersion) or a status change (CertificateEvent). A record is reported once
    its first row exists; a later export of the same month adds another row."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("audit plan")
        RESULT = "result", _("audit result")
        CERTIFICATE = "certificate", _("certificate")
        STATUS = "status", _("status change")

    cb = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    export = models.ForeignKey(RegulatorExport, on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    sheet = models.CharField(max_length=16)
    row = models.PositiveIntegerField(null=True, blank=True)  # the spreadsheet row; empty for the WebService
    due_on = models.DateField(_("due on"))
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        ordering = ["export", "sheet", "row", "id"]
        constraints = [
            models.UniqueConstraint(fields=["export", "kind", "object_id"], name="reported_record_once_per_export"),
        ]
        indexes = [models.Index(fields=["cb", "kind", "object_id"], name="reported_record_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} in {self.export_id}"

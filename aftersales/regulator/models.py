"""The monthly report to the national regulator: what was exported, when, by whom, with which hash."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Organisation


class RegulatorExport(models.Model):
    """One generated monthly workbook (a period may be exported again: each run is a row)."""

    cb = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="regulator_exports")
    period = models.DateField(_("month"))  # the first day of the reported month
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
            models.CheckConstraint(condition=Q(period__day=1), name="regulator_export_period_first_day"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="regulator_export_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.cb_id} {self.period:%Y-%m}"

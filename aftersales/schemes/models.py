from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SchemeVersion(models.Model):
    """One edition of a scheme as registered here, with the exact file it was loaded from.

    Results point at a SchemeVersion, so they can always be re-scored with the very bytes they
    were scored with, whatever edition is current. Rows are never updated after creation.
    """

    class Status(models.TextChoices):
        REFERENCE = "reference", _("reference allocation")
        OFFICIAL = "official", _("official")

    scheme_id = models.CharField(_("scheme"), max_length=64)
    version = models.CharField(_("version"), max_length=64)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    standard = models.CharField(_("standard"), max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    title_zh = models.CharField(_("title (zh-Hans)"), max_length=300)
    title_en = models.CharField(_("title (en)"), max_length=300)
    item_count = models.PositiveIntegerField(_("items"))
    source = models.BinaryField(_("source"), help_text=_("the scheme file, byte for byte"))
    shipped = models.BooleanField(_("shipped with the software"), default=False)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["scheme_id", "-registered_at"]
        constraints = [
            models.UniqueConstraint(fields=["scheme_id", "version"], name="scheme_version_unique"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="scheme_sha256_hex"),
            models.CheckConstraint(condition=Q(item_count__gt=0), name="scheme_has_items"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.version}"

    def title(self, lang: str | None) -> str:
        return self.title_en if (lang or "").startswith("en") else self.title_zh

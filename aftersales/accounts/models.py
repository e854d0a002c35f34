from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """The project's user from the first migration on, so organisations and roles can be added
    without swapping the user model later."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"), max_length=10, blank=True, choices=[("zh-hans", "简体中文"), ("en", "English")]
    )

    def __str__(self) -> str:
        return self.display_name or self.get_username()


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        CERTIFICATION_BODY = "cb", _("certification body")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    is_legal_person = models.BooleanField(_("independent legal person"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="cb") | Q(credit_code__isnull=False), name="enterprise_has_credit_code"
            ),
            models.CheckConstraint(condition=Q(kind__in=["enterprise", "cb"]), name="organisation_kind_known"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_enterprise(self) -> bool:
        return self.kind == self.Kind.ENTERPRISE


class Role(models.TextChoices):
    ENTERPRISE_ADMIN = "enterprise_admin", _("enterprise admin")
    ENTERPRISE_MEMBER = "enterprise_member", _("enterprise member")
    CB_ADMIN = "cb_admin", _("certification body admin")
    REVIEWER = "reviewer", _("application reviewer")
    AUDITOR = "auditor", _("auditor")
    COMMITTEE = "committee", _("review committee member")


ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_ADMIN, Role.ENTERPRISE_MEMBER})
CB_ROLES = frozenset({Role.CB_ADMIN, Role.REVIEWER, Role.AUDITOR, Role.COMMITTEE})


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

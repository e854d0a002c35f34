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

    @property
    def roles(self) -> frozenset[str]:
        """The roles a member of this kind of organisation can hold."""
        return ENTERPRISE_ROLES if self.is_enterprise else CB_ROLES

    @property
    def admin_role(self) -> str:
        """The role that manages the organisation's members and invitations."""
        return Role.ENTERPRISE_ADMIN if self.is_enterprise else Role.CB_ADMIN


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


class Invitation(models.Model):
    """An invitation by link to join an organisation with one role. Only the SHA-256 of the token is
    stored; the token itself is in the link sent by e-mail. Single use: accepted or revoked once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="invitation_expires_later"),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True), name="invitation_used_once"
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True, accepted_by__isnull=True)
                | Q(accepted_at__isnull=False, accepted_by__isnull=False),
                name="invitation_accepted_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.role})"

    def state(self, now) -> str:
        """The invitation at the time `now`: "pending", "used", "revoked" or "expired"."""
        if self.accepted_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


class LoginFailure(models.Model):
    """One failed login, kept in the database so every web process sees the same count."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"], name="loginfailure_user_at_idx"),
            models.Index(fields=["ip", "at"], name="loginfailure_ip_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.ip}"


class TwoFactor(models.Model):
    """A user's authenticator (TOTP, RFC 6238): the base32 secret, whether the user confirmed it with
    a code, and the last time step used (a code is accepted once: that step and earlier ones are
    refused afterwards). Unconfirmed rows are enrolments in progress and do not protect anything."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(last_step__gte=0), name="two_factor_step_not_negative")]

    def __str__(self) -> str:
        return f"{self.user} ({'confirmed' if self.confirmed_at else 'enrolling'})"


class RecoveryCode(models.Model):
    """A one-time code for signing in without the authenticator. Only its SHA-256 is stored; the
    codes carry 80 random bits, so the hash cannot be reversed by guessing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} recovery code{' (used)' if self.used_at else ''}"


class PasswordResetRequest(models.Model):
    """One password-reset request that was let through (a mail was sent if the address has an
    account), kept to limit mails per address and requests per client address. The address is
    stored only as the SHA-256 of its normal form, whether an account has it or not."""

    address_hash = models.CharField(max_length=64)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["address_hash", "at"], name="resetrequest_address_at_idx"),
            models.Index(fields=["ip", "at"], name="resetrequest_ip_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.address_hash[:12]} {self.ip}"

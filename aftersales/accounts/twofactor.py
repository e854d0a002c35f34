"""Two-factor sign-in: enrolment, codes, recovery codes (services and the reads they need).

Certification-body staff must use it when TOTP_REQUIRED_FOR_CB is on (the default); enterprise
users may switch it on in their profile. The login flow is in views_two_factor.py.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.core import totp
from aftersales.core.refusal import Refused
from aftersales.events.services import event_record

from .models import CB_ROLES, Membership, RecoveryCode, TwoFactor, User

RECOVERY_CODE_COUNT = 10


class CodeRefused(Refused):
    """A wrong (or already used) code where a current one is needed."""

    status = 400


_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper


def is_cb_staff(user) -> bool:
    """Holds any role in a certification body (cb_admin, reviewer, auditor, committee)."""
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, role__in=CB_ROLES).exists()


def two_factor_required(user) -> bool:
    return bool(settings.TOTP_REQUIRED_FOR_CB) and is_cb_staff(user)


def two_factor_of(user) -> TwoFactor | None:
    """The user's confirmed authenticator, or None."""
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).first()


def two_factor_enrolling(user) -> TwoFactor | None:
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=True).first()


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _new_recovery_code() -> str:
    # 16 characters of a 31-letter alphabet: about 79 bits
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def account_label(user) -> str:
    return user.email or user.get_username()


def provisioning_uri(two_factor: TwoFactor) -> str:
    return totp.provisioning_uri(two_factor.secret, account=account_label(two_factor.user), issuer="aftersales-cert")


@transaction.atomic
def two_factor_begin(*, user: User) -> TwoFactor:
    """Start (or restart) an enrolment: a fresh secret, not yet confirmed. Refused while a confirmed
    authenticator exists (switch it off first)."""
    if two_factor_of(user) is not None:
        raise ValidationError(_("Two-factor sign-in is already on for this account."))
    TwoFactor.objects.filter(user=user, confirmed_at__isnull=True).delete()
    return TwoFactor.objects.create(user=user, secret=totp.new_secret())


@transaction.atomic
def two_factor_confirm(*, user: User, code: str, now: float | None = None) -> list[str]:
    """Confirm the enrolment with a code from the app; returns the new recovery codes (shown once)."""
    now = time.time() if now is None else now
    pending = TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if pending is None:
        raise ValidationError(_("Start the enrolment again: no authenticator is waiting for confirmation."))
    step = totp.match(pending.secret, code, now)
    if step is None:
        raise ValidationError(
            _("This code does not match. Check the time on your phone and type the code the app shows now.")
        )
    pending.confirmed_at = timezone.now()
    pending.last_step = step
    pending.save(update_fields=["confirmed_at", "last_step"])
    codes = _recovery_codes_replace(user)
    event_record(action="two_factor.enabled", subject=user, by=user)
    return codes


def _recovery_codes_replace(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes)
    return codes


@transaction.atomic
def recovery_codes_renew(*, user: User, code: str, now: float | None = None) -> list[str]:
    """New recovery codes for a current code from the authenticator app (not a recovery code): an
    open session alone must not be able to mint codes that stand in for the second factor."""
    if two_factor_of(user) is None:
        raise ValidationError(_("Two-factor sign-in is off for this account."))
    if two_factor_check(user=user, code=code, now=now, recovery=False) is None:
        raise CodeRefused(_("This code does not match. Type the code your authenticator app shows now."))
    codes = _recovery_codes_replace(user)
    event_record(action="two_factor.recovery_codes_renewed", subject=user, by=user)
    return codes


def two_factor_check(*, user: User, code: str, now: float | None = None, recovery: bool = True) -> str | None:
    """Check a code typed at sign-in: "totp" or "recovery" if it is good (and now spent), else None
    (recovery=False: only a code from the authenticator app is good).

    A TOTP code is accepted once: the step it belongs to is stored with a conditional UPDATE, so of
    two sign-ins with the same code (any process) only one succeeds. A recovery code is spent the
    same way."""
    now = time.time() if now is None else now
    device = two_factor_of(user)
    if device is None:
        return None
    typed = totp.clean_code(code)
    if typed.isdigit():
        step = totp.match(device.secret, typed, now, after_step=device.last_step)
        if step is not None and TwoFactor.objects.filter(pk=device.pk, last_step__lt=step).update(last_step=step):
            return "totp"
        return None
    if not recovery:
        return None
    with transaction.atomic():
        spent = RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if spent:
            event_record(
                action="two_factor.recovery_code_used", subject=user, by=user, data={"left": recovery_codes_left(user)}
            )
            return "recovery"
    return None


@transaction.atomic
def two_factor_disable(*, user: User, code: str, now: float | None = None) -> None:
    """Switch two-factor sign-in off (enterprise users only: CB staff must keep it). Needs a current
    code, so a session left open on someone else's screen cannot switch it off."""
    if two_factor_required(user):
        raise ValidationError(_("Certification body staff must keep two-factor sign-in on."))
    if two_factor_check(user=user, code=code, now=now) is None:
        raise CodeRefused(_("This code does not match."))
    TwoFactor.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    event_record(action="two_factor.disabled", subject=user, by=user)


@transaction.atomic
def two_factor_enrol_with_secret(*, user: User, secret: str, by_label: str) -> TwoFactor:
    """Enrol with a given secret, confirmed at once: for the demo's CB users and browser tests only
    (the secret is printed or known to the test); never called from a web view."""
    totp.secret_bytes(secret)  # ValueError if not base32
    TwoFactor.objects.filter(user=user).delete()
    device = TwoFactor.objects.create(user=user, secret=totp.normalise_secret(secret), confirmed_at=timezone.now())
    event_record(action="two_factor.enabled", subject=user, by_label=by_label, data={"preset": True})
    return device


@transaction.atomic
def two_factor_reset(*, user: User, reason: str, by=None, by_label: str = "", data: dict | None = None) -> dict:
    """A lost authenticator: remove the user's authenticator (confirmed or half-enrolled) and
    recovery codes, and record "two_factor.reset" with who did it and why. CB staff enrol again at
    their next sign-in (TOTP_REQUIRED_FOR_CB); an enterprise user signs in with the password until
    switching it on again. Returns what was removed."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(
            _("Reason: say why the authenticator of %(user)s is reset (e.g. the phone was lost).")
            % {"user": user.get_username()}
        )
    User.objects.select_for_update().filter(pk=user.pk).first()  # one reset (or enrolment) at a time
    had_device = TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()
    devices, _detail = TwoFactor.objects.filter(user=user).delete()
    codes, _detail = RecoveryCode.objects.filter(user=user).delete()
    if not devices and not codes:
        raise ValidationError(
            _("%(user)s has no authenticator and no recovery codes: nothing to reset.") % {"user": user.get_username()}
        )
    removed = {
        "authenticator": had_device,
        "enrolling": bool(devices) and not had_device,
        "recovery_codes": codes,
        "must_enrol": two_factor_required(user),
    }
    data = {**(data or {}), **removed}
    event_record(action="two_factor.reset", subject=user, by=by, by_label=by_label, reason=reason, data=data)
    return removed

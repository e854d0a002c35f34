from __future__ import annotations

import functools
import ipaddress
import math

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Role, User
from .selectors import login_locked_until
from .services import login_failure_record


def client_ip(request) -> str | None:
    """The address the request came from: REMOTE_ADDR, or behind a reverse proxy the header named by
    LOGIN_CLIENT_IP_HEADER (e.g. HTTP_X_REAL_IP, which the proxy must overwrite). Otherwise every
    visitor would share the proxy's address and one throttle."""
    if request is None:
        return None
    return _address(request.META.get(settings.LOGIN_CLIENT_IP_HEADER or "REMOTE_ADDR", ""))


@functools.lru_cache(maxsize=4096)
def _address(value: str) -> str | None:
    """The address in its normal form (IPv6 compressed), None if `value` is not one. Cached: the
    public registry asks for every request, and a busy client asks again and again."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing to even check the password while the user name or the client
    IP has too many recent failures (counted in the database, so every web process agrees)."""

    throttled = False  # the template words the refusal differently from a wrong password
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed logins for this user name or from this network. "
            "Try again at %(time)s (in about %(minutes)s minutes)."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        now = timezone.now()
        until = login_locked_until(username=username, ip=ip, now=now)
        if until is not None:
            raise self.throttled_error(until, now)
        try:
            cleaned = super().clean()
        except ValidationError as exc:
            if getattr(exc, "code", None) == "invalid_login":
                until = login_failure_record(username=username, ip=ip, now=now)
                if until is not None:
                    raise self.throttled_error(until, now) from exc
            raise
        # The failures are cleared when the login completes (views.LoginView or, with two-factor
        # sign-in, the code step): a right password alone must not reset the count of wrong codes.
        return cleaned

    def throttled_error(self, until, now) -> ValidationError:
        self.throttled = True
        return throttle_message(until, now)


def throttle_message(until, now) -> ValidationError:
    """ "Too many failed logins … try again at": the password step and the code step say the same."""
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return ValidationError(
        ThrottledAuthenticationForm.error_messages["throttled"],
        code="throttled",
        params={"time": time_format(timezone.localtime(until), "H:i"), "minutes": minutes},
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        # the admin role last, so the form does not offer the most powerful role first
        roles = sorted((r for r in Role if r in organisation.roles), key=lambda r: r == organisation.admin_role)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]


class InvitationSignupForm(BaseUserCreationForm):
    """User name, display name and a password checked by AUTH_PASSWORD_VALIDATORS. Only validates:
    the account is created by the invitation_accept_new_user service."""

    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ("username", "display_name")
        labels = {"username": _("User name"), "display_name": _("Display name")}
        help_texts = {
            "username": _("Letters, digits and @ . + - _ only; you log in with it."),
            "display_name": _("How others see you, e.g. your full name."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True

    def save(self, commit=True):  # pragma: no cover - guard against writes outside the service
        raise NotImplementedError("use services.invitation_accept_new_user")


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As my browser asks")), *User._meta.get_field("language").choices],
    )

"""Two-factor sign-in pages: the code step of the login, enrolment, recovery codes, switching off.

The login is two steps. The password step (views.LoginView) does not log a user with an
authenticator in: it leaves a *pending* state in the session (user id, backend, where to go, when)
and sends them here; only a good code logs them in (login() also renews the session key). A CB
staff member without an authenticator (TOTP_REQUIRED_FOR_CB) is logged in with the session marked
ENROL: TwoFactorMiddleware lets such a session reach the enrolment page, logout and the language
switch only, until the enrolment is confirmed. Every other session the login views open is marked
PASSWORD (no code given) or VERIFIED (a code given); the middleware holds a PASSWORD session as
soon as its user needs two-factor sign-in (a CB role gained later, the requirement switched on).
"""

from __future__ import annotations

import time

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.core import totp

from . import twofactor
from .forms import client_ip, throttle_message
from .models import User
from .selectors import login_locked_until
from .services import login_failure_record, login_failures_clear

PENDING = "_aftersales_2fa_pending"  # password checked, code not yet: {"user", "backend", "next", "at"}
STATE = "_aftersales_2fa"  # "enrol": must enrol first; "verified": code checked; "password": no code
ENROL, VERIFIED, PASSWORD = "enrol", "verified", "password"
PENDING_SECONDS = 300  # the code step must follow the password step within five minutes


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def start_pending(request, user, *, backend: str, next_url: str) -> None:
    request.session[PENDING] = {"user": user.pk, "backend": backend, "next": next_url, "at": time.time()}


def mark_enrol_required(request) -> None:
    request.session[STATE] = ENROL


def mark_password_only(request) -> None:
    """A session opened with the password alone: TwoFactorMiddleware checks on every request
    whether its user now needs two-factor sign-in."""
    request.session[STATE] = PASSWORD


def step_up(request, user):
    """A password-only session of a user who has an authenticator and must now use it: end the
    session and start the code step, back to this page once the code is given."""
    backend = request.session.get(BACKEND_SESSION_KEY, "django.contrib.auth.backends.ModelBackend")
    next_url = request.get_full_path() if request.method == "GET" else ""
    logout(request)
    start_pending(request, user, backend=backend, next_url=next_url)
    messages.info(request, _("Your account now signs in with a code: type the code from your authenticator app."))
    return redirect("login_code")


def session_for_staff(request, user) -> None:
    """CB staff sessions end when the browser closes (a shared or stolen laptop keeps no session)."""
    if twofactor.is_cb_staff(user):
        request.session.set_expiry(0)


def _pending(request):
    data = request.session.get(PENDING)
    if not data or time.time() - data.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, None
    user = User.objects.filter(pk=data["user"], is_active=True).first()
    return (data, user) if user is not None else (None, None)


def _safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return settings.LOGIN_REDIRECT_URL


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request):
    """The second step of the login: a code from the authenticator app, or a recovery code."""
    data, user = _pending(request)
    if user is None:
        messages.error(request, _("Log in with your user name and password first (or again: five minutes passed)."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        ip, now = client_ip(request), timezone.now()
        until = login_locked_until(username=user.get_username(), ip=ip, now=now)
        if until is None:
            used = twofactor.two_factor_check(user=user, code=form.cleaned_data["code"])
            if used is not None:
                request.session.pop(PENDING, None)
                login(request, user, backend=data["backend"])
                request.session[STATE] = VERIFIED
                session_for_staff(request, user)
                login_failures_clear(username=user.get_username())
                if used == "recovery":
                    messages.warning(
                        request,
                        _("You used a recovery code; %(n)s are left. Make new ones on the two-factor page.")
                        % {"n": twofactor.recovery_codes_left(user)},
                    )
                return redirect(_safe_next(request, data["next"]))
            until = login_failure_record(username=user.get_username(), ip=ip, now=now)
        if until is not None:
            request.session.pop(PENDING, None)  # locked: start again with the password once it unlocks
            form.add_error(None, throttle_message(until, now))
            status = 429
        else:
            form.add_error("code", _("This code does not match, or it was already used. Wait for the next one."))
            status = 400
    return render(request, "registration/login_code.html", {"form": form}, status=status)


def _qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG (rendered here: no script, no external service)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrolment (QR code, secret, confirm with a code) or, once on, the status page."""
    user = request.user
    device = twofactor.two_factor_of(user)
    required = twofactor.two_factor_required(user)
    if device is not None:
        context = {"device": device, "left": twofactor.recovery_codes_left(user), "required": required}
        return render(request, "accounts/two_factor_manage.html", context)
    pending = twofactor.two_factor_enrolling(user) or twofactor.two_factor_begin(user=user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = twofactor.two_factor_confirm(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
            status = 400
        else:
            request.session[STATE] = VERIFIED
            messages.success(request, _("Two-factor sign-in is on."))
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
    uri = twofactor.provisioning_uri(pending)
    context = {
        "form": form,
        "qr": _qr_svg(uri),
        "uri": uri,
        "secret": totp.grouped(pending.secret),
        "required": required,
        "must_enrol": request.session.get(STATE) == ENROL,
    }
    return render(request, "accounts/two_factor_setup.html", context, status=status)


@login_required
@never_cache
@require_POST
def two_factor_recovery_codes(request):
    """New recovery codes (the old ones stop working), shown once; needs a current code from the
    authenticator app, and wrong ones count toward the login throttle (as switching off does)."""
    form = CodeForm(request.POST)
    user, ip, now = request.user, client_ip(request), timezone.now()
    try:
        if not form.is_valid():
            raise ValidationError(_("Type a code from your authenticator app to make new recovery codes."))
        until = login_locked_until(username=user.get_username(), ip=ip, now=now)
        if until is not None:
            raise throttle_message(until, now)
        try:
            codes = twofactor.recovery_codes_renew(user=user, code=form.cleaned_data["code"])
        except twofactor.CodeRefused as exc:
            login_failure_record(username=user.get_username(), ip=ip, now=now)
            raise ValidationError(exc.problems) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("two_factor_setup")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def two_factor_disable(request):
    """Switch off with a current code; wrong codes count toward the login throttle, so an open
    session on a stolen laptop cannot try codes until one fits."""
    form = CodeForm(request.POST)
    user, ip, now = request.user, client_ip(request), timezone.now()
    try:
        if not form.is_valid():
            raise ValidationError(_("Type a code from your authenticator app to switch two-factor sign-in off."))
        until = login_locked_until(username=user.get_username(), ip=ip, now=now)
        if until is not None:
            raise throttle_message(until, now)
        try:
            twofactor.two_factor_disable(user=user, code=form.cleaned_data["code"])
        except twofactor.CodeRefused as exc:
            login_failure_record(username=user.get_username(), ip=ip, now=now)
            raise ValidationError(exc.problems) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("two_factor_setup")
    request.session[STATE] = PASSWORD  # from now on a password-only session, checked on every request
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("profile")

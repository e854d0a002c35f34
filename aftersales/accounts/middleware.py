"""A logged-in user's saved language wins over the cookie and Accept-Language."""

from django.utils import translation


class UserLanguageMiddleware:
    """Runs after LocaleMiddleware (which already chose from the cookie or Accept-Language) and after
    AuthenticationMiddleware; anonymous users and users without a saved language keep that choice."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class TwoFactorMiddleware:
    """Two-factor sign-in on every request, not only at login.

    - A session marked ENROL (a CB staff member without an authenticator) reaches only the
      enrolment page, logout and the language switch.
    - A session marked PASSWORD (opened with the password alone) is held as soon as its user needs
      two-factor sign-in: a CB role gained after the login, or TOTP_REQUIRED_FOR_CB switched on.
      Without an authenticator it becomes ENROL; with one, the session ends and the code step of
      the login starts (views_two_factor.step_up). Cost: one small query per request of such a
      session while the requirement is on (is the user CB staff?); none for VERIFIED sessions.
    - A session marked VERIFIED (a code was given) passes.

    Sessions made without the login views carry no mark and pass: only the test client's
    force_login makes them. Put it after AuthenticationMiddleware and MessageMiddleware."""

    ENROL_ALLOWED = ("two_factor_setup", "logout", "set_language")
    STEP_UP_ALLOWED = ("logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        from . import twofactor
        from .views_two_factor import ENROL, PASSWORD, STATE

        session = getattr(request, "session", None)
        has_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES  # anonymous visitors: no session read
        if not (has_cookie and session is not None and request.user.is_authenticated):
            return self.get_response(request)
        state = session.get(STATE)
        if state == ENROL or (state == PASSWORD and twofactor.two_factor_required(request.user)):
            return self._hold(request) or self.get_response(request)
        return self.get_response(request)

    def _hold(self, request):
        from django.shortcuts import redirect
        from django.urls import Resolver404, resolve

        from . import twofactor
        from .views_two_factor import ENROL, STATE, step_up

        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        user = request.user
        if twofactor.two_factor_of(user) is not None:
            if name in self.STEP_UP_ALLOWED:
                return None
            response = step_up(request, user)
        else:
            request.session[STATE] = ENROL
            if name in self.ENROL_ALLOWED:
                return None
            response = redirect("two_factor_setup")
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = response["Location"]
        return response

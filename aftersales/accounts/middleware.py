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
    """Holds a CB staff member who logged in with a password but has no authenticator yet on the
    enrolment page: any other page redirects there (logout and the language switch still work).

    It acts on sessions the login views marked (views_two_factor.STATE == "enrol"); sessions made
    otherwise (the test client's force_login) carry no mark and pass. Put it after
    AuthenticationMiddleware and MessageMiddleware."""

    ALLOWED = ("two_factor_setup", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.shortcuts import redirect
        from django.urls import Resolver404, resolve

        from .views_two_factor import ENROL, STATE

        session = getattr(request, "session", None)
        has_cookie = settings.SESSION_COOKIE_NAME in request.COOKIES  # anonymous visitors: no session read
        if has_cookie and session is not None and session.get(STATE) == ENROL and request.user.is_authenticated:
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in self.ALLOWED:
                response = redirect("two_factor_setup")
                if request.headers.get("HX-Request"):
                    response["HX-Redirect"] = response["Location"]
                return response
        return self.get_response(request)

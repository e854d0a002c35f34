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

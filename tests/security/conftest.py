import pytest

SECURITY_MIDDLEWARE = [
    ("django.middleware.csp.ContentSecurityPolicyMiddleware", "django.middleware.security.SecurityMiddleware"),
    ("aftersales.accounts.middleware.TwoFactorMiddleware", "django.contrib.messages.middleware.MessageMiddleware"),
]


@pytest.fixture(autouse=True)
def _security_middleware(settings):
    """The security middleware in place even before settings.MIDDLEWARE lists it (the lead adds the
    lines; test_settings.py checks they are there)."""
    middleware = list(settings.MIDDLEWARE)
    for name, after in SECURITY_MIDDLEWARE:
        if name not in middleware:
            middleware.insert(middleware.index(after) + 1, name)
    settings.MIDDLEWARE = middleware


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages in English (LocaleMiddleware picks LANGUAGE_CODE) and service messages too."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield

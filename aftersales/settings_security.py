"""Security settings (imported at the end of aftersales/settings.py; the environment decides).

Environment:
  TOTP_REQUIRED_FOR_CB   1 (default): certification-body staff must sign in with an authenticator
                         code (TOTP); 0 switches the requirement off (a demo on a laptop)
  LOGIN_ADDRESS_FAILURE_LIMIT  failed logins from one client address, whatever the user names,
                         before that address waits too (default 20; LOGIN_FAILURE_LIMIT, default 5,
                         is per user name from one address)
  LOGIN_DELAY_SECONDS    the first wait once a limit is reached (default 30); it doubles with
                         each further failure, up to LOGIN_DELAY_MAX_MINUTES (default 15)
  PASSWORD_RESET_LIMIT_PER_ADDRESS  reset mails to one e-mail address per window (default 3)
  PASSWORD_RESET_LIMIT_PER_CLIENT   reset requests from one client address per window (default 10)
  PASSWORD_RESET_WINDOW_MINUTES     that window (default 60)
  SESSION_HOURS          a session ends this many hours after the last request that saved it
                         (default 12); CB staff sessions also end when the browser closes
  DJANGO_SECURE_PROXY_SSL_HEADER  behind a TLS-terminating proxy, the META key of the header the
                         proxy sets to "https", e.g. HTTP_X_FORWARDED_PROTO (default: unset)
  DJANGO_SECURE_SSL_REDIRECT      1: Django redirects http to https itself (default 0: the proxy
                         does it; `check --deploy` reports security.W008, see docs/security.md)
  DJANGO_HSTS_SECONDS    Strict-Transport-Security max-age over https (default 31536000 when not
                         DEBUG, 0 with DEBUG)
  DJANGO_HSTS_INCLUDE_SUBDOMAINS, DJANGO_HSTS_PRELOAD  1 to add those HSTS flags (default 0: they
                         bind every subdomain of the site's domain, the operator's decision)
  DJANGO_CSRF_TRUSTED_ORIGINS     comma-separated origins, e.g. https://cert.example.cn (needed when
                         the proxy changes the Host the browser sees)

Content-Security-Policy (Django 6's ContentSecurityPolicyMiddleware reads SECURE_CSP): scripts only
from our own static files (htmx is vendored; no inline script, no on*= attribute, no eval),
nothing may frame the site, forms post only to it. Style *attributes* stay allowed
(style-src-attr 'unsafe-inline'): progress bars set their width with style="width: N%" and inline
SVG charts carry presentation attributes; a style attribute cannot run script, and the templates
autoescape everything users type, so no user text becomes markup. <style> elements and style
sheets come only from our static files.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "")
    if value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1 or 0)")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if number < 0:
        raise ImproperlyConfigured(f"{name}={value!r} must not be negative")
    return number


_DEBUG = _bool("DJANGO_DEBUG", False)

# --- two-factor sign-in ----------------------------------------------------------------------------
TOTP_REQUIRED_FOR_CB = _bool("TOTP_REQUIRED_FOR_CB", True)

# --- login throttle: growing delays, never a lock on the account (docs/security.md) ------------------
LOGIN_ADDRESS_FAILURE_LIMIT = _int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
LOGIN_DELAY_SECONDS = _int("LOGIN_DELAY_SECONDS", 30) or 1
LOGIN_DELAY_MAX_MINUTES = _int("LOGIN_DELAY_MAX_MINUTES", 15) or 1

# --- password-reset mails ----------------------------------------------------------------------------
PASSWORD_RESET_LIMIT_PER_ADDRESS = _int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 3)
PASSWORD_RESET_LIMIT_PER_CLIENT = _int("PASSWORD_RESET_LIMIT_PER_CLIENT", 10)
PASSWORD_RESET_WINDOW_MINUTES = _int("PASSWORD_RESET_WINDOW_MINUTES", 60) or 1

# --- Content-Security-Policy -----------------------------------------------------------------------
_SELF, _NONE = "'self'", "'none'"
SECURE_CSP = {
    "default-src": [_SELF],
    "script-src": [_SELF],
    "style-src": [_SELF],
    "style-src-elem": [_SELF],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": [_SELF, "data:"],  # data: the empty favicon and QR codes embedded as data URIs
    "font-src": [_SELF],
    "connect-src": [_SELF],  # htmx requests
    "object-src": [_NONE],
    "base-uri": [_NONE],
    "frame-ancestors": [_NONE],
    "form-action": [_SELF],
}

# --- cookies and sessions --------------------------------------------------------------------------
SESSION_COOKIE_SAMESITE = "Lax"  # "Strict" would log people out when they follow a link from a mail
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # forms carry the token ({% csrf_token %}); no script reads the cookie
SESSION_COOKIE_AGE = _int("SESSION_HOURS", 12) * 3600 or 3600

# --- transport -------------------------------------------------------------------------------------
_proxy_header = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    if not _proxy_header.startswith("HTTP_"):
        raise ImproperlyConfigured(
            f"DJANGO_SECURE_PROXY_SSL_HEADER={_proxy_header!r} must be a META key such as HTTP_X_FORWARDED_PROTO"
        )
    SECURE_PROXY_SSL_HEADER = (_proxy_header, "https")
SECURE_SSL_REDIRECT = _bool("DJANGO_SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = _int("DJANGO_HSTS_SECONDS", 0 if _DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _bool("DJANGO_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

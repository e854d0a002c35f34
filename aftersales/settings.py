"""Django settings: one file, everything from the environment, loud failures, SQLite by default.

Environment (see .env.example):
  DJANGO_SECRET_KEY     required unless DJANGO_DEBUG=1
  DJANGO_DEBUG          1 for development (default 0)
  DJANGO_ALLOWED_HOSTS  comma-separated (default: localhost names when DEBUG, else required)
  DATABASE_URL          e.g. postgres://postgres@127.0.0.1:5432/aftersales (default: SQLite in var/)
  DATABASE_REPLICA_URL  a read replica of DATABASE_URL for the public registry's reads (optional)
  AFTERSALES_DATA_DIR   where SQLite and uploaded files live (default: ./var)
  AFTERSALES_STORAGE    "local" (default: uploaded files under AFTERSALES_DATA_DIR/media) or "s3": a
                        private S3-compatible bucket named by AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL,
                        AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_REGION_NAME (all required;
                        AWS_S3_ADDRESSING_STYLE path|virtual optional); needs the `s3` extra
  EMAIL_BACKEND         default django.core.mail.backends.console.EmailBackend (prints mails)
  EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL,
  EMAIL_TIMEOUT         for django.core.mail.backends.smtp.EmailBackend (EMAIL_FILE_PATH for filebased)
  DEFAULT_FROM_EMAIL    sender of invitations and password resets (default: noreply@localhost)
  INVITATION_TTL_DAYS   how long an invitation link works (default 7)
  LOGIN_FAILURE_LIMIT   failed logins per (user name, client address) before that pair waits, with
                        delays that grow (default 5; more in settings_security.py)
  LOGIN_FAILURE_WINDOW_MINUTES  how long a failed login is remembered (default 60)
  AFTERSALES_TASKS     "database" (default: jobs wait for `python -m aftersales.manage db_worker`) or
                        "immediate" (jobs run inside the request; tests and small demos)
  CB_POLICY_DIR         a folder of the certification body's policy versions (YAML; docs/policy.md):
                        conflict years, rectification days, validity, surveillance interval, reminder
                        lead times, appeal deadlines, … (default: none, the shipped policy only)
  KPI_INLINE_MAX_RECORDS  above this many records of an enterprise, the KPI page computes its
                        figures in a background job and shows "being computed" (default 100000)
  BUSINESS_CALENDAR_FILE  a YAML file of days off and 调休 working days for the years after the
                        chinesecalendar package's last (docs/records.md; default: none)
  CERT_MANDAYS_RULE, CERT_FEE_TABLE  paths of the man-day rule and fee table YAML (default: shipped)
  CERT_SIGNING_KEY_FILE the Ed25519 private key (PEM) certificates are signed with (default:
                        DATA_DIR/keys/certificate-signing.pem, created on first use)
  CHAIN_CHECKPOINT_FILE the append-only log of signed hash-chain checkpoints (default:
                        DATA_DIR/chain-checkpoints.jsonl; docs/security.md)
  PUBLIC_BASE_URL       the address QR codes and mails point to (default http://localhost:8000)
  REGISTRY_RATE_LIMIT   public registry requests per client address per minute (default 120)
  REGISTRY_CACHE_SECONDS  max-age of the published signing keys for HTTP caches (default 30)
  LOG_FORMAT            "text" (default) or "json": one JSON object per log line (request id, method,
                        path, status, duration, user id on aftersales.request)
  CACHE_URL             locmem:// (default, per process), redis://host:6379/1 or file:///path: shared by
                        all web processes in production (registry answers and rate limits)
  AFTERSALES_STATIC_MANIFEST  1 in production: static files from `collectstatic` with hashed names
  TOTP_REQUIRED_FOR_CB  two-factor sign-in required for certification-body staff (default 1)
  SESSION_HOURS         how long a session lasts (default 12; CB staff sessions end with the browser)
  DJANGO_SECURE_PROXY_SSL_HEADER, DJANGO_SECURE_SSL_REDIRECT, DJANGO_HSTS_SECONDS,
  DJANGO_HSTS_INCLUDE_SUBDOMAINS, DJANGO_HSTS_PRELOAD, DJANGO_CSRF_TRUSTED_ORIGINS
                        HTTPS behind a proxy (see aftersales/settings_security.py and docs/security.md)
  LOGIN_CLIENT_IP_HEADER  behind a reverse proxy, the META key holding the client address, e.g.
                        HTTP_X_REAL_IP (default: REMOTE_ADDR)
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("AFTERSALES_DATA_DIR", Path.cwd() / "var")).resolve()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1 or 0)")


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be {'positive' if minimum == 1 else f'at least {minimum}'}")
    return number


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is not set (or set DJANGO_DEBUG=1 for development)")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

_hosts = os.environ.get("DJANGO_ALLOWED_HOSTS", "")
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()] or (
    ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is not set")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "aftersales.accounts",
    "aftersales.events",
    "aftersales.schemes",
    "aftersales.assessments",
    "aftersales.records",
    "aftersales.certification",
    "aftersales.audits",
    "aftersales.certificates",
    "aftersales.regulator",
    "aftersales.registry",
    "aftersales.appeals",
    "aftersales.notifications",
    "aftersales.inbox",
    "aftersales.ops",
    "aftersales.demo",
    "django_tasks_db",
    "ninja",  # the API docs page from its own static files (the CDN variant would need inline script)
]

MIDDLEWARE = [
    "aftersales.ops.middleware.RequestLogMiddleware",  # first: one log line per request, X-Request-ID
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",  # SECURE_CSP in settings_security.py
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from the web process (after security)
    "aftersales.ops.middleware.DatabaseUnavailableMiddleware",  # above everything that reads the database
    "aftersales.registry.middleware.RegistryGate",  # rate limit; a certificate's page and JSON before the session
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "aftersales.accounts.middleware.UserLanguageMiddleware",  # after auth: needs request.user
    "django.contrib.messages.middleware.MessageMiddleware",
    "aftersales.accounts.middleware.TwoFactorMiddleware",  # after auth + messages: holds CB staff on enrolment
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "aftersales.ops.navigation.navigation",  # the role-dependent links of base.html
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'aftersales.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),  # a round trip per request
    )
}
# The public registry may read from a PostgreSQL streaming replica (its answers tolerate the
# replica's lag of a second; every write goes to the primary). Tests mirror it to the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=DATABASES["default"]["CONN_HEALTH_CHECKS"],
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REGISTRY_DATABASE = "replica" if "replica" in DATABASES else "default"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"


# The cache (public registry answers, registry and login rate limits). Per process by default;
# several web processes should share one: CACHE_URL=redis://127.0.0.1:6379/1 (or file:///path).
def _cache(url: str) -> dict:
    if url in {"", "locmem://"}:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20_000}}
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("file://"):
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": url[len("file://") :]}
    raise ImproperlyConfigured(f"CACHE_URL={url!r}: use locmem://, redis://host:port/db or file:///path")


CACHES = {"default": _cache(os.environ.get("CACHE_URL", ""))}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

LOGIN_URL = "login"
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_MINUTES = env_int("LOGIN_FAILURE_WINDOW_MINUTES", 60)
LOGIN_CLIENT_IP_HEADER = os.environ.get("LOGIN_CLIENT_IP_HEADER", "")  # e.g. HTTP_X_REAL_IP behind a proxy
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 7)
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "scheme_list"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies older hashes, upgraded on login
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Simplified Chinese is the default language, English the second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# Production: `collectstatic` once per release, then hashed, compressed names cached for a year
# (AFTERSALES_STATIC_MANIFEST=1). Development and tests serve the source files as they are.
# Uploaded files (evidence, materials, record files, appeals, regulator workbooks): a private folder,
# MEDIA_ROOT, by default; AFTERSALES_STORAGE=s3 keeps them in a private S3-compatible bucket instead
# (several machines, no shared file system). Either way they are reached only through Django's storage
# API and served only by the views that check access (never by URL: no public ACL, no signed links).
S3_VARIABLES = (
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_S3_REGION_NAME",
)


def file_storage(environ) -> dict:
    """The STORAGES["default"] entry AFTERSALES_STORAGE asks for ("local" by default, or "s3")."""
    kind = environ.get("AFTERSALES_STORAGE") or "local"
    if kind == "local":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"AFTERSALES_STORAGE={kind!r} must be 'local' or 's3'")
    missing = [name for name in S3_VARIABLES if not environ.get(name)]
    if missing:
        raise ImproperlyConfigured(f"AFTERSALES_STORAGE=s3 needs {', '.join(missing)} in the environment")
    style = environ.get("AWS_S3_ADDRESSING_STYLE") or None
    if style not in {None, "auto", "path", "virtual"}:
        raise ImproperlyConfigured(f"AWS_S3_ADDRESSING_STYLE={style!r} must be 'auto', 'path' or 'virtual'")
    try:
        import storages.backends.s3  # noqa: F401  (imports boto3 too)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"AFTERSALES_STORAGE=s3 needs django-storages and boto3 (pip install 'aftersales-cert[s3]'): {exc}"
        ) from None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": environ["AWS_S3_ENDPOINT_URL"],
            "access_key": environ["AWS_ACCESS_KEY_ID"],
            "secret_key": environ["AWS_SECRET_ACCESS_KEY"],
            "region_name": environ["AWS_S3_REGION_NAME"],
            "addressing_style": style,
            "default_acl": None,  # no ACL on the objects: they are as private as the bucket
            "querystring_auth": False,  # no signed links: a stray .url() grants nothing on a private bucket
            "file_overwrite": False,  # like the folder: a name in use gets another name, never overwritten
        },
    }


STORAGES = {
    "default": file_storage(os.environ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("AFTERSALES_STATIC_MANIFEST")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not env_bool("AFTERSALES_STATIC_MANIFEST")  # no collectstatic needed in development
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks there too; empty until collectstatic
# columnar snapshots of service records for the KPI suite: a cache, safe to delete (rebuilt on use)
RECORDS_CACHE_DIR = DATA_DIR / "cache" / "records"
# the KPI page computes inline up to this many records (about 0.3 s from the snapshot), else in a job
KPI_INLINE_MAX_RECORDS = env_int("KPI_INLINE_MAX_RECORDS", 100_000)
MEDIA_ROOT = DATA_DIR / "media"  # private: files are served only through views that check access
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 20) * 1024 * 1024

# Mail through Django 6.1's MAILERS; the EMAIL_* names above are environment variables only.
_email_backend = os.environ.get("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
_email_options: dict = {}
if _email_backend == "django.core.mail.backends.smtp.EmailBackend":
    _email_options = {
        "host": os.environ.get("EMAIL_HOST") or "localhost",
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS"),
        "use_ssl": env_bool("EMAIL_USE_SSL"),
        # seconds; invitations are sent inside their transaction, so do not wait long
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
    if os.environ.get("EMAIL_PORT"):
        _email_options["port"] = env_int("EMAIL_PORT", 25)
elif _email_backend == "django.core.mail.backends.filebased.EmailBackend":
    _email_options = {"file_path": os.environ.get("EMAIL_FILE_PATH") or str(DATA_DIR / "mail")}
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "noreply@localhost"

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be 'text' or 'json'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "aftersales.ops.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_FORMAT == "json" else {})}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # PDF rendering logs a dozen progress lines per report at INFO;
    # task state lines ("Task id=… state=RUNNING") would mix into the CLI's JSON output
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "fontTools", "django.tasks")},
}

SITE_NAME = _("aftersales-cert")

# The certification body's policy (conflict years, rectification days, validity, surveillance interval,
# reminder lead times, appeal deadlines, …) is versioned rules data, not settings: the shipped version
# (aftersales/core/rules/policy-default.yaml) and the CB's versions in this folder (docs/policy.md).
CB_POLICY_DIR = os.environ.get("CB_POLICY_DIR", "")
# the years after the chinesecalendar package's last, from the State Council's notice (docs/records.md)
BUSINESS_CALENDAR_FILE = os.environ.get("BUSINESS_CALENDAR_FILE", "")
CERT_MANDAYS_RULE = os.environ.get("CERT_MANDAYS_RULE") or None  # None: the shipped rule
CERT_FEE_TABLE = os.environ.get("CERT_FEE_TABLE") or None
# the regulator report's template: a .yaml/.json file or the official .xlsx template (docs/regulator-report.md)
REGULATOR_TEMPLATE = os.environ.get("REGULATOR_TEMPLATE") or None
REGULATOR_CHANNEL = os.environ.get("REGULATOR_CHANNEL", "")  # the WebService adapter class; default: the outbox

# Background work: Django's tasks framework. In production a database-backed queue drained by
# `python -m aftersales.manage db_worker`; "immediate" runs jobs inside the request.
_tasks = os.environ.get("AFTERSALES_TASKS", "database")
if _tasks not in {"database", "immediate"}:
    raise ImproperlyConfigured(f"AFTERSALES_TASKS={_tasks!r} must be 'database' or 'immediate'")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend"
        if _tasks == "database"
        else "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}

# Certificates: the signing key, the checkpoint log, the public address.
CERT_SIGNING_KEY_FILE = Path(os.environ.get("CERT_SIGNING_KEY_FILE") or DATA_DIR / "keys" / "certificate-signing.pem")
# the append-only log of signed hash-chain checkpoints (certificates/checkpoints.py): keep it off the
# database server, ideally on an append-only or write-once medium
CHAIN_CHECKPOINT_FILE = Path(os.environ.get("CHAIN_CHECKPOINT_FILE") or DATA_DIR / "chain-checkpoints.jsonl")
PUBLIC_BASE_URL = (os.environ.get("PUBLIC_BASE_URL") or "http://localhost:8000").rstrip("/")
REGISTRY_RATE_LIMIT = env_int("REGISTRY_RATE_LIMIT", 120)
REGISTRY_CACHE_SECONDS = env_int("REGISTRY_CACHE_SECONDS", 30)

# Security hardening (two-factor sign-in, CSP, cookies): its own file, read last.
from aftersales.settings_security import *  # noqa: E402, F403

"""The project's settings with the operations middleware and JSON logs switched on, as the lead's
settings change will make them (used by the subprocess tests in tests/ops/test_stopped_database.py)."""

from aftersales.settings import *  # noqa: F403
from aftersales.settings import LOGGING, MIDDLEWARE

_SESSIONS = MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
MIDDLEWARE = [
    "aftersales.ops.middleware.RequestLogMiddleware",  # first: times everything
    *MIDDLEWARE[:_SESSIONS],  # security, static files
    "aftersales.ops.middleware.DatabaseUnavailableMiddleware",  # above everything that reads the database
    *MIDDLEWARE[_SESSIONS:],
]
LOGGING = {
    **LOGGING,
    "formatters": {"json": {"()": "aftersales.ops.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
}

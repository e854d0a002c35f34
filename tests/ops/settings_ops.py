"""The project's settings with JSON logs switched on (used by the subprocess tests in
tests/ops/test_stopped_database.py)."""

from aftersales.settings import *  # noqa: F403
from aftersales.settings import LOGGING, MIDDLEWARE

# the project's MIDDLEWARE already has the request log and the database-unavailable middleware
assert "aftersales.ops.middleware.RequestLogMiddleware" in MIDDLEWARE
assert "aftersales.ops.middleware.DatabaseUnavailableMiddleware" in MIDDLEWARE
LOGGING = {
    **LOGGING,
    "formatters": {"json": {"()": "aftersales.ops.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
}

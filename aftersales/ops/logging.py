"""Structured logs: one JSON object per line (settings.LOGGING uses JsonFormatter when LOG_FORMAT=json).

Every line carries the time (UTC, ISO 8601), level, logger and message; lines written while a request
is being answered also carry its request id (RequestLogMiddleware sets it). The request line itself
adds method, path, status, duration_ms and user_id.
"""

from __future__ import annotations

import contextvars
import json
import logging
import traceback
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("aftersales_request_id", default=None)

# attributes every LogRecord has; anything else was passed with extra={…} and goes into the line
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_SKIP = {"request", "server_time"}  # Django's request objects and the dev server's time stamp


def _jsonable(value):
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, no line breaks inside (a stack trace goes into "exception")."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            line["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in _SKIP and key not in line and not key.startswith("_"):
                line[key] = _jsonable(value)
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))

"""The registry's rate limit: REGISTRY_RATE_LIMIT requests per client address per minute, a fixed
window counted in Django's cache (shared by the web processes only when CACHES is; docs/deploy.md).
The address is the login throttle's (REMOTE_ADDR or LOGIN_CLIENT_IP_HEADER)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from aftersales.accounts.forms import client_ip

WINDOW = 60  # seconds


def retry_after(request, *, now: float | None = None) -> int | None:
    """Count this request; None if it may be answered, else the seconds until the next window."""
    limit = settings.REGISTRY_RATE_LIMIT
    if limit <= 0:  # 0 switches the limit off
        return None
    now = time.time() if now is None else now
    window = int(now // WINDOW)
    key = f"registry:rate:{client_ip(request) or 'unknown'}:{window}"
    # one cache operation per request: the counter exists for every request of the window but its first
    try:
        count = cache.incr(key)
    except ValueError:  # the first of the window (or the counter expired a moment early)
        # unless another request of the same address created it meanwhile
        count = 1 if cache.add(key, 1, WINDOW + 1) else cache.incr(key)
    if count <= limit:
        return None
    return max(1, int((window + 1) * WINDOW - now + 0.999))

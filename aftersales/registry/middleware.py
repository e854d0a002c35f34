"""The registry's JSON answer by number straight from the cache, before the rest of the stack.

A tender evaluator's tool asking `GET /api/registry/<number>` needs no session, language, CSRF,
authentication or message handling, and not the URL resolver either. When the answer is cached
(cache.py: REGISTRY_CACHE_SECONDS, dropped on every change), this middleware, placed right after
SecurityMiddleware, counts the request against the rate limit and returns it; otherwise the request
goes the normal way, to the view that builds and caches it. Same bytes, same rate limit.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpResponse

from aftersales.core.certnumber import number_normalise

from .cache import cache_key
from .ratelimit import retry_after

PREFIX = "/api/registry/"


class RegistryFastPath:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if request.method == "GET" and path.startswith(PREFIX) and not request.GET:
            number = path[len(PREFIX) :]
            if number and "/" not in number:
                body = cache.get(cache_key("json", number_normalise(number)))
                if body is not None:
                    if (wait := retry_after(request)) is not None:
                        from .views import too_many

                        return too_many(request, wait, json=True)
                    return HttpResponse(body, content_type="application/json")
        return self.get_response(request)

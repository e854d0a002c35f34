"""The public registry's JSON endpoints (mounted at /api/registry/; no login: every operation sets
auth=None). The same public fields as the pages (selectors.py says what is public), codes rather
than labels; rate limited like the pages (429 with Retry-After); a certificate's answer is cached
per number (cache.py)."""

from __future__ import annotations

import json

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from ninja import Router

from aftersales.core.certnumber import number_normalise

from .cache import cached
from .presenters import entry_json, search_row_json
from .ratelimit import retry_after
from .selectors import registry_entry, registry_search
from .views import PAGE_SIZE, as_of, too_many

router = Router(tags=["registry"])


@router.get("/", auth=None, url_name="registry_api_search")
def search(request, q: str = "", page: int = 1):
    """Certificates matching `q`: the certificate number, part of the enterprise name (Chinese or
    pinyin, in full or initials) or the credit code; 20 per page."""
    if (wait := retry_after(request)) is not None:
        return too_many(request, wait, json=True)
    query = q.strip()[:200]
    if not query:
        return {"query": "", "count": 0, "page": 1, "pages": 0, "results": []}
    found = Paginator(registry_search(query), PAGE_SIZE).get_page(page)
    return {
        "query": query,
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "results": [search_row_json(c) for c in found],
    }


@router.get("/{number}", auth=None, url_name="registry_api_certificate")
def by_number(request, number: str):
    """One certificate's public record: status with its history, level, score, scope, sites,
    validity, surveillance, certification body; `as_of` is when it was read."""
    if (wait := retry_after(request)) is not None:
        return too_many(request, wait, json=True)
    key = number_normalise(number)
    body = cached("json", key, lambda: _answer(key))
    return HttpResponse(body, content_type="application/json")


def _answer(number: str) -> bytes:
    try:
        entry = registry_entry(number)
    except Http404:
        raise Http404(f"no certificate numbered {number}") from None
    return json.dumps(entry_json(entry, as_of=as_of()), ensure_ascii=False).encode()

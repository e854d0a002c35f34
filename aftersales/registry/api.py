"""The public registry's search as JSON (/api/registry/?q=; no login; rate limited like the pages).
One certificate's record, `/api/registry/<number>`, is a plain view (views.registry_json)."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from ninja import Field, Router, Schema

from aftersales.api_errors import errors
from aftersales.certificates.payload import registry_url
from aftersales.params import ApiPage

from .selectors import registry_search
from .views import PAGE_SIZE

router = Router(tags=["registry"])


class RegistryRow(Schema):
    """A certificate found: read from the certificate's row (selectors.SEARCH_FIELDS)."""

    number: str
    name: str
    credit_code: str
    level: str
    status: str
    status_since: date
    issued_on: date
    expires_on: date
    certification_body: str = Field(alias="cb.name")
    registry_url: str

    @staticmethod
    def resolve_registry_url(c) -> str:
        return registry_url(c.number)


class RegistrySearch(Schema):
    query: str
    count: int
    page: int
    pages: int
    results: list[RegistryRow]


@router.get("/", auth=None, response={200: RegistrySearch, **errors(429)}, url_name="registry_api_search")
def search(request, q: str = "", page: ApiPage = 1):
    """Certificates matching `q`: the certificate number, part of the enterprise name (Chinese or
    pinyin, in full or initials) or the credit code; 20 per page. One certificate's public record
    (status with its history, level, score, scope, sites, validity, surveillance, certification
    body, `as_of`): `GET /api/registry/{number}`, outside this schema (docs/certificates.md)."""
    query = q.strip()[:200]
    if not query:
        return {"query": "", "count": 0, "page": 1, "pages": 0, "results": []}
    found = Paginator(registry_search(query), PAGE_SIZE).get_page(page)
    return {
        "query": query,
        "count": found.paginator.count,
        "page": found.number,
        "pages": found.paginator.num_pages,
        "results": list(found),
    }

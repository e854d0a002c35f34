"""The public registry's JSON endpoints (mounted at /api/registry/; no login: auth=None): the same
public fields as the pages, codes rather than labels; rate limited like the pages; a certificate's
answer as the pages are answered (views.respond)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from ninja import Router, Schema
from pydantic import create_model

from aftersales.api_errors import errors
from aftersales.core.certnumber import number_normalise
from aftersales.params import ApiPage

from .presenters import search_row_json
from .publish import JSON, answer
from .ratelimit import retry_after
from .selectors import registry_search
from .views import PAGE_SIZE, respond, too_many

router = Router(tags=["registry"])


class RegistryRow(Schema):
    number: str
    name: str
    credit_code: str
    level: str
    status: str
    status_since: str
    issued_on: str
    expires_on: str
    certification_body: str
    registry_url: str


class RegistrySearch(Schema):
    query: str
    count: int
    page: int
    pages: int
    results: list[RegistryRow]


class RegistryEnterprise(Schema):
    name: str
    credit_code: str
    address: str


class RegistrySite(Schema):
    name: str
    address: str


class RegistryScheme(Schema):
    id: str
    version: str


class RegistrySurveillance(Schema):
    done: int
    last_on: str | None
    next_due: str | None


# "from" is a Python keyword, hence the functional form.
RegistryEvent = create_model(
    "RegistryEvent",
    __base__=Schema,
    action=(str, ...),
    to=(str, ...),
    effective_on=(str, ...),
    at=(str, ...),
    reason=(str, ...),
    **{"from": (str, ...)},
)


class RegistryCertificate(Schema):
    """A certificate's public record (answered as published, registry/publish.py)."""

    number: str
    status: str
    status_since: str
    as_of: str
    enterprise: RegistryEnterprise
    scope: str
    sites: list[RegistrySite]
    scheme: RegistryScheme
    level: str
    stars: int
    score: str
    certification_body: str
    first_issued_on: str
    issued_on: str
    expires_on: str
    version: int
    surveillance: RegistrySurveillance
    history: list[RegistryEvent]
    registry_url: str
    chain: dict | None


@router.get("/", auth=None, response={200: RegistrySearch, **errors(429)}, url_name="registry_api_search")
def search(request, q: str = "", page: ApiPage = 1):
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


@router.get(
    "/{number}", auth=None, response={200: RegistryCertificate, **errors(404, 429)}, url_name="registry_api_certificate"
)
def by_number(request, number: str):
    """One certificate's public record: status with its history, level, score, scope, sites,
    validity, surveillance, certification body; `as_of` is when it was read."""
    if (wait := retry_after(request)) is not None:
        return too_many(request, wait, json=True)
    try:
        return respond(request, answer(JSON, number_normalise(number)))
    except Http404:
        raise Http404(f"no certificate numbered {number}") from None

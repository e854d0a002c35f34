"""Schemathesis against the API's own OpenAPI document (issue 21 item 12): every operation is sent
generated requests, valid and invalid, as a signed-in enterprise admin and as the CB's admin, and
every answer must be documented — its status code, content type and body — and never a 5xx.

Bounded: four generated examples per operation and persona, derandomized (the same requests on
every run), no shrinking; about 30 s of requests for the whole API on two idle cores. The document
is read once per process from /api/openapi.json through the WSGI app, as a client would read it."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from aftersales.certification.services import case_open

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
schema.config.generation.update(with_security_parameters=False)  # the session cookie is ours to send
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
CSRF = "x" * 32  # a CSRF secret of the right length, sent as cookie and header
PERSONAS = ("ent_admin", "cb_admin")


@pytest.fixture
def in_test_transaction():
    """The WSGI handler closes the database connection after each request (as Django's test client
    does not): in a test that would end the test's transaction (PostgreSQL) and lose its data."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def signed_in(world, in_test_transaction):
    """For each persona its cookies, and the ids its requests should name: the world's enterprise
    and a case of it, so that generated requests reach past the access helpers."""
    people = world["people"]
    case = case_open(
        enterprise=world["enterprise"], cb=world["cb"], scheme_version=world["gbt"], by=people["ent_admin"]
    )
    cookies = {}
    for name in PERSONAS:
        client = Client()
        client.force_login(people[name])
        cookies[name] = {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF}
    return cookies, {"enterprise_id": world["enterprise"].pk, "pk": case.pk}


def _aimed(case, ids: dict) -> None:
    """Half of the generated object ids point at objects that exist (only where the generated value
    was a valid one: a request meant to be invalid stays invalid)."""
    for name, real in ids.items():
        value = (case.path_parameters or {}).get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value % 2 == 0:
            case.path_parameters[name] = real


@schema.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_documented(case, signed_in):
    cookies, ids = signed_in
    _aimed(case, ids)
    for persona in PERSONAS:
        response = case.call(cookies=cookies[persona], headers={"X-CSRFToken": CSRF})
        case.validate_response(response, checks=CHECKS)

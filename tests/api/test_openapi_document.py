"""The OpenAPI document says what the API answers (issue 21 item 12): one name per schema, every
refusal in one documented body, validation problems (422) sent as documented."""

from __future__ import annotations

import typing

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pydantic import BaseModel

from aftersales.api import api

REFUSAL_BODIES = {"Refusal", "Invalid", "Throttled", "ItemConflict"}


def _models(annotation, found: set) -> None:
    """Every pydantic model reachable from a type annotation."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for arg in typing.get_args(annotation):
        _models(arg, found)


def _api_models() -> set:
    found: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.response_models.values():
                    if isinstance(model, type):
                        _models(model, found)
                for model in operation.models:
                    _models(model, found)
    # ninja's own wrappers (request parameters, responses) are not components
    return {m for m in found if not m.__module__.startswith("ninja")}


def test_it_gives_every_schema_a_unique_name():
    """ninja names a component by its class name and keeps one class per name: two classes of the
    same name would document one operation with the other's fields."""
    by_name: dict[str, set] = {}
    for model in _api_models():
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    assert {name: classes for name, classes in by_name.items() if len(classes) > 1} == {}
    assert {"CaseEventOut", "CertificateEventOut", "InfoAnswerIn", "FindingAnswerIn"} <= set(by_name)


def test_it_documents_every_refusal_with_one_body():
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    for name in REFUSAL_BODIES:
        assert {"detail", "problems"} <= set(components[name]["required"]), name
    undocumented = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            codes = {int(code) for code in op["responses"]}
            if op.get("security"):
                undocumented += [(method, path, c) for c in {401} - codes]
                if method != "get":
                    undocumented += [(method, path, c) for c in {403} - codes]
            if "{" in path:
                undocumented += [(method, path, c) for c in {404} - codes]
            for code, response in op["responses"].items():
                if int(code) >= 400:
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.rsplit("/", 1)[1] in REFUSAL_BODIES, (method, path, code)
    assert undocumented == []


@pytest.fixture
def ent_admin(world):
    client = Client()
    client.force_login(world["people"]["ent_admin"])
    return client


def test_it_answers_a_request_that_does_not_validate_in_the_documented_shape(ent_admin):
    response = ent_admin.post("/api/cases/", {"cb": "not a number"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "problems", "errors"}
    assert {tuple(e["loc"]) for e in body["errors"]} == {("body", "payload", "cb"), ("body", "payload", "scheme")}
    assert len(body["problems"]) == 2 and body["detail"] == "; ".join(body["problems"])


def test_it_answers_refusals_in_one_shape(world, ent_admin):
    anonymous = Client().get("/api/cases/")
    missing = ent_admin.get("/api/cases/999999")
    member = Client()
    member.force_login(world["people"]["ent_member"])
    upload = SimpleUploadedFile("orders.csv", b"a,b\n1,2\n")
    not_admin = member.post(f"/api/records/{world['enterprise'].pk}/imports", {"kind": "work_order", "file": upload})
    for response, status in [(anonymous, 401), (missing, 404), (not_admin, 403)]:
        assert response.status_code == status
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert set(response.json()) == {"detail", "problems"} and response.json()["problems"]

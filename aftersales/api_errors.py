"""The API's two error bodies, the handlers that send them and the rule that documents them.

Every refusal (400, 401, 403, 404, 409, 413, 429) is a `Refusal`: `detail`, one line, and
`problems`, every reason (at least one). A request whose values do not validate (422) is an
`Invalid`: the same two fields and `errors`, each located (`loc`, `msg`, `type`, as pydantic
says it). A client reads `detail` or `problems` whatever the status (docs/security.md, "API").
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Schema, Status
from ninja.errors import HttpError, ValidationError

from aftersales.core.refusal import Refused


class Refusal(Schema):
    """Refused: `detail` in one line, `problems` every reason."""

    detail: str
    problems: list[str]


class FieldError(Schema):
    """One value that did not validate: where (`loc`), why (`msg`) and pydantic's error `type`."""

    loc: list[str | int]
    msg: str
    type: str


class Invalid(Refusal):
    """The request's values do not validate: a refusal with each value located in `errors`."""

    errors: list[FieldError]


class Throttled(Refusal):
    """Too many requests: a refusal with the seconds to wait (also in the Retry-After header)."""

    retry_after: int


FORBIDDEN = "Your role does not allow this step."


def refusal_body(*problems: str) -> dict:
    problems = [str(p) for p in problems if str(p)] or ["Refused."]
    return {"detail": "; ".join(problems), "problems": problems}


def refused(status: int, *problems: str, **extra) -> Status:
    """A refusal answered from a view, as `return refused(404, "no such objection")`; a service's
    `Refused` needs no catching: `install` answers it."""
    return Status(status, refusal_body(*problems) | extra)


def invalid(*problems: str) -> Status:
    """422 for values the domain refuses (the request itself validated)."""
    return Status(422, refusal_body(*problems) | {"errors": []})


def errors(*codes: int) -> dict:
    """The `response=` entries of the refusals an operation answers itself, e.g. `**errors(403, 409)`."""
    return {code: Invalid if code == 422 else Throttled if code == 429 else Refusal for code in codes}


def install(api) -> None:
    """Every error the framework raises answers with the same two bodies."""

    @api.exception_handler(HttpError)  # AuthenticationError (401), CSRF (403), unparsable body (400) too
    def http_error(request, exc):
        return api.create_response(request, refusal_body(str(exc)), status=exc.status_code)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(
            request, refusal_body(f"Not Found: {exc}" if settings.DEBUG and str(exc) else "Not Found"), status=404
        )

    @api.exception_handler(PermissionDenied)  # an access helper's answer to a member without the role
    def permission_denied(request, exc):
        return api.create_response(request, refusal_body(str(exc) or FORBIDDEN), status=403)

    @api.exception_handler(Refused)  # a service refused the step: 409 (or the refusal's own status)
    def step_refused(request, exc):
        return api.create_response(request, refusal_body(*exc.problems), status=exc.status)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        located = [_field_error(e) for e in exc.errors]
        body = refusal_body(*(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in located))
        return api.create_response(request, body | {"errors": located}, status=422)


def _field_error(error: dict) -> dict:
    return {
        "loc": [p if isinstance(p, int) else str(p) for p in error.get("loc", ())],
        "msg": str(error.get("msg", "")),
        "type": str(error.get("type", "")),
    }


def document(schema: dict) -> dict:
    """Add to an OpenAPI document the refusals every operation may get from the framework: 401 and,
    for writes, 403 (CSRF) when it needs a login; 400 (unparsable body) and 422 when it takes a body
    or checked parameters (numbers, dates); 404 when its path names an object (the access helpers'
    answer to outsiders). What an operation refuses itself is in its `response=` (`errors(...)`)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Refusal, Invalid, FieldError, Throttled):
        components.setdefault(model.__name__, _component(model))
    for operations in schema.get("paths", {}).values():
        for method, op in operations.items():
            params = op.get("parameters", [])
            codes = set()
            if op.get("security"):
                codes |= {401} | ({403} if method != "get" else set())
            if op.get("requestBody"):
                codes |= {400, 422}
            if any(_checked(p) for p in params):
                codes.add(422)
            if any(p["in"] == "path" for p in params):
                codes.add(404)
            for code in sorted(codes):
                op["responses"].setdefault(code, _response(Invalid if code == 422 else Refusal))
    return schema


def _checked(parameter: dict) -> bool:
    """Whether ninja validates the parameter beyond taking it as text."""
    schema = parameter.get("schema", {})
    return schema.get("type") != "string" or bool(schema.keys() & {"format", "pattern", "maxLength", "enum"})


def _component(model) -> dict:
    body = model.model_json_schema(ref_template="#/components/schemas/{model}")
    body.pop("$defs", None)
    return body


def _response(model) -> dict:
    return {
        "description": model.__doc__.split("\n")[0],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
    }

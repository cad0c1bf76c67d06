"""Every API response a test receives, checked against the generated OpenAPI document (issue 17 item 3): its
status must be one the operation documents, and its JSON body must match the documented schema. The check runs
in the test client (tests.helpers.FreshContextClient), so every API test checks it without asking."""
from __future__ import annotations

from jsonschema import Draft202012Validator
from werkzeug.exceptions import HTTPException

from app.api.openapi import openapi_document, openapi_path


class NonConformingResponse(AssertionError):
    pass


def _validator(document: dict, schema: dict) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": document["components"]},
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _check_body(document: dict, schema: dict, response, where: str) -> None:
    if not response.is_json:
        raise NonConformingResponse(f"{where}: documented as JSON, answered {response.content_type}")
    errors = sorted(_validator(document, schema).iter_errors(response.get_json()), key=lambda e: list(e.path))
    if errors:
        detail = "; ".join(f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message[:300]}" for e in errors[:5])
        raise NonConformingResponse(f"{where}: the body does not match the document: {detail}")


def check_response(app, response) -> None:
    request = response.request
    if not request.path.startswith("/api/v1/") or request.method in ("HEAD", "OPTIONS"):
        return
    with app.app_context():
        document = openapi_document()
    where = f"{request.method} {request.path} -> {response.status_code}"
    error_schema = {"$ref": "#/components/schemas/Error"}
    try:
        rule, _args = app.url_map.bind("localhost").match(request.path, request.method, return_rule=True)
    except HTTPException as exc:  # no such address, or not this method: a JSON error, a 405 with Allow
        if exc.code == 405 and not response.headers.get("Allow"):
            raise NonConformingResponse(f"{where}: a 405 without an Allow header") from None
        if response.status_code == exc.code:
            _check_body(document, error_schema, response, where)
        return
    operation = document["paths"].get(openapi_path(rule.rule), {}).get(request.method.lower())
    if operation is None:
        raise NonConformingResponse(f"{where}: the operation is not in the document")
    documented = operation["responses"].get(str(response.status_code))
    if documented is None:
        raise NonConformingResponse(f"{where}: status not documented (documented: {sorted(operation['responses'])})")
    content = documented.get("content", {})
    if "application/json" in content:
        _check_body(document, content["application/json"]["schema"], response, where)
    for header in documented.get("headers", {}):
        if header not in response.headers:
            raise NonConformingResponse(f"{where}: the documented {header} header is missing")

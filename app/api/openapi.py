"""The OpenAPI 3.1 document, generated (issue 17 item 2): the routes of the `api` blueprint in the URL map, each
with the contract its `api_route` declares (app.api.contract), and the marshmallow schemas through apispec's
MarshmallowPlugin. Nothing here is written per route."""
from __future__ import annotations

import re
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app
from marshmallow import fields
from werkzeug.routing import IntegerConverter

from app.api.contract import Contract
from app.api.paging import PageQuerySchema
from app.input_edges import INT64_MAX

ERROR = {"type": "object", "required": ["error"], "additionalProperties": False, "properties": {"error": {
    "type": "object", "required": ["status", "message"], "additionalProperties": False, "properties": {
        "status": {"type": "integer"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {}}}}}}
_WHY = {400: "The input is not valid: `fields` names each bad field", 401: "No valid token",
        403: "The token holder's roles do not allow this", 404: "Not found (or another school's)",
        409: "A clash with a record saved meanwhile", 412: "The resource changed since it was read (If-Match)",
        428: "If-Match is required", 429: "Too many requests"}
_METHODS = ("get", "put", "post", "patch", "delete")


def _decimal_as_string(self, field, ret, **_kwargs) -> dict:
    """Money and percentages go out as strings (`Decimal(as_string=True)`), not numbers."""
    if isinstance(field, fields.Decimal) and field.as_string:
        return {"type": ["string", "null"] if field.allow_none else "string", "format": "decimal"}
    return {}


def _name_resolver():
    """Each schema's component name: its class name without "Schema", prefixed by its module's name where two
    modules have a schema of the same name (part_time's ReviewSchema is PartTimeReview)."""
    taken: dict[str, type] = {}

    def name_of(schema) -> str:
        cls = schema if isinstance(schema, type) else type(schema)
        name = cls.__name__.removesuffix("Schema")
        if taken.setdefault(name, cls) is not cls:
            module = cls.__module__.rsplit(".", 1)[-1]
            name = "".join(part.title() for part in module.split("_")) + name
            taken.setdefault(name, cls)
        return name

    return name_of


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _path_parameter(name: str, converter) -> dict:
    schema = ({"type": "integer", "minimum": 0, "maximum": INT64_MAX} if isinstance(converter, IntegerConverter)
              else {"type": "string", "maxLength": 200})
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _failures(contract: Contract, method: str, rule) -> dict[int, str]:
    codes = set(contract.errors)
    if not contract.public:
        codes |= {401, 429}
    if contract.permission is not None:
        codes.add(403)
    if "school_slug" in rule.arguments or any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
        codes.add(404)
    if contract.query or contract.body or contract.many or method != "get":
        codes.add(400)  # bad input, or a rule of the service refusing the change (field-named)
    if contract.body:
        codes.add(409)
    if contract.etag and method != "get":
        codes.add(412)
        if method in ("put", "patch"):
            codes.add(428)
    return {code: _WHY.get(code, "Error") for code in sorted(codes)}


def _success(spec, plugin, contract: Contract) -> dict:
    if contract.content_type != "application/json":
        return {"description": "OK", "content": {contract.content_type: {"schema": {"type": "string"}}}}
    if contract.response is None:
        schema = {"type": "object"}
    elif contract.many:
        schema = {"type": "object", "required": ["items", "next"], "additionalProperties": False, "properties": {
            **(contract.envelope or {}),
            "items": {"type": "array", "items": plugin.converter.resolve_nested_schema(contract.response)},
            "next": {"type": ["string", "null"], "description": "The next page, or null on the last"}}}
    else:
        schema = plugin.converter.resolve_nested_schema(contract.response)
    success = {"description": "OK" if contract.status == 200 else "Done", "content": {"application/json": {
        "schema": schema}}}
    if contract.etag:
        success["headers"] = {"ETag": {"description": "Send it back in If-Match to change the resource",
                                       "schema": {"type": "string"}}}
    return success


def _operation(spec, plugin, rule, method: str, view) -> dict:
    contract: Contract = view.api_contract
    doc = (view.__doc__ or "").strip()
    summary = contract.summary or doc.split("\n\n")[0].replace("\n", " ") or rule.endpoint.removeprefix("api.")
    parameters = [_path_parameter(name, rule._converters.get(name)) for name in sorted(rule.arguments)]
    if contract.query:
        parameters.append({"in": "query", "schema": contract.query})
    if contract.many:
        parameters.append({"in": "query", "schema": PageQuerySchema})
    if contract.etag and method != "get":
        parameters.append({"name": "If-Match", "in": "header", "required": method in ("put", "patch"),
                           "schema": {"type": "string"}, "description": "The ETag of the resource as read"})
    operation = {"operationId": rule.endpoint.removeprefix("api."), "summary": summary[:200],
                 "tags": [view.__module__.rsplit(".", 1)[-1]], "parameters": parameters,
                 "security": [] if contract.public else [{"bearer": []}],
                 "responses": {str(contract.status): _success(spec, plugin, contract)}}
    if doc and doc != summary:
        operation["description"] = doc
    if contract.body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": plugin.converter.resolve_nested_schema(contract.body)}}}
    for code, why in _failures(contract, method, rule).items():
        operation["responses"][str(code)] = {"description": why, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Error"}}}}
    return operation


def api_rules(app) -> list:
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")), key=lambda r: r.rule)


def build_document(app) -> dict:
    plugin = MarshmallowPlugin(schema_name_resolver=_name_resolver())
    spec = APISpec(title="AP Hub API", version="1", openapi_version="3.1.0", plugins=[plugin],
                   info={"description": "Alternative provision records of the trust's schools. "
                                        "Authenticate with a personal token: 'Authorization: Bearer <token>'. "
                                        "Every list comes in pages: follow `next`."})
    plugin.converter.add_attribute_function(_decimal_as_string)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", ERROR)
    paths: dict[str, dict] = {}
    for rule in api_rules(app):
        view = app.view_functions[rule.endpoint]
        if getattr(view, "api_contract", None) is None:
            continue  # undeclared: tests/api/test_openapi.py names it
        for method in sorted(m.lower() for m in rule.methods if m.lower() in _METHODS):
            paths.setdefault(openapi_path(rule.rule), {})[method] = _operation(spec, plugin, rule, method, view)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@cache
def _cached(app) -> dict:
    return build_document(app)


def openapi_document() -> dict:
    """The document of the running app (made once: the routes do not change while it runs)."""
    return _cached(current_app._get_current_object())

"""The OpenAPI document, built from the marshmallow schemas with apispec."""
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from app.api.schemas import KeyContactsSchema, MeSchema, SchoolSchema
from app.models import SchoolPhase

_ERROR = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def openapi_document() -> dict:
    spec = APISpec(title="AP Hub API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": "Alternative provision records of the trust's schools. "
                                        "Authenticate with a personal token: 'Authorization: Bearer <token>'."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Me", schema=MeSchema)
    spec.components.schema("School", schema=SchoolSchema)
    spec.components.schema("KeyContacts", schema=KeyContactsSchema)
    spec.components.schema("Error", {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "status": {"type": "integer"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}}})
    secured = [{"bearer": []}]

    def ok(ref):
        return {"description": "OK", "content": {"application/json": {"schema": ref}}}

    spec.path("/api/v1/openapi.json", operations={"get": {
        "summary": "This document", "security": [],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}}}})
    spec.path("/api/v1/me", operations={"get": {"summary": "The token holder and their roles", "security": secured,
                                                "responses": {"200": ok("Me"), "401": _ERROR}}})
    spec.path("/api/v1/schools", operations={"get": {
        "summary": "Schools visible to the token holder", "security": secured,
        "parameters": [{"name": "phase", "in": "query", "required": False, "description": "Only this phase",
                        "schema": {"type": "string", "enum": [p.value for p in SchoolPhase]}}],
        "responses": {"200": ok({"type": "object", "properties": {
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/School"}}}}),
            "400": _ERROR, "401": _ERROR}}})
    spec.path("/api/v1/schools/{school_slug}/key-contacts", operations={"get": {
        "summary": "A school's key contacts", "security": secured,
        "parameters": [{"name": "school_slug", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": ok("KeyContacts"), "401": _ERROR, "403": _ERROR, "404": _ERROR}}})
    from app.api.pupils import openapi_paths as pupil_paths

    pupil_paths(spec, ok, _ERROR)
    from app.api.placements import openapi_paths as placement_paths

    placement_paths(spec, ok, _ERROR)
    from app.api.providers import openapi_paths as provider_paths

    provider_paths(spec, ok, _ERROR)
    from app.api.attendance import openapi_paths as attendance_paths

    attendance_paths(spec, ok, _ERROR)
    from app.api.reviews import openapi_paths as review_paths

    review_paths(spec, ok, _ERROR)
    from app.api.welfare_checks import openapi_paths as welfare_check_paths

    welfare_check_paths(spec, ok, _ERROR)
    from app.api.qa import openapi_paths as qa_paths

    qa_paths(spec, ok, _ERROR)
    from app.api.reports import openapi_paths as report_paths

    report_paths(spec, ok, _ERROR)
    from app.api.part_time import openapi_paths as part_time_paths

    part_time_paths(spec, ok, _ERROR)
    from app.api.flexi_schooling import openapi_paths as flexi_paths

    flexi_paths(spec, ok, _ERROR)
    from app.api.census import openapi_paths as census_paths

    census_paths(spec, ok, _ERROR)
    from app.api.tasks import openapi_paths as task_paths

    task_paths(spec, ok, _ERROR)
    from app.api.outbox import openapi_paths as outbox_paths

    outbox_paths(spec, ok, _ERROR)
    from app.api.webhooks import openapi_paths as webhook_paths

    webhook_paths(spec, ok, _ERROR)
    return spec.to_dict()

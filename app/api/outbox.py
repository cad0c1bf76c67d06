"""API: the outbox as the designated trustee sees it in the trust admin (issue 17 item 1), read-only: each
notification's recipient, audience, kind (its template), what record it is about, status, attempts and last
error; never its subject or body (they name pupils: issue 13 item 4). Paged by id with `after_id`. Read in the
trustee's recorded trust scope (app.services.outbox_reading). Schemas live here, beside the resource;
app.api.openapi adds `openapi_paths`.
"""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import fields, validate

from app.api.auth import api_route, parse_query
from app.api.limits import Schema
from app.api.routes import bp
from app.models import Audience, NotificationStatus
from app.permissions import Permission
from app.services import outbox_reading as service
from tenants import trust_scope

PAGE_MAX = 200


class OutboxNotificationSchema(Schema):
    id = fields.Integer()
    school_id = fields.Integer(allow_none=True, metadata={"description": "null: a trust-level message"})
    created_at = fields.DateTime(metadata={"description": "When it was queued"})
    audience = fields.String(attribute="audience.value")
    recipient_email = fields.String()
    recipient_name = fields.String(allow_none=True)
    recipient_user_id = fields.Integer(allow_none=True)
    template = fields.String(metadata={"description": "The kind of message, e.g. placement_commissioned"})
    about_type = fields.String(allow_none=True)
    about_id = fields.Integer(allow_none=True)
    urgent = fields.Boolean()
    delivery = fields.String(attribute="delivery.value", metadata={"description": "immediate | digest"})
    status = fields.String(attribute="status.value",
                           metadata={"description": "pending | sending | sent | in_digest | failed"})
    attempts = fields.Integer()
    next_attempt_at = fields.DateTime(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)
    reclaimed_at = fields.DateTime(allow_none=True, metadata={
        "description": "Set when a worker stopped while sending: it may have been delivered twice"})
    last_error = fields.String(allow_none=True)
    message_id = fields.String()


class OutboxQuerySchema(Schema):
    """GET /trust/outbox?status=failed&after_id=120&limit=50"""

    after_id = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_MAX))
    status = fields.Enum(NotificationStatus, by_value=True, load_default=None)
    audience = fields.Enum(Audience, by_value=True, load_default=None)
    school_id = fields.Integer(load_default=None)


class OutboxPageSchema(Schema):
    items = fields.List(fields.Nested(OutboxNotificationSchema))
    next_after_id = fields.Integer(allow_none=True, metadata={"description": "null: this is the last page"})


@bp.get("/trust/outbox")
@api_route(permission=Permission.TRUST_ADMIN)
def outbox():
    """Every school's notifications and the trust's own, by id."""
    query = parse_query(OutboxQuerySchema())
    with trust_scope(g.api_user.id, "API: the outbox, read by the designated trustee"):
        rows = service.notifications_page(query["after_id"], query["limit"] + 1, query["status"],
                                          query["audience"], query["school_id"])
        page = rows[:query["limit"]]
        body = OutboxPageSchema().dump({"items": page,
                                        "next_after_id": page[-1].id if len(rows) > query["limit"] else None})
    return jsonify(body)


@bp.get("/trust/outbox/<int:notification_id>")
@api_route(permission=Permission.TRUST_ADMIN)
def outbox_notification(notification_id: int):
    with trust_scope(g.api_user.id, "API: a notification, read by the designated trustee"):
        body = OutboxNotificationSchema().dump(service.access_notification(notification_id))
    return jsonify(body)


def openapi_paths(spec, ok, error) -> None:
    """The outbox resources in the OpenAPI document (called by app.api.openapi)."""
    spec.components.schema("OutboxNotification", schema=OutboxNotificationSchema)
    spec.components.schema("OutboxPage", schema=OutboxPageSchema)
    secured = [{"bearer": []}]
    errors = {"401": error, "403": error}

    def query(name, schema):
        return {"name": name, "in": "query", "required": False, "schema": schema}

    spec.path("/api/v1/trust/outbox", operations={"get": {
        "summary": "The outbox, for the designated trustee: recipients and status, no bodies", "security": secured,
        "parameters": [query("after_id", {"type": "integer"}),
                       query("limit", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}),
                       query("status", {"type": "string", "enum": [s.value for s in NotificationStatus]}),
                       query("audience", {"type": "string", "enum": [a.value for a in Audience]}),
                       query("school_id", {"type": "integer"})],
        "responses": {"200": ok("OutboxPage"), "400": error, **errors}}})
    spec.path("/api/v1/trust/outbox/{notification_id}", operations={"get": {
        "summary": "One notification of the outbox, without its body", "security": secured,
        "parameters": [{"name": "notification_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": ok("OutboxNotification"), "404": error, **errors}}})

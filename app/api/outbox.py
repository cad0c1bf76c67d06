"""API: the outbox as the designated trustee sees it in the trust admin (issue 17 item 1), read-only: each
notification's recipient, audience, kind (its template), what record it is about, status, attempts and last
error; never its subject or body (they name pupils: issue 13 item 4). Paged by id (`?limit=`, `?cursor=`). Read in
the trustee's recorded trust scope (app.services.outbox_reading). Each route declares its contract
(app.api.contract).
"""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import fields

from app.api.auth import api_route, parse_query
from app.api.limits import Schema
from app.api.paging import keyset_page
from app.api.routes import bp
from app.models import Audience, NotificationStatus
from app.permissions import Permission
from app.services import outbox_reading as service
from tenants import trust_scope


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
    """GET /trust/outbox?status=failed (and the pager's limit and cursor)"""

    status = fields.Enum(NotificationStatus, by_value=True, load_default=None)
    audience = fields.Enum(Audience, by_value=True, load_default=None)
    school_id = fields.Integer(load_default=None)


@bp.get("/trust/outbox")
@api_route(permission=Permission.TRUST_ADMIN, response=OutboxNotificationSchema, many=True, query=OutboxQuerySchema)
def outbox():
    """Every school's notifications and the trust's own, by id: recipients and status, no bodies."""
    query = parse_query()
    with trust_scope(g.api_user.id, "API: the outbox, read by the designated trustee"):
        return keyset_page(lambda after, limit: service.notifications_page(
            after or 0, limit, query["status"], query["audience"], query["school_id"]),
            OutboxNotificationSchema(many=True))


@bp.get("/trust/outbox/<int:notification_id>")
@api_route(permission=Permission.TRUST_ADMIN, response=OutboxNotificationSchema)
def outbox_notification(notification_id: int):
    """One notification of the outbox, without its body."""
    with trust_scope(g.api_user.id, "API: a notification, read by the designated trustee"):
        body = OutboxNotificationSchema().dump(service.access_notification(notification_id))
    return jsonify(body)

"""API: the trust's webhook subscriptions and their deliveries, for the designated trustee (issue 17 item 5), as
the trust admin has them: list, make (the secret in this one answer only), read and change subscriptions; read
deliveries (status, attempts, the receiver's last reply), paged by id, and retry a failed one. The same rules
as the admin (app.services.webhook_subscriptions), in the trustee's recorded trust scope. Schemas live here,
beside the resource; app.api.openapi adds `openapi_paths`.
"""
from __future__ import annotations

from flask import g, jsonify
from marshmallow import RAISE, ValidationError, fields, validate

from app.api.auth import api_route, parse_body, parse_query
from app.api.limits import Schema
from app.api.paging import keyset_page, page
from app.api.routes import bp
from app.models import WebhookDeliveryStatus, WebhookEventType
from app.permissions import Permission
from app.services import webhook_subscriptions as service
from tenants import trust_scope

EVENT_TYPES = [t.value for t in WebhookEventType]


class WebhookSubscriptionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String(), metadata={"description": ", ".join(EVENT_TYPES)})
    is_active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class WebhookSubscriptionCreatedSchema(WebhookSubscriptionSchema):
    secret = fields.String(metadata={"description": "Shown in this answer only: keep it in the receiving system"})


class WebhookSubscriptionInputSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "https://... (http only to loopback in testing)"})
    event_types = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), required=True)
    is_active = fields.Boolean(load_default=True)


class WebhookSubscriptionChangeSchema(WebhookSubscriptionInputSchema):
    """A change: the fields given replace the subscription's; the others stay."""

    name = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)))
    is_active = fields.Boolean()


class WebhookDeliverySchema(Schema):
    id = fields.Integer()
    subscription_id = fields.Integer()
    event_id = fields.String(attribute="event.event_id", metadata={"description": "What the receiver dedupes by"})
    event_type = fields.String(attribute="event.event_type.value")
    status = fields.String(attribute="status.value", metadata={"description": "pending | sending | delivered | failed"})
    attempts = fields.Integer()
    last_response_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    reclaimed_at = fields.DateTime(allow_none=True, metadata={
        "description": "Set when a worker stopped while sending: the receiver may have had it twice"})
    created_at = fields.DateTime()


class WebhookDeliveriesQuerySchema(Schema):
    """GET /trust/webhook-deliveries?status=failed (and the pager's limit and cursor)"""

    status = fields.Enum(WebhookDeliveryStatus, by_value=True, load_default=None)
    subscription_id = fields.Integer(load_default=None)


def _refused(errors: dict[str, str]):
    raise ValidationError({name: [message] for name, message in errors.items()})


def _scope(what: str):
    return trust_scope(g.api_user.id, f"API: webhook {what}, by the designated trustee")


@bp.get("/trust/webhook-subscriptions")
@api_route(permission=Permission.TRUST_ADMIN, response=WebhookSubscriptionSchema, many=True)
def webhook_subscriptions():
    """The trust's webhook subscriptions."""
    with _scope("subscriptions"):
        return page(service.subscriptions(), WebhookSubscriptionSchema(many=True))


@bp.post("/trust/webhook-subscriptions")
@api_route(permission=Permission.TRUST_ADMIN, body=WebhookSubscriptionInputSchema, response=WebhookSubscriptionCreatedSchema,
           status=201)
def create_webhook_subscription():
    """A new subscription; its secret is in this answer only."""
    values = parse_body()
    with _scope("subscription made"):
        result = service.create_subscription(service.SubscriptionInput(**values), by=g.api_user)
        if not result.ok:
            _refused(result.errors)
        body = WebhookSubscriptionCreatedSchema().dump(result.record.subscription)  # its secret: this answer only
    return jsonify(body), 201


@bp.get("/trust/webhook-subscriptions/<int:subscription_id>")
@api_route(permission=Permission.TRUST_ADMIN, response=WebhookSubscriptionSchema)
def webhook_subscription(subscription_id: int):
    """One subscription (never its secret)."""
    with _scope("subscription"):
        return jsonify(WebhookSubscriptionSchema().dump(service.access_subscription(subscription_id)))


@bp.patch("/trust/webhook-subscriptions/<int:subscription_id>")
@api_route(permission=Permission.TRUST_ADMIN, body=WebhookSubscriptionChangeSchema, response=WebhookSubscriptionSchema)
def change_webhook_subscription(subscription_id: int):
    """Change the name, address, events or whether it is active (the secret stays)."""
    values = parse_body()
    with _scope("subscription changed"):
        subscription = service.access_subscription(subscription_id)
        current = dict(name=subscription.name, url=subscription.url, event_types=list(subscription.event_types),
                       is_active=subscription.is_active)
        result = service.update_subscription(subscription, service.SubscriptionInput(**{**current, **values}))
        if not result.ok:
            _refused(result.errors)
        return jsonify(WebhookSubscriptionSchema().dump(result.record))


@bp.get("/trust/webhook-deliveries")
@api_route(permission=Permission.TRUST_ADMIN, response=WebhookDeliverySchema, many=True, query=WebhookDeliveriesQuerySchema)
def webhook_deliveries():
    """Every delivery by id, with its event's id and type, status, attempts and the receiver's last reply."""
    query = parse_query()
    with _scope("deliveries"):
        return keyset_page(lambda after, limit: service.deliveries(after or 0, limit, query["status"],
                                                                   query["subscription_id"]),
                           WebhookDeliverySchema(many=True))


@bp.get("/trust/webhook-deliveries/<int:delivery_id>")
@api_route(permission=Permission.TRUST_ADMIN, response=WebhookDeliverySchema)
def webhook_delivery(delivery_id: int):
    """One delivery."""
    with _scope("delivery"):
        return jsonify(WebhookDeliverySchema().dump(service.access_delivery(delivery_id)))


@bp.post("/trust/webhook-deliveries/<int:delivery_id>/retry")
@api_route(permission=Permission.TRUST_ADMIN, response=WebhookDeliverySchema, errors=(400,))
def retry_webhook_delivery(delivery_id: int):
    """A failed delivery sent again (within a minute), attempts kept; refused (field `status`) unless failed."""
    with _scope("delivery retried"):
        delivery = service.access_delivery(delivery_id)
        if not service.retry_failed_deliveries([delivery.id], actor_id=g.api_user.id):
            _refused({"status": "Only a failed delivery can be retried."})
        return jsonify(WebhookDeliverySchema().dump(service.access_delivery(delivery_id)))


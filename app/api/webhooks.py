"""API: the trust's webhook subscriptions and their deliveries, for the designated trustee (issue 17 item 5), as
the trust admin has them: list, make (the secret in this one answer only), read and change subscriptions; read
deliveries (status, attempts, the receiver's last reply), paged by id, and retry a failed one. The same rules
as the admin (app.services.webhook_subscriptions), in the trustee's recorded trust scope. Schemas live here,
beside the resource; app.api.openapi adds `openapi_paths`.
"""
from __future__ import annotations

from flask import g, jsonify, request
from marshmallow import RAISE, ValidationError, fields, validate

from app.api.auth import ApiError, api_route, parse_query
from app.api.limits import Schema
from app.api.routes import bp
from app.models import WebhookDeliveryStatus, WebhookEventType
from app.permissions import Permission
from app.services import webhook_subscriptions as service
from tenants import trust_scope

PAGE_MAX = 200
EVENT_TYPES = [t.value for t in WebhookEventType]


class SubscriptionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String(), metadata={"description": ", ".join(EVENT_TYPES)})
    is_active = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CreatedSubscriptionSchema(SubscriptionSchema):
    secret = fields.String(metadata={"description": "Shown in this answer only: keep it in the receiving system"})


class SubscriptionInputSchema(Schema):
    class Meta:
        unknown = RAISE

    name = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "https://... (http only to loopback in testing)"})
    event_types = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)), required=True)
    is_active = fields.Boolean(load_default=True)


class SubscriptionChangeSchema(SubscriptionInputSchema):
    """A change: the fields given replace the subscription's; the others stay."""

    name = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String(validate=validate.OneOf(EVENT_TYPES)))
    is_active = fields.Boolean()


class DeliverySchema(Schema):
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


class DeliveriesQuerySchema(Schema):
    after_id = fields.Integer(load_default=0, validate=validate.Range(min=0))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_MAX))
    status = fields.Enum(WebhookDeliveryStatus, by_value=True, load_default=None)
    subscription_id = fields.Integer(load_default=None)


class DeliveriesPageSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
    next_after_id = fields.Integer(allow_none=True, metadata={"description": "null: this is the last page"})


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object.")
    return body


def _refused(errors: dict[str, str]):
    raise ValidationError({name: [message] for name, message in errors.items()})


def _scope(what: str):
    return trust_scope(g.api_user.id, f"API: webhook {what}, by the designated trustee")


@bp.get("/trust/webhook-subscriptions")
@api_route(permission=Permission.TRUST_ADMIN)
def webhook_subscriptions():
    with _scope("subscriptions"):
        return jsonify({"items": SubscriptionSchema(many=True).dump(service.subscriptions())})


@bp.post("/trust/webhook-subscriptions")
@api_route(permission=Permission.TRUST_ADMIN)
def create_webhook_subscription():
    """A new subscription; its secret is in this answer only."""
    values = SubscriptionInputSchema().load(_body())
    with _scope("subscription made"):
        result = service.create_subscription(service.SubscriptionInput(**values), by=g.api_user)
        if not result.ok:
            _refused(result.errors)
        body = CreatedSubscriptionSchema().dump(result.record.subscription)  # its secret: this answer only
    return jsonify(body), 201


@bp.get("/trust/webhook-subscriptions/<int:subscription_id>")
@api_route(permission=Permission.TRUST_ADMIN)
def webhook_subscription(subscription_id: int):
    with _scope("subscription"):
        return jsonify(SubscriptionSchema().dump(service.access_subscription(subscription_id)))


@bp.patch("/trust/webhook-subscriptions/<int:subscription_id>")
@api_route(permission=Permission.TRUST_ADMIN)
def change_webhook_subscription(subscription_id: int):
    """Change the name, address, events or whether it is active (the secret stays)."""
    values = SubscriptionChangeSchema().load(_body())
    with _scope("subscription changed"):
        subscription = service.access_subscription(subscription_id)
        current = dict(name=subscription.name, url=subscription.url, event_types=list(subscription.event_types),
                       is_active=subscription.is_active)
        result = service.update_subscription(subscription, service.SubscriptionInput(**{**current, **values}))
        if not result.ok:
            _refused(result.errors)
        return jsonify(SubscriptionSchema().dump(result.record))


@bp.get("/trust/webhook-deliveries")
@api_route(permission=Permission.TRUST_ADMIN)
def webhook_deliveries():
    """Every delivery by id, with its event's id and type, status, attempts and the receiver's last reply."""
    query = parse_query(DeliveriesQuerySchema())
    with _scope("deliveries"):
        rows = service.deliveries(query["after_id"], query["limit"] + 1, query["status"], query["subscription_id"])
        page = rows[:query["limit"]]
        return jsonify(DeliveriesPageSchema().dump(
            {"items": page, "next_after_id": page[-1].id if len(rows) > query["limit"] else None}))


@bp.get("/trust/webhook-deliveries/<int:delivery_id>")
@api_route(permission=Permission.TRUST_ADMIN)
def webhook_delivery(delivery_id: int):
    with _scope("delivery"):
        return jsonify(DeliverySchema().dump(service.access_delivery(delivery_id)))


@bp.post("/trust/webhook-deliveries/<int:delivery_id>/retry")
@api_route(permission=Permission.TRUST_ADMIN)
def retry_webhook_delivery(delivery_id: int):
    """A failed delivery sent again (within a minute), attempts kept; refused (field `status`) unless failed."""
    with _scope("delivery retried"):
        delivery = service.access_delivery(delivery_id)
        if not service.retry_failed_deliveries([delivery.id], actor_id=g.api_user.id):
            _refused({"status": "Only a failed delivery can be retried."})
        return jsonify(DeliverySchema().dump(service.access_delivery(delivery_id)))


def openapi_paths(spec, ok, error) -> None:
    """The webhook resources in the OpenAPI document (called by app.api.openapi)."""
    for name, schema in (("WebhookSubscription", SubscriptionSchema), ("WebhookDelivery", DeliverySchema),
                         ("WebhookSubscriptionCreated", CreatedSubscriptionSchema),
                         ("WebhookSubscriptionInput", SubscriptionInputSchema),
                         ("WebhookSubscriptionChange", SubscriptionChangeSchema),
                         ("WebhookDeliveriesPage", DeliveriesPageSchema)):
        spec.components.schema(name, schema=schema)
    secured = [{"bearer": []}]
    errors = {"401": error, "403": error}
    base = "/api/v1/trust/webhook-subscriptions"

    def path_id(name):
        return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}

    def query(name, schema):
        return {"name": name, "in": "query", "required": False, "schema": schema}

    def body(ref):
        return {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}

    spec.path(base, operations={
        "get": {"summary": "The trust's webhook subscriptions", "security": secured,
                "responses": {"200": ok({"type": "object", "properties": {"items": {
                    "type": "array", "items": {"$ref": "#/components/schemas/WebhookSubscription"}}}}), **errors}},
        "post": {"summary": "Subscribe a system to events; the secret is in this answer only", "security": secured,
                 "requestBody": body("#/components/schemas/WebhookSubscriptionInput"),
                 "responses": {"201": ok("WebhookSubscriptionCreated"), "400": error, **errors}}})
    spec.path(base + "/{subscription_id}", operations={
        "get": {"summary": "One webhook subscription (never its secret)", "security": secured,
                "parameters": [path_id("subscription_id")],
                "responses": {"200": ok("WebhookSubscription"), "404": error, **errors}},
        "patch": {"summary": "Change a subscription's name, address, events or whether it is active",
                  "security": secured, "parameters": [path_id("subscription_id")],
                  "requestBody": body("#/components/schemas/WebhookSubscriptionChange"),
                  "responses": {"200": ok("WebhookSubscription"), "400": error, "404": error, **errors}}})
    spec.path("/api/v1/trust/webhook-deliveries", operations={"get": {
        "summary": "Webhook deliveries by id: status, attempts, the receiver's last reply", "security": secured,
        "parameters": [query("after_id", {"type": "integer"}),
                       query("limit", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}),
                       query("status", {"type": "string", "enum": [s.value for s in WebhookDeliveryStatus]}),
                       query("subscription_id", {"type": "integer"})],
        "responses": {"200": ok("WebhookDeliveriesPage"), "400": error, **errors}}})
    spec.path("/api/v1/trust/webhook-deliveries/{delivery_id}", operations={"get": {
        "summary": "One webhook delivery", "security": secured, "parameters": [path_id("delivery_id")],
        "responses": {"200": ok("WebhookDelivery"), "404": error, **errors}}})
    spec.path("/api/v1/trust/webhook-deliveries/{delivery_id}/retry", operations={"post": {
        "summary": "Send a failed delivery again", "security": secured, "parameters": [path_id("delivery_id")],
        "responses": {"200": ok("WebhookDelivery"), "400": error, "404": error, **errors}}})

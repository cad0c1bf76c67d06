"""Webhooks in the trust admin (issue 17 item 5): the designated trustee's subscriptions (the secret shown once,
when made or renewed) and every delivery with its status, attempts and the receiver's last reply; a failed one
can be retried. Runs, like all of the admin, in the trustee's recorded trust scope; the rules are in
app.services.webhook_subscriptions."""
from __future__ import annotations

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField

from app.admin.base import TrusteeModelView
from app.extensions import db
from app.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEventType, WebhookSubscription
from app.services import webhook_subscriptions as service

_SHOW_ONCE = ("Copy it into the receiving system now: it is not shown again. It verifies the "
              "X-APHub-Signature header of each delivery (docs/webhooks.md).")


def _event_types_cell(view, context, model, name):
    return ", ".join(WebhookEventType(t).label for t in model.event_types or [])


class WebhookSubscriptionView(TrusteeModelView):
    can_view_details = True
    column_list = ("name", "url", "event_types", "is_active", "created_at", "updated_at")
    column_details_exclude_list = ("secret",)
    column_labels = {"url": "Address", "event_types": "Events", "is_active": "Active"}
    column_formatters = {"event_types": _event_types_cell}
    column_formatters_detail = column_formatters
    form_columns = ("name", "url", "chosen_events", "is_active")
    form_extra_fields = {
        "chosen_events": SelectMultipleField(
            "Events", choices=[(t.value, t.label) for t in WebhookEventType],
            description="What the receiving system is sent. Each payload carries ids and the school, no names."),
    }
    form_args = {"url": {"label": "Address (https://...)"}}

    def on_form_prefill(self, form, id):
        form.chosen_events.data = list(self.get_one(id).event_types or [])

    @staticmethod
    def _input(form) -> service.SubscriptionInput:
        return service.SubscriptionInput(name=form.name.data, url=form.url.data,
                                         event_types=form.chosen_events.data, is_active=form.is_active.data)

    @staticmethod
    def _show_errors(form, errors: dict[str, str]) -> None:
        for name, message in errors.items():
            field = form.chosen_events if name == "event_types" else form[name]
            field.errors = [*field.errors, message]

    def create_model(self, form):
        result = service.create_subscription(self._input(form), by=current_user._get_current_object())
        if not result.ok:
            self._show_errors(form, result.errors)
            return False
        flash(f"The secret of '{result.record.subscription.name}': {result.record.secret} . {_SHOW_ONCE}", "success")
        return result.record.subscription

    def update_model(self, form, model):
        result = service.update_subscription(model, self._input(form))
        if not result.ok:
            self._show_errors(form, result.errors)
            return False
        return True

    @action("rotate_secret", "New secret", "Make a new secret? The receiver must be given it before the next event.")
    def action_rotate_secret(self, ids):
        for subscription in db.session.scalars(db.select(WebhookSubscription).where(
                WebhookSubscription.id.in_([int(i) for i in ids]))):
            secret = service.rotate_secret(subscription, current_user._get_current_object())
            flash(f"The new secret of '{subscription.name}': {secret} . {_SHOW_ONCE}", "success")


class WebhookDeliveryView(TrusteeModelView):
    form_base_class = FlaskForm  # the Retry action posts with the token the app's CSRFProtect checks
    can_create = False
    can_edit = False
    can_view_details = True
    simple_list_pager = True  # deliveries only grow (no retention rule yet): no count of all of them (issue 18)
    column_default_sort = ("id", True)
    column_list = ("id", "created_at", "subscription", "event", "status", "attempts", "last_response_code",
                   "next_attempt_at", "delivered_at", "reclaimed_at", "last_error")
    column_filters = (
        FilterEqual(WebhookDelivery.status, "Status", options=[(s.value, s.value) for s in WebhookDeliveryStatus]),
        "subscription_id",
    )
    named_filter_urls = True
    column_labels = {"created_at": "Queued", "event": "Event", "last_response_code": "Last reply",
                     "next_attempt_at": "Next attempt", "delivered_at": "Delivered", "last_error": "Last error",
                     "reclaimed_at": "May have been delivered twice (worker stopped while sending)"}

    @action("retry", "Retry", "Send the selected failed deliveries again?")
    def action_retry(self, ids):
        retried = service.retry_failed_deliveries(ids, actor_id=current_user.id)
        message = f"{len(retried)} delivery(ies) put back; they are sent within a minute."
        if len(ids) > len(retried):
            message += f" {len(ids) - len(retried)} selected had not failed and were left as they were."
        flash(message, "success" if retried else "warning")


def add_webhook_views(admin) -> None:
    admin.add_view(WebhookSubscriptionView(WebhookSubscription, db, endpoint="admin_webhook_subscription",
                                           category="Webhooks", name="Subscriptions"))
    admin.add_view(WebhookDeliveryView(WebhookDelivery, db, endpoint="admin_webhook_delivery",
                                       category="Webhooks", name="Deliveries"))

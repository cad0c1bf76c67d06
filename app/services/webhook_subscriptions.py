"""The trust's webhook subscriptions and their deliveries, as the designated trustee keeps and reads them (issue 17
item 5). The trust admin and the API call these, inside the trustee's recorded trust scope; each change to a
subscription is in the audit trail (the secret never is).

An address is https; plain http only to this machine's loopback where the settings allow it (testing,
development). No address inside this machine or a private network unless the settings name it (`address_refused`). The secret is made here and returned once, to be shown once: nothing displays it again.
"""
from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from app import clock
from app.audit import record_event
from app.extensions import db
from app.models import (
    User,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
    WebhookEventType,
    WebhookSubscription,
)
from app.services.keyset import record_or_not_found, rows_after
from app.services.results import Result, refused

NAME_MAX, URL_MAX = 200, 500
EVENT_TYPES = tuple(WebhookEventType)


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def private_networks(setting: str | None) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """WEBHOOK_PRIVATE_NETWORKS: the trust's own networks (its MIS inside them), comma-separated CIDRs."""
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in (setting or "").split(",")
                 if part.strip())


def address_refused(ip_text: str, allow_loopback: bool, allowed_networks=()) -> str | None:
    """Why a receiver at this IP address is not sent to, or None. A subscription must not make AP Hub reach
    into the machine it runs on or the network behind it (a cloud's metadata service at 169.254.169.254, a
    database on 10.x): only addresses on the internet, the trust's own networks named in the settings, and
    this machine where the settings allow it (testing, development)."""
    ip = ipaddress.ip_address(ip_text.split("%", 1)[0])
    ip = getattr(ip, "ipv4_mapped", None) or ip
    if ip.is_loopback:
        return None if allow_loopback else "this machine's own address"
    if any(ip in network for network in allowed_networks):
        return None
    if not ip.is_global or ip.is_multicast:
        return "a private or reserved address (name the trust's networks in WEBHOOK_PRIVATE_NETWORKS)"
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_refused(host: str, allow_loopback: bool, allowed_networks) -> str | None:
    """For the address as typed: an IP address checked now; a name checked when it is resolved, at each
    delivery (jobs/webhook_deliveries.py), since what it resolves to may change."""
    if _is_loopback(host):
        return None if allow_loopback else "this machine's own address"
    try:
        return address_refused(host, allow_loopback, allowed_networks)
    except ValueError:
        return None


def url_problem(url: str, allow_loopback_http: bool, allowed_networks=()) -> str | None:
    """Why this address cannot receive webhooks, or None."""
    url = (url or "").strip()
    if not url:
        return "Enter the address that receives the events."
    if len(url) > URL_MAX:
        return f"Keep the address to {URL_MAX} characters."
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        return "Enter a full address starting https://, such as https://mis.example.org/aphub-events."
    if parts.username or parts.password:
        return "Leave the user name and password out of the address: each delivery is signed instead."
    if parts.scheme == "http" and not (allow_loopback_http and _is_loopback(parts.hostname)):
        return "The address must start https:// (events are only sent encrypted)."
    refused = _host_refused(parts.hostname, allow_loopback_http, allowed_networks)
    if refused:
        return f"Events cannot be sent to {refused}."
    return None


@dataclass
class SubscriptionInput:
    name: str | None
    url: str | None
    event_types: Iterable[str] | None
    is_active: bool = True


def input_errors(data: SubscriptionInput) -> dict[str, str]:
    errors = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = "Enter a name for the receiving system, such as 'Trust MIS'."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name to {NAME_MAX} characters."
    problem = url_problem(data.url or "", current_app.config["WEBHOOK_ALLOW_LOOPBACK_HTTP"],
                          private_networks(current_app.config["WEBHOOK_PRIVATE_NETWORKS"]))
    if problem:
        errors["url"] = problem
    chosen = list(data.event_types or [])
    known = {t.value for t in EVENT_TYPES}
    if not chosen:
        errors["event_types"] = "Choose at least one kind of event."
    elif any(c not in known for c in chosen):
        errors["event_types"] = f"Choose from: {', '.join(sorted(known))}."
    return errors


def _apply(subscription: WebhookSubscription, data: SubscriptionInput) -> None:
    chosen = set(data.event_types or [])
    subscription.name = data.name.strip()
    subscription.url = data.url.strip()
    subscription.event_types = [t.value for t in EVENT_TYPES if t.value in chosen]
    subscription.is_active = bool(data.is_active)


@dataclass
class Created:
    subscription: WebhookSubscription
    secret: str  # shown once


def create_subscription(data: SubscriptionInput, by: User) -> Result:
    """A new subscription with a new secret (Result.record: `Created`, the secret to show once). Commits."""
    errors = input_errors(data)
    if errors:
        return refused(errors)
    subscription = WebhookSubscription(secret=new_secret(), created_by_id=by.id)
    _apply(subscription, data)
    db.session.add(subscription)
    db.session.commit()
    return Result(record=Created(subscription, subscription.secret))


def update_subscription(subscription: WebhookSubscription, data: SubscriptionInput) -> Result:
    """Change the name, address, events or whether it is active (the secret stays). Commits."""
    errors = input_errors(data)
    if errors:
        return refused(errors)
    _apply(subscription, data)
    db.session.commit()
    return Result(record=subscription)


def rotate_secret(subscription: WebhookSubscription, by: User) -> str:
    """A new secret, returned to show once; from now on deliveries are signed with it. Commits."""
    subscription.secret = new_secret()
    record_event(db.session, "webhook_secret_rotated", "WebhookSubscription", subscription.id, actor_id=by.id)
    db.session.commit()
    return subscription.secret


def subscriptions() -> list[WebhookSubscription]:
    return list(db.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def access_subscription(subscription_id: int) -> WebhookSubscription:
    return record_or_not_found(WebhookSubscription, subscription_id)


# --- deliveries ----------------------------------------------------------------------------------------------


def deliveries(after_id: int = 0, limit: int = 50, status: WebhookDeliveryStatus | None = None,
               subscription_id: int | None = None) -> list[WebhookDelivery]:
    """Deliveries by id, after `after_id` (a stable order to page through); each with its event (needs the
    trust scope: events belong to schools)."""
    return rows_after(WebhookDelivery, after_id, limit,
                      select(WebhookDelivery).join(WebhookEvent, WebhookDelivery.event_id == WebhookEvent.id),
                      status=status, subscription_id=subscription_id)


def access_delivery(delivery_id: int) -> WebhookDelivery:
    return record_or_not_found(WebhookDelivery, delivery_id)


def retry_failed_deliveries(ids: Iterable[int], actor_id: int | None) -> list[int]:
    """Failed -> pending, due now, attempts kept (the history shows every try); each retry audited. Commits;
    the dispatcher enqueues them within a minute."""
    ids = [int(i) for i in ids]
    if not ids:
        return []
    at, retried = clock.now(), []
    for delivery in db.session.scalars(select(WebhookDelivery).where(
            WebhookDelivery.id.in_(ids), WebhookDelivery.status == WebhookDeliveryStatus.FAILED)
            .order_by(WebhookDelivery.id)):
        delivery.status = WebhookDeliveryStatus.PENDING
        delivery.next_attempt_at = at
        delivery.claimed_at = None
        record_event(db.session, "webhook_delivery_retry", "WebhookDelivery", delivery.id, actor_id=actor_id,
                     detail=f"retried after {delivery.attempts} attempts; last error: "
                            f"{delivery.last_error or 'none'}"[:500])
        retried.append(delivery.id)
    db.session.commit()
    return retried

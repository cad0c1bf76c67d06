"""Signing a webhook delivery, and checking a signature as a receiver does (docs/webhooks.md).

    X-APHub-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the subscription's secret>

The timestamp is signed with the body, so a captured delivery cannot be replayed later with a fresh time; a
receiver refuses a timestamp further than its tolerance from its own clock and dedupes by the event id. Plain
Python: no Flask, no database.
"""
from __future__ import annotations

import hashlib
import hmac
import json

SIGNATURE_HEADER = "X-APHub-Signature"
EVENT_ID_HEADER = "X-APHub-Event-Id"
EVENT_TYPE_HEADER = "X-APHub-Event"
DEFAULT_TOLERANCE_SECONDS = 300


def canonical_body(payload: dict) -> bytes:
    """The bytes sent for an event: the same for every attempt, whatever the database did to key order."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, header: str | None, body: bytes, now: int,
           tolerance: int = DEFAULT_TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the header parsed, the timestamp within `tolerance` seconds of `now`, and the HMAC
    compared in constant time. Any `v1` in the header may match (a receiver rotating its secret)."""
    if not header:
        return False
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    stamps = [value for key, value in parts if key.strip() == "t"]
    sent = [value.strip() for key, value in parts if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not sent:
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in sent)

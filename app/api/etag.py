"""Optimistic concurrency on updates (issue 17 item 3): a resource's ETag is a digest of its representation, so
any change to what a reader saw changes it. A write to an existing resource sends it back in If-Match: a stale
one is a 412 and nothing is saved; a PUT or PATCH without one is a 428, so two people cannot overwrite each
other silently."""
from __future__ import annotations

import hashlib
import json

from flask import jsonify, request

from app.api.auth import ApiError


def etag_of(body: dict) -> str:
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f'"{digest[:32]}"'


def check_if_match(current: dict) -> None:
    """Before a write: the If-Match header against the representation the resource has now."""
    sent = request.headers.get("If-Match")
    if sent is None:
        if request.method in ("PUT", "PATCH"):
            raise ApiError(428, "Send the resource's ETag in If-Match, so a change made meanwhile is not lost.")
        return
    wanted = {tag.strip().removeprefix("W/") for tag in sent.split(",")}
    if "*" not in wanted and etag_of(current) not in wanted:
        raise ApiError(412, "The resource has changed since you read it: read it again, then retry.")


def tagged(body: dict, status: int = 200):
    """The JSON response with its ETag."""
    response = jsonify(body)
    response.status_code = status
    response.headers["ETag"] = etag_of(body)
    return response

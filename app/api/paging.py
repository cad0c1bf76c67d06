"""Every API list in pages (issue 17 item 3): a stable order (by id, or the key a list names), `?limit=` (1-200,
50 when not given) and an opaque `?cursor=` taken from the `next` link of the page before."""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable
from operator import attrgetter

from flask import jsonify, request, url_for
from marshmallow import ValidationError, fields, validate

from app.api.limits import Schema
from app.input_edges import INT64_MAX

LIMIT_DEFAULT, LIMIT_MAX = 50, 200


class PageQuerySchema(Schema):
    limit = fields.Integer(load_default=LIMIT_DEFAULT, validate=validate.Range(min=1, max=LIMIT_MAX),
                           metadata={"description": f"Items a page, 1-{LIMIT_MAX} ({LIMIT_DEFAULT} when not given)"})
    cursor = fields.String(validate=validate.Length(max=64),
                           metadata={"description": "Where the page starts: take it from the `next` link"})


def encode_cursor(after) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def _fits(value) -> bool:
    if isinstance(value, list):
        return bool(value) and all(_fits(v) for v in value)
    return isinstance(value, str) or (isinstance(value, int) and -INT64_MAX <= value <= INT64_MAX)


def decode_cursor(cursor: str):
    """The key of the last item of the page before (a list key comes back as a tuple)."""
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())["after"]
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, KeyError):
        after = None
    if after is None or not _fits(after):
        raise ValidationError({"cursor": ["Not a cursor of this list: take it from the `next` link."]})
    return tuple(after) if isinstance(after, list) else after


def page(rows: Iterable, schema, key: Callable = attrgetter("id"), **envelope):
    """One page of `rows` in the order of `key` (an integer or a tuple of integers and strings, unique in the
    list), dumped by `schema` (an instance made with many=True), with a `next` link while more follow."""
    args = PageQuerySchema().load({k: v for k, v in request.args.items() if k in ("limit", "cursor")})
    limit = args["limit"]
    ordered = sorted(rows, key=key)
    if "cursor" in args:
        after = decode_cursor(args["cursor"])
        try:
            ordered = [row for row in ordered if key(row) > after]
        except TypeError:  # a cursor of another list
            raise ValidationError({"cursor": ["Not a cursor of this list: take it from the `next` link."]}) from None
    return _answer(ordered, limit, schema, key, envelope)


def keyset_page(fetch: Callable, schema, key: Callable = attrgetter("id"), **envelope):
    """As `page`, for a list too long to load whole (the outbox, webhook deliveries): `fetch(after, limit)` returns
    at most `limit` rows whose key is above `after` (None: from the start), in key order, from the database."""
    args = PageQuerySchema().load({k: v for k, v in request.args.items() if k in ("limit", "cursor")})
    after = decode_cursor(args["cursor"]) if "cursor" in args else None
    if after is not None and not isinstance(after, int):
        raise ValidationError({"cursor": ["Not a cursor of this list: take it from the `next` link."]})
    return _answer(fetch(after, args["limit"] + 1), args["limit"], schema, key, envelope)


def _answer(rows: list, limit: int, schema, key: Callable, envelope: dict):
    """The page's first `limit` rows, with a `next` link carrying the query's other arguments while more follow."""
    chunk = rows[:limit]
    following = None
    if len(rows) > limit:
        kept = {k: v for k, v in request.args.items() if k not in ("limit", "cursor")}
        following = url_for(request.endpoint, **(request.view_args or {}), **kept, limit=limit,
                            cursor=encode_cursor(key(chunk[-1])))
    return jsonify({**envelope, "items": schema.dump(chunk), "next": following})

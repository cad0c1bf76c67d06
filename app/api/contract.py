"""What an API route promises, declared once beside it (`api_route(..., response=..., many=True)`): the document
(app.api.openapi) is generated from these declarations and the URL map, and the tests check every response
against it, so the document cannot drift from the responses.

To convert a route written the old way (a hand-written `openapi_paths` entry): move its schemas into the
`api_route` call (`response=`, `many=True` for a list, `query=`, `body=`, `status=201`), return lists with
`app.api.paging.page`, read input with `parse_query()` / `parse_body()`, and delete the `openapi_paths` entry.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.permissions import Permission


@dataclass(frozen=True)
class Contract:
    permission: Permission | None = None
    response: type | None = None  # the marshmallow schema of the success body (of each item, for a list)
    many: bool = False  # a list in pages: {"items": [...], "next": link or null}, ?limit= and ?cursor=
    envelope: dict | None = None  # a list's properties beside items and next (JSON Schema), e.g. its date range
    query: type | None = None  # the query string's schema (an allow-list)
    body: type | None = None  # the JSON body's schema (an allow-list)
    status: int = 200
    errors: tuple[int, ...] = ()  # failures beyond those the declaration implies (401, 403, 404, 400, 412, 428)
    etag: bool = False  # the response carries an ETag; a write needs If-Match (412 when stale, 428 when missing)
    summary: str | None = None  # else the view's docstring's first line
    public: bool = False  # no token needed
    content_type: str = "application/json"

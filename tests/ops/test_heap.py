"""A web worker freezes its long-lived objects now and then (app.heap), after a response is sent, not before."""
from __future__ import annotations

import gc

from app import create_app
from config import TestingConfig


def _app(every: int, redis_server):
    # the suite's Redis: the rate limiter is one extension, and the app made last points it at its REDIS_URL
    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://", REDIS_URL=redis_server.url,
                      HEAP_SETTLE_EVERY=every)


def _in_collectors_sight(thing) -> bool:
    return any(o is thing for o in gc.get_objects())  # frozen objects are listed in no generation


def test_the_first_response_of_a_page_freezes_what_was_built_for_it_once_it_is_sent(redis_server):
    client = _app(100, redis_server).test_client()
    built = [{"stands for": "a template or statement compiled for the page"}]
    first = client.get("/healthz")
    assert first.status_code == 200
    assert _in_collectors_sight(built)  # the response is not sent yet
    first.close()
    assert not _in_collectors_sight(built)
    built_later = [{"stands for": "another"}]
    client.get("/healthz").close()
    assert _in_collectors_sight(built_later)  # the page's second response: not again
    client.get("/readyz").close()
    assert not _in_collectors_sight(built_later)  # another page's first


def test_every_nth_response_freezes_again(redis_server):
    client = _app(3, redis_server).test_client()
    client.get("/healthz").close()  # the page's first (and the worker's first)
    built = [{"stands for": "a template or statement the worker keeps"}]
    client.get("/healthz").close()
    assert _in_collectors_sight(built)  # the second: not yet
    client.get("/healthz").close()
    assert not _in_collectors_sight(built)  # the third


def test_the_suites_app_never_settles(redis_server):
    client = _app(0, redis_server).test_client()
    built = [{"stands for": "a template or statement the worker keeps"}]
    for _ in range(5):
        client.get("/healthz").close()
    assert _in_collectors_sight(built)

"""The web worker's long-lived objects, kept out of the garbage collector's full passes.

What a worker builds as it serves its first pages (compiled templates, SQLAlchemy's compiled statements, the
figures' query shapes) lives as long as the process, like the modules loaded at start (frozen by `init_app`).
A full collection walks every tracked object, so with those left in sight each full pass took 11-17 ms in the
middle of whichever request set it off (49 ms just after the pupil's record was first compiled): the slow tail
of every page (school dashboard at 1x history p50 49 ms, p95 56 ms; the providers list p50 39, p95 54). So after
the first response of each page (endpoint) and after every `HEAP_SETTLE_EVERY`-th response, once it has been
sent, the worker collects what is garbage and freezes the rest (`gc.freeze`); full passes then take 0-1 ms
(p95 48 and 42 ms). Frozen objects freed by reference counting are still freed; only garbage in reference
cycles made before a freeze would stay, and gunicorn's `max_requests` recycles the worker.
"""
from __future__ import annotations

import gc
import itertools

from flask import Flask, Response, request


def settle() -> None:
    gc.collect()
    gc.freeze()


def init_app(app: Flask) -> None:
    """Called last by the factory. Everything made so far (the modules, the app, its routes) lives as long as the
    process: frozen now. On the trust dashboard (50 schools, 10x history) the full collections' pauses were the
    slow tail: p95 338-346 ms against a p50 of 200; frozen, p95 210-218 ms (bench.oversight_pages, 30 requests).
    Before a fork, it also keeps the workers' copies of these pages shared."""
    gc.freeze()
    every = app.config.get("HEAP_SETTLE_EVERY", 0)
    if not every:
        return
    served, pages_served = itertools.count(1), set()

    @app.after_request
    def settle_now_and_then(response: Response) -> Response:
        first_of_its_page = request.endpoint not in pages_served
        if next(served) % every == 0 or first_of_its_page:
            pages_served.add(request.endpoint)
            response.call_on_close(settle)  # after the response is sent: no visitor waits for it
        return response

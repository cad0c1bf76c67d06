"""Race two or more actions against each other on the real database (issue 11, finding 5).

`at_once(app, action, action, ...)` runs each action in its own thread, with its own app context and session,
as concurrent requests are. Each action calls `ready()` once it has read what it acts on; all are released
together, so each has seen the record in its old state: exactly the race of a double click or of four people
pressing "Resolve" at once. Returns the results in order; re-raises the first exception."""
from __future__ import annotations

import threading


def at_once(app, *actions):
    barrier = threading.Barrier(len(actions), timeout=30)
    results: list = [None] * len(actions)
    errors: list[BaseException] = []

    def run(i, action):
        try:
            with app.app_context():
                results[i] = action(barrier.wait)
        except BaseException as exc:  # noqa: BLE001 (re-raised below)
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:  # the cause first, not a BrokenBarrierError it led to
        raise next((e for e in errors if not isinstance(e, threading.BrokenBarrierError)), errors[0])
    return results

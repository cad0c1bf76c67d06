"""Work done only once a transaction has committed (an email queued, a webhook delivered, the figure cache's
versions put up), noted as the ORM flushes: one wiring for each kind of such work."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event


def install_after_commit(session_target, note: Callable, act: Callable, noted_key: str) -> None:
    """Bound once, from the app factory, on the session class: `note(session, flush_context)` after every flush
    keeps in `session.info[noted_key]` what is to be done; `act(session)` does it after the commit; a rollback of
    the outermost transaction forgets it (its rows are gone)."""
    if event.contains(session_target, "after_commit", act):
        return

    def forget(session, previous_transaction) -> None:
        if previous_transaction.parent is None:
            session.info.pop(noted_key, None)

    event.listen(session_target, "after_flush", note)
    event.listen(session_target, "after_commit", act)
    event.listen(session_target, "after_soft_rollback", forget)

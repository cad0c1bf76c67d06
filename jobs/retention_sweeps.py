"""The weekly retention review (issue 19): carry out what the trust's data protection officer approved, then
list what has newly fallen due for their approval. Crosses schools by design (the officer is the trust's), so it
runs in the system scope; nothing is destroyed without an approval and each record is its own transaction."""
from __future__ import annotations

from app.services.retention import carry_out_approved, propose_due
from jobs.context import in_system


def retention_review() -> dict:
    with in_system("weekly retention review: approved disposals and newly due records"):
        carried_out = carry_out_approved()
        proposed = propose_due()
    return {"done": carried_out.done, "held": carried_out.held + proposed.held, "failed": carried_out.failed,
            "proposed": proposed.proposed}

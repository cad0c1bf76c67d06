"""The stored policy 7.2 verdict of each unregistered provider (issue 18 item 2).

The register, a provider's page and the placement forms show whether a provider must be registered as an
independent school, counted from every school's placements there (app.services.registration). Counting it on
each view read every placement and weekly session of the trust, so the counts are stored on the provider row
(`Provider.registration_*`) and recounted where their facts change:

- `refresh_registration_verdicts(provider_ids)`: the one function that recounts (in a system scope; only counts
  are stored, never another school's pupils) and stores each verdict, or clears it where the rule does not
  apply. It locks the providers' rows first, so two schools saving placements at one provider at once are
  counted one after the other, the second seeing the first's.
- the session hooks (`install_registration_verdicts`): each flush notes the providers whose facts it changed (a
  placement's provider, pupil, status, start or archiving; a weekly pattern; a pupil's date of birth, EHCP,
  looked-after or SEN support; a provider's registration status or archiving) and the commit recounts them
  before it ends. Whichever page, API route, job or import makes the change, the verdict commits with it.
- the morning sweep (`refresh_stale_verdicts`): ages are judged on the day counted, so each verdict counted
  before today is recounted.

`app.services.registration.stored_assessments` reads them back: a verdict not counted today is counted live
(read-only), so a reader never sees yesterday's.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import event, inspect, or_, select
from sqlalchemy.orm import Session

from app import clock
from app.extensions import db
from app.models import Placement, Provider, Pupil, RegistrationStatus, WeeklySession
from app.policy.registration import rule_applies
from app.services.registration import COUNTED_STATUSES, registration_assessments
from tenants import system_scope

# What the 7.2 count reads, by record: a change to any of these changes some provider's verdict.
FACTS = {
    Placement: ("provider_id", "pupil_id", "status", "start_date", "archived_at"),
    WeeklySession: ("placement_id", "starts_at", "ends_at"),
    Pupil: ("date_of_birth", "has_ehcp", "is_looked_after", "sen_support"),
    Provider: ("registration_status", "archived_at"),
}
_DUE = "aphub_registration_due"  # session.info: {"providers" | "placements" | "pupils": ids} awaiting a recount


def refresh_registration_verdicts(provider_ids: Iterable[int | None], today: dt.date | None = None) -> None:
    """Recount policy 7.2 for these providers across the trust and store each verdict with the day counted; a
    provider the rule does not apply to (registered) has none. Flushes; the caller's commit keeps it."""
    ids = sorted({i for i in provider_ids if i is not None})
    if not ids:
        return
    today = today or clock.today()
    reason = "registration rule 7.2: recounting the verdicts a change touched"
    with system_scope(reason):
        # Row locks, in id order: a concurrent recount of the same provider waits, then counts what this commits.
        providers = list(db.session.scalars(
            select(Provider).where(Provider.id.in_(ids)).order_by(Provider.id).with_for_update()))
        verdicts = registration_assessments(
            [p.id for p in providers if rule_applies(p.registration_status)], today, reason)
        for provider in providers:
            verdict = verdicts.get(provider.id)
            provider.registration_full_time_count = verdict.full_time_count if verdict else None
            provider.registration_one_pupil_count = verdict.one_pupil_count if verdict else None
            provider.registration_counted_on = today if verdict else None
        db.session.flush()


def refresh_stale_verdicts(today: dt.date | None = None) -> int:
    """The morning's recount: every unregistered provider whose verdict was counted before today (or never).
    Returns how many were recounted; the caller commits."""
    today = today or clock.today()
    with system_scope("registration rule 7.2: the morning's recount"):
        stale = list(db.session.scalars(select(Provider.id).where(
            Provider.registration_status == RegistrationStatus.UNREGISTERED,
            or_(Provider.registration_counted_on.is_(None), Provider.registration_counted_on < today))))
    refresh_registration_verdicts(stale, today)
    return len(stale)


# --- keeping them current: noted at each flush, recounted at the commit -------------------------------------


def _note(due: dict[str, set], obj, changed_only: bool) -> None:
    state = inspect(obj)
    if changed_only and not any(state.attrs[name].history.has_changes() for name in FACTS[type(obj)]):
        return
    if isinstance(obj, Provider):
        due["providers"].add(obj.id)
    elif isinstance(obj, Pupil):
        due["pupils"].add(obj.id)
    elif isinstance(obj, Placement):
        # Both the provider it was at and the one it is at now (a placement moved to another provider). Read from
        # what the session holds: a deleted row cannot be loaded again.
        due["providers"].update(state.attrs.provider_id.history.deleted or ())
        if "provider_id" in state.dict:
            due["providers"].add(state.dict["provider_id"])
        else:
            due["placements"].add(obj.id)  # its provider is read at the commit
    else:
        due["placements"].update(state.attrs.placement_id.history.deleted or ())
        due["placements"].add(state.dict.get("placement_id"))


def _after_flush(session: Session, _flush_context) -> None:
    touched = [(o, False) for o in (*session.new, *session.deleted) if type(o) in FACTS]
    touched += [(o, True) for o in session.dirty if type(o) in FACTS]
    if not touched:
        return
    due = session.info.setdefault(_DUE, {"providers": set(), "placements": set(), "pupils": set()})
    for obj, changed_only in touched:
        _note(due, obj, changed_only)


def _providers_of(due: dict[str, set]) -> set[int]:
    providers = due["providers"] - {None}
    placements, pupils = due["placements"] - {None}, due["pupils"] - {None}
    with system_scope("registration rule 7.2: the providers a change touched"):
        if placements:
            providers.update(db.session.scalars(select(Placement.provider_id).where(Placement.id.in_(placements))))
        if pupils:
            providers.update(db.session.scalars(select(Placement.provider_id).where(
                Placement.pupil_id.in_(pupils), Placement.status.in_(COUNTED_STATUSES),
                Placement.archived_at.is_(None))))
    return providers


def _before_commit(session: Session) -> None:
    if not session.info.get(_DUE) and not (session.new or session.deleted or session.dirty):
        return
    session.flush()  # the commit flushes after this hook: flush now, so this transaction's changes are noted
    due = session.info.pop(_DUE, None)
    if due:
        refresh_registration_verdicts(_providers_of(due))


def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # rolled back or committed: nothing left to recount
        session.info.pop(_DUE, None)


def install_registration_verdicts(session_class) -> None:
    for name, listener in (("after_flush", _after_flush), ("before_commit", _before_commit),
                           ("after_transaction_end", _forget)):
        if not event.contains(session_class, name, listener):
            event.listen(session_class, name, listener)

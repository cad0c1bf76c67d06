"""The trustee's admin, held to least privilege and plain reading (issue 13 item 4): times in England's local
time, people by name rather than id, no email bodies of school notifications, and a school role granted here
told at once to that school's headteacher and DSL and shown on its key contacts page."""
from __future__ import annotations

from datetime import datetime

from flask import g
from flask_admin.model import typefmt
from markupsafe import escape
from sqlalchemy import select

from app.audit import record_event
from app.extensions import db
from app.models import AuditEvent, School, SchoolRole, User
from app.roles import SchoolRoleName
from app.services.notifications import queue_for_users
from app.services.tasks import school_role_holders
from app.templating import localdatetime
from tenants import school_scope


def local_time(view, value, *args):
    return localdatetime(value)


def type_formatters(base: dict | None) -> dict:
    return {**(base or typefmt.BASE_FORMATTERS), datetime: local_time}


def _names(model_class, label: str, attribute: str, context, wanted: int) -> dict[int, str]:
    """Names by id for every row of the list page being drawn, read in one query on its first cell and kept on
    `g` for the request: a query per row grew the audit list with its rows (issue 18)."""
    cache = g.setdefault("_admin_names", {}).setdefault((model_class.__name__, attribute), {})
    if wanted not in cache:
        rows = (context.get("data") if context is not None else None) or []
        ids = {getattr(row, attribute, None) for row in rows} | {wanted}
        ids.discard(None)
        cache.update(db.session.execute(select(model_class.id, getattr(model_class, label))
                                        .where(model_class.id.in_(ids))).all())
        cache.setdefault(wanted, None)
    return cache


def person_name(attribute: str):
    """A column formatter showing the person an id column names, by name."""

    def formatter(view, context, model, name):
        user_id = getattr(model, attribute, None)
        if user_id is None:
            return ""
        full_name = _names(User, "full_name", attribute, context, user_id).get(user_id)
        return escape(full_name) if full_name is not None else f"#{user_id}"

    return formatter


def school_name(attribute: str):
    def formatter(view, context, model, name):
        school_id = getattr(model, attribute, None)
        if school_id is None:
            return ""
        school = _names(School, "name", attribute, context, school_id).get(school_id)
        return escape(school) if school is not None else f"#{school_id}"

    return formatter


def tell_school_of_role_grant(role, granted_by) -> None:
    """A trustee granted a school role: the school's headteacher(s) and DSL(s) are emailed at once (urgent), so
    nobody gains access to a school's safeguarding records without the school knowing. The caller commits."""
    with school_scope(role.school_id):
        people = [p for p in (school_role_holders(role.school_id, SchoolRoleName.HEADTEACHER)
                              + school_role_holders(role.school_id, SchoolRoleName.DSL)) if p.id != role.user_id]
        queue_for_users(people, dedupe_key=f"school-role-granted:{role.id}", template="school_role_granted",
                        urgent=True, school_id=role.school_id, about_type="User", about_id=role.user_id,
                        about_label=role.user.full_name[:200],
                        context={"person": role.user.full_name, "email": role.user.email,
                                 "role": role.role.label, "by": granted_by.full_name,
                                 "themselves": role.user_id == granted_by.id})
        db.session.flush()
    record_event(db.session, "school_role_granted", "SchoolRole", role.id, school_id=role.school_id,
                 actor_id=granted_by.id, detail=f"{role.user.full_name}: {role.role.label}"[:500])


def role_grants_for(school_id: int, limit: int = 20) -> list[dict]:
    """School roles granted through the trust admin for one school, newest first (from the audit trail)."""
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "school_role_granted",
                                                         AuditEvent.school_id == school_id)
                                .order_by(AuditEvent.at.desc()).limit(limit)).all()
    actor_ids = {e.actor_id for e in events if e.actor_id}
    role_ids = {int(e.record_id) for e in events if e.record_id}
    actors = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(actor_ids))).all()) \
        if actor_ids else {}
    current = set(db.session.scalars(select(SchoolRole.id).where(SchoolRole.id.in_(role_ids)))) if role_ids else set()
    grants = []
    for event in events:
        person, _, role = (event.detail or "").partition(": ")
        grants.append({"at": event.at, "person": person or "someone", "role": role,
                       "by": actors.get(event.actor_id) or "the trust",
                       "current": event.record_id is not None and int(event.record_id) in current})
    return grants

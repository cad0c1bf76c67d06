"""What an action will do and who will be told, said on its confirmation page before it is done (issue 14 item
3). The actions stay in their own services; this only reads, and names the same people those services tell:
placements.start_placement (7.12 notices to the LA, 7.6 the Virtual School Head, 7.5 the LA SEND team),
providers.suspend_provider (each school with an active placement there), welfare_records.record_check (not
located: KCSIE's missing-child procedure and the trust safeguarding lead)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import Placement, PlacementStatus, Provider, School, WelfareCheck
from app.policy.welfare import MISSING_CHILD_STEPS, record_errors
from app.roles import SchoolRoleName, TrustRoleName
from app.services.placements import la_recipients, needs_la_notice
from app.services.tasks import trust_role_holders
from tenants import system_scope


@dataclass
class Consequences:
    happens: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)
    # Why the action would be refused as things stand (the confirmation page says so instead of offering it).
    blocked: list[str] = field(default_factory=list)


def starts_later(placement: Placement, today: dt.date | None = None) -> bool:
    """A placement confirmed before its start date shows as "starts on ...", not active, until that day."""
    return placement.status == PlacementStatus.ACTIVE and placement.start_date > (today or clock.today())


def of_starting(placement: Placement) -> Consequences:
    result = Consequences()
    start = f"{placement.start_date:%A %-d %B %Y}"
    if placement.start_date > clock.today():
        result.happens.append(f"The placement is confirmed now and shows as \u201cstarts on {start}\u201d until that "
                              "day, when it becomes active.")
    else:
        result.happens.append(f"The placement becomes active now (it started on {start}).")
    sessions = len(placement.weekly_sessions)
    result.happens.append(
        f"Attendance at {placement.provider.name} is expected from {start}: {sessions} session"
        f"{'s' if sessions != 1 else ''} a week, to be confirmed each day on the attendance page.")
    result.happens.append("The change is recorded in the audit trail with your name.")
    if not needs_la_notice(placement):
        result.told.append("Nobody outside the school: this is the school's own on-site provision (7.12 speaks of "
                           "off-site placements).")
        return result
    school = db.session.get(School, placement.school_id)
    la = school.local_authority
    for _suffix, kind in la_recipients(placement.pupil):
        contact = la.contact(kind)
        if contact is None or not contact.email:
            result.blocked.append(f"{la.name} has no \u2018{kind.label}\u2019 contact with an email address: the "
                                  "designated trustee adds it in the trust admin first.")
        else:
            result.told.append(f"{contact.name}, {kind.label} at {la.name} ({contact.email}): the placement "
                               "notice, by email.")
    return result


def of_ending(placement: Placement) -> Consequences:
    result = Consequences()
    result.happens.append(f"The placement at {placement.provider.name} ends on the date you give: no sessions are "
                          "expected there after it, and it leaves the school's active placements.")
    result.happens.append("Its outcome (destination, progress, achievements and the pupil's own assessment) is "
                          "kept on the pupil's record (8.7).")
    result.told.append("Nobody is emailed: tell the provider and the family yourself.")
    return result


def _schools_with_active_placements(provider_id: int) -> list[tuple[str, int]]:
    with system_scope("confirmation page: which schools a suspension tells"):
        rows = db.session.execute(
            select(School.name, func.count(Placement.id))
            .join(School, School.id == Placement.school_id)
            .where(Placement.provider_id == provider_id, Placement.status == PlacementStatus.ACTIVE,
                   Placement.archived_at.is_(None))
            .group_by(School.name).order_by(School.name)).all()
    return [(name, count) for name, count in rows]


def of_suspending(provider: Provider) -> Consequences:
    result = Consequences()
    result.happens.append(f"{provider.name} takes no new placements until the suspension is lifted.")
    result.happens.append("Placements already running there carry on until each school reviews them.")
    schools = _schools_with_active_placements(provider.id)
    for name, count in schools:
        result.told.append(f"{name} ({count} active placement{'s' if count != 1 else ''}): its "
                           f"{SchoolRoleName.AP_LEADER.label}s and {SchoolRoleName.DSL.label}s by urgent email, and "
                           "a task for its AP leader to review them within 4 hours.")
    if not schools:
        result.told.append("No school has an active placement there, so nobody is emailed.")
    return result


def of_not_located(check: WelfareCheck) -> Consequences:
    result = Consequences()
    result.happens.append("The missing-child procedure starts now:")
    result.happens.extend(MISSING_CHILD_STEPS)
    result.happens.append("An urgent task stays open, escalating to the headteacher and then the trust "
                          "safeguarding lead, until the pupil is recorded found on this check's page.")
    leads = trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD)
    if leads:
        result.told.extend(f"{person.full_name}, {TrustRoleName.TRUST_SAFEGUARDING_LEAD.label}: by urgent email."
                           for person in leads)
    else:
        result.told.append(f"The {TrustRoleName.TRUST_SAFEGUARDING_LEAD.label} (nobody holds the role yet: the "
                           "designated trustee names one in the trust admin).")
    return result


def problems_before_not_located(check: WelfareCheck, data) -> dict[str, str]:
    """What record_check would refuse in this record (app.policy.welfare.record_errors), so the confirmation page
    is only offered for a record that will be accepted."""
    previous = check.outcome.value if check.outcome else None
    return record_errors(data.method, data.outcome, data.notes, data.checked_at, check.raised_at, clock.now(),
                         previous)

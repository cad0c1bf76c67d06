"""For scripts/api-fuzz.sh: one token a role on the demo trust (the first demo user holding it), with that role's
school and an id of each kind of record there, so the fuzz reaches real records rather than 404s.

Prints one line a role: `<role> <school slug> <token> <NAME=id,...>` (names as the document's path parameters).
"""
from __future__ import annotations

from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import (
    AttendanceSession,
    FlexiAgreement,
    FlexiRequest,
    FollowUpAction,
    OffSiteDirection,
    PartTimeTimetable,
    Placement,
    PlacementReview,
    ProviderAttendanceLink,
    ProviderCheck,
    ProviderCheckItem,
    Pupil,
    QAActivity,
    School,
    User,
    WelfareCheck,
)
from app.models.oversight import HeadteacherReport
from app.services import api_tokens
from tenants import school_scope, system_scope

SCHOOL_RECORDS = {"placement_id": Placement, "pupil_id": Pupil, "attendance_session_id": AttendanceSession,
                  "review_id": PlacementReview, "qa_activity_id": QAActivity, "follow_up_id": FollowUpAction,
                  "welfare_check_id": WelfareCheck, "report_id": HeadteacherReport, "timetable_id": PartTimeTimetable,
                  "flexi_request_id": FlexiRequest, "flexi_agreement_id": FlexiAgreement,
                  "direction_id": OffSiteDirection, "link_id": ProviderAttendanceLink}


def ids_in(school: School) -> dict[str, int]:
    found = {}
    with school_scope(school.id):
        for name, model in SCHOOL_RECORDS.items():
            found[name] = db.session.scalar(select(model.id).order_by(model.id).limit(1)) or 1
        provider = db.session.scalar(select(Placement.provider_id).order_by(Placement.id).limit(1))
    with system_scope("api fuzz: a provider's checks"):
        found["provider_id"] = provider or 1
        found["check_id"] = db.session.scalar(select(ProviderCheck.id).where(ProviderCheck.provider_id == provider)
                                              .order_by(ProviderCheck.id.desc()).limit(1)) or 1
        found["check_item_id"] = db.session.scalar(select(ProviderCheckItem.id).where(
            ProviderCheckItem.check_id == found["check_id"]).order_by(ProviderCheckItem.id).limit(1)) or 1
    return found


def main() -> None:
    app = create_app()
    with app.app_context(), system_scope("api fuzz: demo tokens"):
        schools = list(db.session.scalars(select(School).order_by(School.id)))
        seen: set[str] = set()
        for user in db.session.scalars(select(User).order_by(User.id)):
            held = [(sr.role.value, sr.school) for sr in user.school_roles]
            held += [(f"trust:{tr.role.value}", schools[0]) for tr in user.trust_roles]
            for role, school in held:
                if role in seen:
                    continue
                seen.add(role)
                ids = ",".join(f"{k}={v}" for k, v in ids_in(school).items())
                print(role, school.slug, api_tokens.issue(user, "fuzz"), ids)


if __name__ == "__main__":
    main()

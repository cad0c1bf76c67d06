"""What the trust sees across its schools. Grows as later capabilities add their cross-school figures."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import School, SchoolRole
from app.services.schools import KeyContacts, all_schools, key_contacts_for_schools


@dataclass
class SchoolOverview:
    school: School
    contacts: KeyContacts
    role_holders: list[SchoolRole]


@dataclass
class TrustOverview:
    schools: list[SchoolOverview]


def trust_overview() -> TrustOverview:
    schools = all_schools()
    roles = db.session.scalars(select(SchoolRole).options(joinedload(SchoolRole.user))).all()
    by_school: dict[int, list[SchoolRole]] = {}
    for sr in roles:
        by_school.setdefault(sr.school_id, []).append(sr)
    return TrustOverview(schools=[
        SchoolOverview(school=s, contacts=contacts,
                       role_holders=sorted(by_school.get(s.id, []), key=lambda r: (r.role.value, r.user.full_name)))
        for s, contacts in zip(schools, key_contacts_for_schools(schools, roles), strict=True)
    ])

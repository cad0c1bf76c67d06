"""Flexi-schooling (section 10) in school A (and B) of the test world, on the reference 2025-26 and 2026-27
calendars (tests/reviews/conftest.py's training days). Time is frozen in England by each test (`school_time`).

`request_for(world, pupil_id, ...)`, `approve(...)`, `agree(...)` go through the services as a person would."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import FlexiAgreement, FlexiRequest, Notification, Pupil
from app.services import flexi_schooling as service
from tenants import school_scope
from tests.reviews.conftest import enter_year

D = dt.date


@dataclass
class FlexiWorld:
    world: object
    pupil_id: int
    pupil_b_id: int

    @property
    def school_id(self) -> int:
        return self.world.a.id

    def user(self, role: str, key: str = "a"):
        return self.world.users[f"{key}.{role}"]


def new_pupil(school_id: int, first_name: str = "Ellis") -> int:
    with school_scope(school_id):
        pupil = Pupil(upn=f"F{abs(hash((first_name, school_id))) % 10**12:012d}", first_name=first_name,
                      last_name="Flexitest", date_of_birth=D(2016, 3, 1), year_group=4)
        db.session.add(pupil)
        db.session.commit()
        return pupil.id


@pytest.fixture
def flexi(world) -> FlexiWorld:
    for school_id in (world.a.id, world.b.id):
        enter_year(school_id, 2025)
        enter_year(school_id, 2026, training_days=())
    return FlexiWorld(world, new_pupil(world.a.id), new_pupil(world.b.id, "Bryn"))


def request_for(fx: FlexiWorld, *, received_on=dt.date(2025, 9, 15), pattern=("fri_day", "mon_pm"), key="a",
                pupil_id=None, document=None):
    school_id = fx.world.schools[key].id
    with school_scope(school_id):
        return service.record_request(service.RequestInput(
            pupil_id or (fx.pupil_id if key == "a" else fx.pupil_b_id), received_on, "Morgan Parent",
            "Fridays and Monday afternoons at home for forest school and music.", list(pattern)),
            by=fx.user("ap_leader", key), document=document)


def approve(fx: FlexiWorld, request_id: int, key="a"):
    with school_scope(fx.world.schools[key].id):
        record = db.session.get(FlexiRequest, request_id)
        return service.decide(record, True, "Good progress; a clear plan at home.", by=fx.user("headteacher", key))


AGREEMENT = dict(pupil_needs="Year 4, reading above age; anxious in large groups.",
                 rationale="A shorter week in school keeps attendance steady.",
                 home_education_provision="Forest school on Fridays; music lessons on Monday afternoons.",
                 section_7_how_met="A weekly plan shared with the class teacher; work samples each half-term.",
                 welfare_responsible_at_home="Morgan Parent", school_curriculum="The full Year 4 curriculum on "
                 "the days in school.", school_assessments="Termly reading and maths assessments at school.")


def agree(fx: FlexiWorld, request_id: int, start=dt.date(2025, 10, 6), key="a", **changes):
    with school_scope(fx.world.schools[key].id):
        record = db.session.get(FlexiRequest, request_id)
        return service.make_agreement(record, service.AgreementInput(start_date=start, **{**AGREEMENT, **changes}),
                                      by=fx.user("ap_leader", key))


def agreement(fx: FlexiWorld, agreement_id: int, key="a") -> FlexiAgreement:
    return db.session.get(FlexiAgreement, agreement_id)


def la_notices(school_id: int) -> list[Notification]:
    with school_scope(school_id):
        return list(db.session.scalars(select(Notification).where(Notification.dedupe_key.like("flexi-agreement:%"))
                                       .order_by(Notification.id)))

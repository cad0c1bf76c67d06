"""A pupil of school A (the test world) on a part-time timetable, on the spring/summer 2026 calendar of
tests/placements/conftest.py. Monday to Thursday mornings on site, Friday morning and every afternoon not in
education, from Monday 16 March 2026 to Friday 24 April 2026 (the Easter holiday in between)."""
from __future__ import annotations

from datetime import date

import pytest

from app.extensions import db
from app.models import Carer, Pupil, User
from app.models.part_time import PartTimeTimetable
from app.services import part_time_timetables as service
from tenants import school_scope
from tests.helpers import school_time
from tests.placements import conftest as placements_fixtures

START, END = date(2026, 3, 16), date(2026, 4, 24)
PROPOSED_AT = "2026-03-09 10:00"

calendar_a = placements_fixtures.calendar_a  # the fixture, for this folder's tests


def make_pupil(world, school=None, *, first_name="Robin", ehcp=False, looked_after=False, social_worker=False,
               year_group=9) -> int:
    school = school or world.a
    with school_scope(school.id):
        pupil = Pupil(upn=f"P{abs(hash((first_name, school.id))) % 10**12:012d}", first_name=first_name,
                      last_name="Example", date_of_birth=date(2012, 5, 17), year_group=year_group, has_ehcp=ehcp,
                      is_looked_after=looked_after, has_social_worker=social_worker or looked_after,
                      social_worker_name="Sol Worker" if social_worker or looked_after else None,
                      social_worker_email="sw@council.example.org" if social_worker or looked_after else None)
        pupil.carers = [Carer(name="Sam Example", relationship_to_pupil="Mother", lives_with=True,
                              phone="07700 900123", email="parent@home.example.org")]
        db.session.add(pupil)
        db.session.commit()
        return pupil.id


def week(am_on_site=(0, 1, 2, 3)):
    sessions = []
    for weekday in range(5):
        sessions.append(service.SessionInput(weekday, "am", "on_site" if weekday in am_on_site else "not_in_education"))
        sessions.append(service.SessionInput(weekday, "pm", "not_in_education"))
    return sessions


def proposal(pupil_id, **changes) -> service.ProposalInput:
    values = dict(pupil_id=pupil_id, reason_category="medical_needs", reason_details="Recovering from surgery",
                  support_plan="Medical support plan with the school nurse", start_date=START, end_date=END,
                  sessions=week())
    values.update(changes)
    return service.ProposalInput(**values)


def propose(world, pupil_id, school_key="a", **changes) -> int:
    with school_scope(world.schools[school_key].id):
        staff = db.session.get(User, world.users[f"{school_key}.staff"].id)
        result = service.propose(proposal(pupil_id, **changes), staff)
        assert result.ok, result.errors
        return result.record.id


def agree(world, timetable_id, school_key="a"):
    with school_scope(world.schools[school_key].id):
        timetable = db.session.get(PartTimeTimetable, timetable_id)
        carer = timetable.pupil.carers[0]
        result = service.record_agreement(timetable, carer_id=carer.id, agreed_by_name=None, agreed_on=date(2026, 3, 9),
                                          agreed_how="meeting",
                                          by=db.session.get(User, world.users[f"{school_key}.ap_leader"].id))
        assert result.ok, result.errors


def approve(world, timetable_id, school_key="a"):
    with school_scope(world.schools[school_key].id):
        result = service.approve(db.session.get(PartTimeTimetable, timetable_id),
                                 db.session.get(User, world.users[f"{school_key}.headteacher"].id))
        assert result.ok, result.errors


@pytest.fixture
def approved(world, calendar_a):
    """An approved timetable in school A (proposed, agreed and approved on 9 March 2026): (pupil id, id)."""
    with school_time(PROPOSED_AT):
        pupil_id = make_pupil(world)
        timetable_id = propose(world, pupil_id)
        agree(world, timetable_id)
        approve(world, timetable_id)
    return pupil_id, timetable_id

"""The demo's pupils: fictional, valid UPNs, the statuses the pages need to show, and one pupil ready to place."""
from __future__ import annotations

from sqlalchemy import select

from app.clock import today
from app.demo import seed_demo
from app.extensions import db
from app.models import Carer, Pupil, School
from app.services import pupils as service
from tenants import school_scope, system_scope
from tests.helpers import school_time


def test_the_demo_seeds_fictional_pupils_with_each_status(app):
    with school_time("2026-01-12 10:00"):
        seed_demo()
        with system_scope("test: read the demo"):
            from app.demo.oversight import HISTORY_PUPILS
            from app.demo.oversight_history import PART_TIME_PUPILS

            history = {last for _, last, _, _ in HISTORY_PUPILS}  # the oversight demo's past placements
            history |= {last for _, last, _ in PART_TIME_PUPILS}  # and its past part-time timetables
            pupils = [p for p in db.session.scalars(select(Pupil)) if p.last_name not in history]
            carers = db.session.scalars(select(Carer)).all()
            schools = {s.id: s.slug for s in db.session.scalars(select(School))}
            assert len(pupils) == 6
            assert all(service.upn_problem(p.upn) is None for p in pupils)
            assert {schools[p.school_id] for p in pupils} == {"millbrook", "hollin", "ashbrook-junior"}
            assert sum(p.has_ehcp for p in pupils) == 1 and sum(p.sen_support for p in pupils) == 2
            assert any(p.is_looked_after and p.has_social_worker for p in pupils)
            assert all(c.email is None or c.email.endswith("@example.org") for c in carers)
            kai = next(p for p in pupils if p.first_name == "Kai")
            assert service.school_age_of(kai).status == "compulsory" and kai.year_group == 10
            kai_id, kai_school = kai.id, kai.school_id
        with school_scope(kai_school):
            kai = service.access_pupil(kai_id)
            assert service.pre_placement_missing(kai, today()) == []  # the EHCP pupil is ready to place

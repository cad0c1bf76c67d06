"""Minimisation in emails (issue 19, item 5): an LA notice identifies the pupil (UPN, date of birth); an attendance
prompt, a welfare check, a task or an escalation inside the trust carries neither. Every email of a school morning
is checked against the rule in app.policy.minimisation."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Audience, Notification, Placement, Pupil
from app.policy.minimisation import date_of_birth_forms, may_identify_pupil
from app.services import placements
from jobs.attendance_sweeps import attendance_cutoffs
from jobs.sweeps import task_reminders
from tenants import school_scope, system_scope
from tests.attendance.conftest import active_placement
from tests.helpers import school_time
from tests.placements import conftest as placement_fixtures

calendar_a = placement_fixtures.calendar_a  # the fixture


@pytest.mark.parametrize("audience, allowed", [
    (Audience.LOCAL_AUTHORITY, True), (Audience.VIRTUAL_SCHOOL, True), (Audience.SOCIAL_WORKER, True),
    (Audience.STAFF, False), (Audience.TRUST, False), (Audience.PARENT, False),
])
def test_only_the_statutory_recipients_outside_the_trust_get_upn_and_date_of_birth(audience, allowed):
    assert may_identify_pupil(audience) is allowed


def test_the_forms_of_a_date_of_birth_cover_how_emails_write_it():
    assert date_of_birth_forms(date(2012, 5, 7)) == ("2012-05-07", "7 May 2012", "07/05/2012", "7 May 2012")


def test_a_school_mornings_emails_carry_upn_and_birth_date_only_to_the_la(app, world, calendar_a):
    with school_time("2026-03-09 10:00"):
        ready = active_placement(world, first_name="Robin", weekdays=(0,))
        with school_scope(world.a.id):
            placement = db.session.get(Placement, ready.placement_id)
            # the LA's notice of the placement (7.12): it must identify the pupil
            placements.notify_la_of_placement(placement)
            db.session.commit()
    for moment in ("2026-03-16 09:40", "2026-03-16 10:40", "2026-03-17 09:00", "2026-03-18 09:00",
                   "2026-03-19 09:00"):
        with school_time(moment):
            attendance_cutoffs()  # the officer's prompt, then the DSL's welfare check
            task_reminders()  # reminders and escalations to the headteacher and the trust
    with system_scope("test"):
        pupil = db.session.get(Pupil, ready.pupil_id)
        identifiers = (pupil.upn, *date_of_birth_forms(pupil.date_of_birth))
        sent = list(db.session.scalars(select(Notification)))
    inside = [n for n in sent if not may_identify_pupil(n.audience)]
    outside = [n for n in sent if may_identify_pupil(n.audience)]
    assert len(inside) >= 2 and outside  # the prompt and the welfare check at least, and the LA's notice
    for n in inside:
        text = " ".join(filter(None, (n.subject, n.body_text, n.body_html)))
        assert not [i for i in identifiers if i in text], (n.template, n.audience, n.dedupe_key)
    assert any(pupil.upn in (n.body_text or "") for n in outside)

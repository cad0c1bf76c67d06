"""Part-time timetables end to end in the service layer (issue 15; policy 9.3-9.7): proposing, agreement,
involvement, approval by the headteacher only, the register (C2), welfare checks, reviews and extension, the
six-week flag, the return to full time, and notices to the pupil's responsible LA once each."""
from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.models import (
    AttendanceSession,
    LAContact,
    LAContactKind,
    LocalAuthority,
    Notification,
    Pupil,
    Task,
    User,
    WelfareCheck,
)
from app.models.part_time import LAReportingProcedure, PartTimeTimetable
from app.policy.attendance import attendance_percentage
from app.policy.part_time_timetables import SECTION_9_4, TimetableStatus
from app.services import attendance_today
from app.services import part_time_timetables as service
from app.services.attendance_picture import marks_of_pupil
from app.services.calendar import calendar_for_school
from app.services.part_time_sweep import daily_sweep
from app.services.tasks import TaskKind, remind_and_escalate
from tenants import school_scope, system_scope
from tests.attendance.conftest import active_placement, morning_sweep
from tests.helpers import school_time
from tests.part_time.conftest import END, PROPOSED_AT, START, agree, make_pupil, proposal, propose


def user(world, key):
    return db.session.get(User, world.users[key].id)


def notices(prefix: str) -> list[Notification]:
    with system_scope("test: the outbox"):
        return list(db.session.scalars(select(Notification).where(Notification.dedupe_key.like(f"{prefix}%"))
                                       .order_by(Notification.id)))


def count(model, *criteria) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*criteria))


# --- proposing ---------------------------------------------------------------------------------------------


def test_behaviour_management_is_refused_quoting_9_4_and_nothing_is_saved(world, calendar_a):
    with school_time(PROPOSED_AT):
        pupil_id = make_pupil(world)
        with school_scope(world.a.id):
            result = service.propose(proposal(pupil_id, reason_category="behaviour_management"),
                                     user(world, "a.staff"))
            assert result.errors == {"reason_category": SECTION_9_4}
            assert count(PartTimeTimetable) == 0


def test_no_end_date_is_refused(world, calendar_a):
    with school_time(PROPOSED_AT):
        pupil_id = make_pupil(world)
        with school_scope(world.a.id):
            result = service.propose(proposal(pupil_id, end_date=None), user(world, "a.staff"))
            assert set(result.errors) == {"end_date"}
            assert count(PartTimeTimetable) == 0


def test_any_staff_member_proposes_and_reviews_default_to_every_two_school_weeks(world, calendar_a):
    with school_time(PROPOSED_AT):
        timetable_id = propose(world, make_pupil(world))
        with school_scope(world.a.id):
            timetable = db.session.get(PartTimeTimetable, timetable_id)
            assert timetable.status is TimetableStatus.PROPOSED
            assert timetable.proposed_by_id == world.users["a.staff"].id
            # 16 Mar + 10 school days, across the Easter holiday (28 Mar - 12 Apr): 13 Apr.
            assert timetable.review_dates == ["2026-04-13"]
            week = service.week(timetable)
            assert (week.hours_in_education, week.full_time_hours) == (12.67, 24.0)  # four mornings of 3h10


# --- agreement, involvement, approval ----------------------------------------------------------------------


def test_not_active_without_the_headteacher_and_approval_names_what_is_missing(world, calendar_a):
    with school_time(PROPOSED_AT):
        pupil_id = make_pupil(world, ehcp=True, looked_after=True)
        timetable_id = propose(world, pupil_id)
        with school_scope(world.a.id):
            timetable = db.session.get(PartTimeTimetable, timetable_id)
            refused = service.approve(timetable, user(world, "a.ap_leader"))
            assert refused.errors == {"approval": "Only the headteacher approves a part-time timetable (9.5)."}
            refused = service.approve(db.session.get(PartTimeTimetable, timetable_id), user(world, "a.headteacher"))
            message = refused.errors["approval"]
            for words in ("agreement of the parent or carer", "SEND team", "social worker",
                          "Virtual School Headteacher"):
                assert words in message
            assert db.session.get(PartTimeTimetable, timetable_id).status is TimetableStatus.PROPOSED
        agree(world, timetable_id)
        with school_scope(world.a.id):
            timetable = db.session.get(PartTimeTimetable, timetable_id)
            for party in ("la_send", "social_worker"):
                assert service.record_involvement(timetable, party=party, person_name="Casey Officer",
                                                  involved_on=date(2026, 3, 9), notes=None,
                                                  by=user(world, "a.dsl")).ok
            message = service.approve(db.session.get(PartTimeTimetable, timetable_id),
                                      user(world, "a.headteacher")).errors["approval"]
            assert "Virtual School Headteacher" in message and "SEND" not in message
            assert service.record_involvement(db.session.get(PartTimeTimetable, timetable_id),
                                              party="virtual_school_head", person_name="Vivian Head",
                                              involved_on=date(2026, 3, 9), notes="Agreed",
                                              by=user(world, "a.dsl")).ok
            assert service.approve(db.session.get(PartTimeTimetable, timetable_id), user(world, "a.headteacher")).ok
            assert db.session.get(PartTimeTimetable, timetable_id).status is TimetableStatus.ACTIVE
    sent = {n.dedupe_key.split(":")[2]: n.recipient_email for n in notices(f"part-time-involvement:{timetable_id}:")}
    assert sent == {"local_authority_send": "send@la.example.org", "social_worker": "sw@council.example.org",
                    "virtual_school_head": "vsh@la.example.org"}


def test_the_agreement_is_of_a_carer_the_pupil_lives_with(world, calendar_a):
    with school_time(PROPOSED_AT):
        timetable_id = propose(world, make_pupil(world))
        with school_scope(world.a.id):
            timetable = db.session.get(PartTimeTimetable, timetable_id)
            timetable.pupil.carers[0].lives_with = False
            db.session.commit()
            result = service.record_agreement(db.session.get(PartTimeTimetable, timetable_id),
                                              carer_id=timetable.pupil.carers[0].id, agreed_by_name=None,
                                              agreed_on=date(2026, 3, 9), agreed_how="letter",
                                              by=user(world, "a.ap_leader"))
            assert set(result.errors) == {"carer_id"}


def test_la_start_notice_once_even_when_approved_twice(world, approved):
    _pupil_id, timetable_id = approved
    with school_time("2026-03-10 09:00"), school_scope(world.a.id):
        assert service.approve(db.session.get(PartTimeTimetable, timetable_id), user(world, "a.headteacher")).ok
    start = notices(f"part-time-start:{timetable_id}:")
    assert [n.recipient_email for n in start] == ["ap@la.example.org"]


def test_notices_go_to_the_pupils_responsible_la(world, calendar_a):
    with system_scope("test: another LA"):
        other = LocalAuthority(name="Otherborough Council", code="998")
        other.contacts = [LAContact(kind=LAContactKind.AP_NOTIFICATIONS, name="AP Desk",
                                    email="ap@otherborough.example.org")]
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    with school_time(PROPOSED_AT):
        pupil_id = make_pupil(world)
        with school_scope(world.a.id):
            db.session.get(Pupil, pupil_id).responsible_local_authority_id = other_id
            db.session.commit()
        timetable_id = propose(world, pupil_id)
        agree(world, timetable_id)
        with school_scope(world.a.id):
            assert service.approve(db.session.get(PartTimeTimetable, timetable_id), user(world, "a.headteacher")).ok
    assert [n.recipient_email for n in notices(f"part-time-start:{timetable_id}:")] == [
        "ap@otherborough.example.org"]


def test_the_las_procedure_decides_which_events_it_is_told_of(world, calendar_a):
    with system_scope("test: the LA's procedure"):
        db.session.add(LAReportingProcedure(local_authority_id=world.la.id, notify_on=["end"],
                                            return_frequency="none"))
        db.session.commit()
    with school_time(PROPOSED_AT):
        timetable_id = propose(world, make_pupil(world))
        agree(world, timetable_id)
        with school_scope(world.a.id):
            assert service.approve(db.session.get(PartTimeTimetable, timetable_id), user(world, "a.headteacher")).ok
    assert notices(f"part-time-start:{timetable_id}:") == []
    with school_time("2026-03-20 12:00"), school_scope(world.a.id):
        assert service.end(db.session.get(PartTimeTimetable, timetable_id), ended_on=date(2026, 3, 23),
                           note="Recovered", by=user(world, "a.ap_leader")).ok
    assert len(notices(f"part-time-end:{timetable_id}:")) == 1


# --- the register ---------------------------------------------------------------------------------------------


def test_removed_sessions_are_c2_in_the_export_and_the_percentages_and_stop_after_the_end(world, approved, client):
    pupil_id, timetable_id = approved
    morning_sweep("2026-03-16")  # the 07:30 sweep makes the day's sessions; the export only reads
    with school_time("2026-03-16 10:00"), school_scope(world.a.id):  # Monday: AM on site, PM removed
        calendar = calendar_for_school()
        rows = attendance_today.export_sessions(calendar, date(2026, 3, 16), date(2026, 3, 16), world.a)
        assert [(r.pupil_id, r.session.value, attendance_today.code_of(r)) for r in rows] == [(pupil_id, "pm", "C2")]
        exported = list(csv.DictReader(io.StringIO(attendance_today.export_csv(rows))))
        assert [(e["Session"], e["Register code"], e["Status"], e["Provider"]) for e in exported] == [
            ("PM", "C2", "part time timetable", "")]
        db.session.commit()
    morning_sweep("2026-03-17", "2026-03-18", "2026-03-19", "2026-03-20")
    with school_time("2026-03-20 10:00"), school_scope(world.a.id):  # Friday: both sessions removed
        attendance_today.export_sessions(calendar_for_school(), date(2026, 3, 16), date(2026, 3, 20), world.a)
        db.session.commit()
        marks = marks_of_pupil(pupil_id)
        assert [m.code for m in marks] == ["C2"] * 6  # Mon-Thu PM, Fri AM and PM
        assert attendance_percentage(marks) == 0.0  # C2 is a possible session not attended
        day = attendance_today.attendance_day(calendar_for_school(), date(2026, 3, 20))
        assert [s.kind.value for s in day.confirmed] == ["part_time_timetable"] * 2 and day.providers == []
        assert service.end(db.session.get(PartTimeTimetable, timetable_id), ended_on=date(2026, 3, 23),
                           note="Back to full time", by=user(world, "a.ap_leader")).ok
    morning_sweep("2026-03-23", "2026-03-24")  # after the end: the sweep makes none
    with school_time("2026-03-24 10:00"), school_scope(world.a.id):
        attendance_today.export_sessions(calendar_for_school(), date(2026, 3, 23), date(2026, 3, 24), world.a)
        db.session.commit()
        assert count(AttendanceSession, AttendanceSession.day >= date(2026, 3, 23)) == 0


def test_sessions_at_a_provider_stay_as_they_are(world, calendar_a):
    with school_time(PROPOSED_AT):
        ready = active_placement(world, first_name="Ash", weekdays=(4,))  # Friday AM at the provider
        with school_scope(world.a.id):
            refused = service.propose(proposal(ready.pupil_id), user(world, "a.staff"))  # Friday AM "removed"
            assert set(refused.errors) == {"sessions"}
        sessions = [service.SessionInput(d, "am", "on_site") for d in range(4)]
        sessions += [service.SessionInput(4, "am", "at_provider", placement_id=ready.placement_id)]
        sessions += [service.SessionInput(d, "pm", "not_in_education") for d in range(5)]
        timetable_id = propose(world, ready.pupil_id, sessions=sessions)
        agree_and_approve_with_parent_from_placement(world, timetable_id)
    morning_sweep("2026-03-20")
    with school_time("2026-03-20 10:00"), school_scope(world.a.id):
        rows = attendance_today.export_sessions(calendar_for_school(), date(2026, 3, 20), date(2026, 3, 20), world.a)
        assert sorted((r.session.value, r.kind.value, r.placement_id) for r in rows) == [
            ("am", "provision", ready.placement_id), ("pm", "part_time_timetable", None)]


def agree_and_approve_with_parent_from_placement(world, timetable_id):
    with school_scope(world.a.id):
        timetable = db.session.get(PartTimeTimetable, timetable_id)
        assert service.record_agreement(timetable, carer_id=None, agreed_by_name="Sam Example",
                                        agreed_on=date(2026, 3, 9), agreed_how="phone call",
                                        by=user(world, "a.ap_leader")).ok
        assert service.approve(db.session.get(PartTimeTimetable, timetable_id), user(world, "a.headteacher")).ok


# --- welfare on days with no on-site session ------------------------------------------------------------------


def test_welfare_checks_only_on_school_days_with_no_on_site_session(world, approved):
    _pupil_id, timetable_id = approved

    def sweep(moment):
        with school_time(moment), school_scope(world.a.id):
            calendar = calendar_for_school()
            done = daily_sweep(calendar, date.fromisoformat(moment[:10]))
            db.session.commit()
            return done["welfare_checks"]

    assert sweep("2026-03-16 07:35") == 0  # Monday: on site in the morning
    assert sweep("2026-03-20 07:35") == 1  # Friday: nothing on site
    assert sweep("2026-03-20 12:00") == 0  # once a day
    assert sweep("2026-03-21 07:35") == 0  # Saturday
    assert sweep("2026-04-03 07:35") == 0  # Friday in the Easter holiday
    assert sweep("2026-04-17 07:35") == 1  # the next Friday in term
    with school_scope(world.a.id):
        checks = list(db.session.scalars(select(WelfareCheck).order_by(WelfareCheck.due_on)))
        assert [(c.due_on, c.reason.value) for c in checks] == [
            (date(2026, 3, 20), "part_time_timetable"), (date(2026, 4, 17), "part_time_timetable")]
        tasks = list(db.session.scalars(select(Task).where(Task.kind == TaskKind.WELFARE_CHECK)))
        assert len(tasks) == 2 and {t.assigned_role.value for t in tasks} == {"dsl"}
    with school_time("2026-04-17 18:05"), school_scope(world.a.id):  # missed: an hour past the end of the day
        remind_and_escalate(calendar_for_school(), clock.now())  # (the overdue 13 April review escalates too)
        db.session.commit()
        assert {t.escalation_level for t in db.session.scalars(select(Task).where(
            Task.kind == TaskKind.WELFARE_CHECK))} == {1}


def test_a_named_person_makes_the_welfare_checks(world, calendar_a):
    with school_time(PROPOSED_AT):
        timetable_id = propose(world, make_pupil(world), welfare_contact_id=world.users["a.ap_leader"].id)
        agree(world, timetable_id)
        with school_scope(world.a.id):
            assert service.approve(db.session.get(PartTimeTimetable, timetable_id), user(world, "a.headteacher")).ok
    with school_time("2026-03-20 07:35"), school_scope(world.a.id):
        daily_sweep(calendar_for_school(), date(2026, 3, 20))
        db.session.commit()
        task = db.session.scalar(select(Task).where(Task.kind == TaskKind.WELFARE_CHECK))
        assert task.assigned_user_id == world.users["a.ap_leader"].id


# --- reviews, extension, six weeks, the return ---------------------------------------------------------------


def review(world, timetable_id, **changes):
    data = dict(held_on=date(2026, 4, 13), pupil_views="Afternoons are tiring", parent_views="Going well",
                decision="continue_with_changes")
    data.update(changes)
    return service.record_review(db.session.get(PartTimeTimetable, timetable_id), service.ReviewInput(**data),
                                 user(world, "a.ap_leader"))


def test_review_tasks_on_the_agreed_dates_and_the_review_completes_them(world, approved):
    _pupil_id, timetable_id = approved
    with school_time("2026-03-16 07:35"), school_scope(world.a.id):
        assert daily_sweep(calendar_for_school(), date(2026, 3, 16))["reviews"] == 0  # 13 Apr is weeks away
    with school_time("2026-04-13 07:35"), school_scope(world.a.id):
        assert daily_sweep(calendar_for_school(), date(2026, 4, 13))["reviews"] == 1
        db.session.commit()
        assert daily_sweep(calendar_for_school(), date(2026, 4, 13))["reviews"] == 0
    with school_time("2026-04-13 15:00"), school_scope(world.a.id):
        assert review(world, timetable_id).ok
        task = db.session.scalar(select(Task).where(Task.kind == TaskKind.PART_TIME_REVIEW))
        assert task.status.value == "done"


def test_an_extension_only_at_a_review_with_reasons_and_the_la_told_once(world, approved):
    _pupil_id, timetable_id = approved
    with school_time("2026-04-13 15:00"), school_scope(world.a.id):
        assert set(review(world, timetable_id, decision="extend", extended_to=date(2026, 5, 22)).errors) == {
            "extension_reasons"}
        assert db.session.get(PartTimeTimetable, timetable_id).end_date == END
        assert review(world, timetable_id, decision="extend", extended_to=date(2026, 5, 22),
                      extension_reasons="Consultant advises four more weeks").ok
        timetable = db.session.get(PartTimeTimetable, timetable_id)
        assert (timetable.end_date, timetable.original_end_date) == (date(2026, 5, 22), END)
        assert service.total_duration_days(timetable) == 68
        assert "2026-05-11" in timetable.review_dates  # reviews continue every two school weeks
    assert len(notices(f"part-time-change:{timetable_id}:")) == 1


def test_the_six_week_flag_goes_to_the_headteacher_and_the_trust_safeguarding_lead_once(world, approved):
    _pupil_id, timetable_id = approved
    with school_time("2026-04-24 07:35"), school_scope(world.a.id):  # 39 days after the start
        assert daily_sweep(calendar_for_school(), date(2026, 4, 24))["flagged"] == 0
        db.session.commit()
        assert review(world, timetable_id, held_on=date(2026, 4, 24), decision="extend",
                      extended_to=date(2026, 5, 22), extension_reasons="Still recovering").ok
    with school_time("2026-04-27 07:35"), school_scope(world.a.id):  # 42 days
        assert daily_sweep(calendar_for_school(), date(2026, 4, 27))["flagged"] == 1
        db.session.commit()
        assert daily_sweep(calendar_for_school(), date(2026, 4, 27))["flagged"] == 0
        db.session.commit()
        task = db.session.scalar(select(Task).where(Task.kind == TaskKind.PART_TIME_SIX_WEEKS))
        assert task.assigned_role.value == "headteacher"
    assert [n.recipient_email for n in notices(f"part-time-six-weeks:{timetable_id}")] == [
        "trust_safeguarding_lead@trust.example.org"]


def test_return_to_full_time_at_a_review_ends_it_and_the_la_is_told_once(world, approved):
    _pupil_id, timetable_id = approved
    with school_time("2026-04-13 15:00"), school_scope(world.a.id):
        assert review(world, timetable_id, decision="return_to_full_time").ok
        timetable = db.session.get(PartTimeTimetable, timetable_id)
        assert (timetable.status, timetable.ended_on) == (TimetableStatus.ENDED, date(2026, 4, 14))
        assert service.end(timetable, ended_on=date(2026, 4, 14), note=None, by=user(world, "a.ap_leader")).ok
    assert len(notices(f"part-time-end:{timetable_id}:")) == 1


def test_the_end_date_passing_returns_the_pupil_to_full_time(world, approved):
    _pupil_id, timetable_id = approved
    with school_time("2026-04-27 07:35"), school_scope(world.a.id):
        assert daily_sweep(calendar_for_school(), date(2026, 4, 27))["ended"] == 1
        db.session.commit()
        assert db.session.get(PartTimeTimetable, timetable_id).ended_on == date(2026, 4, 25)
    assert START < date(2026, 4, 25)

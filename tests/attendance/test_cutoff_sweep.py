"""The attendance cut-off sweep on frozen time (issue 6 item 5; policy 4.5; KCSIE): the attendance officer is
prompted once per unconfirmed session at the school's cut-off, never before it, never for a confirmed session,
never on a day that is not a school day; the DSL's welfare check follows an hour later, or at once for an
absence with no reason; the emails reach the SMTP server."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AttendanceSession, Notification, Task, TaskStatus, TrainingDay, WelfareCheck
from app.policy.attendance import WelfareCheckReason
from app.services.attendance import Confirmation, confirm_session
from app.services.tasks import TASK_KINDS, TaskKind
from jobs.attendance_sweeps import attendance_cutoffs, expected_sessions
from jobs.outbox import dispatch_outbox
from tenants import school_scope, system_scope
from tests.attendance.conftest import active_placement
from tests.helpers import school_time
from tests.jobs.schedule_fixtures import run_worker

MONDAY = "2026-03-16"  # the placements' first day, in GMT
# Statements other than INSERTs of one sweep over the test world (school A's work; B and C have none): prompting,
# raising the welfare checks, and a run with nothing due.
EXPECTED_QUERIES = (18, 21, 6)  # whether any session is still to make is one query (sessions_missing_on);
# raising welfare checks inserts them inside a SAVEPOINT (two statements), for the unique open check per session;
# the calendars' half-terms and training days are one statement (app.services.calendar)


@pytest.fixture
def two(world, calendar_a):
    """Robin due at 09:00 Mon/Wed at one provider, Ash at 09:00 Mon at another (plain ids: sweeps detach)."""
    with school_time("2026-03-09 10:00"):
        robin = active_placement(world, first_name="Robin", weekdays=(0, 2))
        ash = active_placement(world, first_name="Ash", weekdays=(0,))
    return {"robin": robin.pupil_id, "ash": ash.pupil_id, "school": world.a.id,
            "officer": world.users["a.attendance_officer"].email, "dsl": world.users["a.dsl"].email}


def tasks(school_id: int, kind: TaskKind | None = None) -> list[Task]:
    with school_scope(school_id):
        db.session.expire_all()
        query = select(Task).order_by(Task.id)
        if kind is not None:
            query = query.where(Task.kind == kind.value)
        return list(db.session.scalars(query))


def sessions(school_id: int) -> list[AttendanceSession]:
    with school_scope(school_id):
        db.session.expire_all()
        return list(db.session.scalars(select(AttendanceSession).order_by(AttendanceSession.id)))


def emails_to(address: str, template: str = "task_assigned") -> list[Notification]:
    with system_scope("test: read the outbox"):
        db.session.expire_all()
        return list(db.session.scalars(select(Notification).where(Notification.recipient_email == address,
                                                                  Notification.template == template)))


def confirm(school_id: int, pupil_id: int, outcome: str, reason: str | None = None, when: str = "09:10") -> None:
    """Confirm the pupil's Monday session at `when` (the day's sessions made first, as the morning sweep does)."""
    with school_time(f"{MONDAY} {when}"):
        expected_sessions()
    with school_time(f"{MONDAY} {when}"), school_scope(school_id):
        session = db.session.scalar(select(AttendanceSession).where(AttendanceSession.pupil_id == pupil_id))
        confirm_session(session, Confirmation(outcome, "call", absence_reason=reason), user_id=None)
        db.session.commit()


def test_no_prompt_before_the_cut_off_then_one_per_unconfirmed_session(two):
    with school_time(f"{MONDAY} 09:29"):
        report = attendance_cutoffs()
    assert report.results[two["school"]].sessions_made == 2  # the morning sweep did not run: made now
    assert tasks(two["school"]) == []  # the cut-off (09:30) has not come

    confirm(two["school"], two["ash"], "attended", when="09:29")
    with school_time(f"{MONDAY} 09:30"):
        attendance_cutoffs()
        attendance_cutoffs()  # the next run makes nothing twice
    [prompt] = tasks(two["school"], TaskKind.ATTENDANCE_UNCONFIRMED)
    assert prompt.urgent and prompt.assigned_role.value == "attendance_officer"
    assert prompt.title.startswith("Confirm attendance: Robin ")
    assert "Dana Office (Attendance), 01632 960000, office@provider.example.org" in prompt.detail
    assert prompt.link_endpoint == "attendance.index" and prompt.dedupe_key.startswith("attendance:")
    robin = next(s for s in sessions(two["school"]) if s.pupil_id == two["robin"])
    assert robin.prompted_at is not None and prompt.subject_id == robin.id
    assert [n.urgent for n in emails_to(two["officer"])] == [True]


def test_confirming_after_the_prompt_completes_it_and_no_welfare_check_follows(two):
    with school_time(f"{MONDAY} 09:31"):
        attendance_cutoffs()
    with school_time(f"{MONDAY} 09:40"), school_scope(two["school"]):
        session = db.session.scalar(select(AttendanceSession).where(AttendanceSession.pupil_id == two["robin"]))
        confirm_session(session, Confirmation("late", "provider", minutes_late=10), user_id=None)
        db.session.commit()
        robin_session = session.id
    done = [t.subject_id for t in tasks(two["school"]) if t.status is TaskStatus.DONE]
    assert done == [robin_session]
    with school_time(f"{MONDAY} 10:45"):
        attendance_cutoffs()
    checks = tasks(two["school"], TaskKind.WELFARE_CHECK)
    assert len(checks) == 1 and checks[0].title.startswith("Welfare check: Ash ")  # Robin is confirmed


def test_an_hour_past_the_cut_off_the_dsl_gets_a_welfare_check_once(two):
    confirm(two["school"], two["ash"], "attended")
    with school_time(f"{MONDAY} 09:35"):
        attendance_cutoffs()
    with school_time(f"{MONDAY} 10:29"):
        attendance_cutoffs()
    assert tasks(two["school"], TaskKind.WELFARE_CHECK) == []
    with school_time(f"{MONDAY} 10:30"):
        attendance_cutoffs()
        attendance_cutoffs()
    [check_task] = tasks(two["school"], TaskKind.WELFARE_CHECK)
    assert check_task.urgent and check_task.assigned_role.value == "dsl"
    assert "Parent/carer: Sam Example (Mother), 07700 900123" in check_task.detail
    assert "Provider: Dana Office" in check_task.detail
    with school_scope(two["school"]):
        [check] = db.session.scalars(select(WelfareCheck)).all()
        assert check.reason is WelfareCheckReason.UNCONFIRMED and check.pupil_id == two["robin"]
    assert len(emails_to(two["dsl"])) == 1
    # The prompt itself does not escalate to the DSL as well: the welfare check is the DSL's one task.
    assert TASK_KINDS[TaskKind.ATTENDANCE_UNCONFIRMED].escalation == ()


def test_an_absence_with_no_reason_is_a_welfare_check_at_once_and_the_sweep_adds_none(two):
    confirm(two["school"], two["robin"], "absent")
    confirm(two["school"], two["ash"], "absent", reason="I")  # illness: a reason, no check
    with school_time(f"{MONDAY} 09:35"):
        attendance_cutoffs()
    with school_time(f"{MONDAY} 11:00"):
        attendance_cutoffs()
    [check_task] = tasks(two["school"], TaskKind.WELFARE_CHECK)
    assert check_task.title.endswith("(absent with no reason given)")
    assert tasks(two["school"], TaskKind.ATTENDANCE_UNCONFIRMED) == []  # both were confirmed in time


def test_an_absence_without_reason_the_confirmation_did_not_check_is_found_by_the_sweep(two):
    with school_time(f"{MONDAY} 09:10"):
        expected_sessions()
    with school_time(f"{MONDAY} 09:20"), school_scope(two["school"]):
        session = db.session.scalar(select(AttendanceSession).where(AttendanceSession.pupil_id == two["robin"]))
        # as an import from the MIS would leave it: absent, no reason, nothing raised
        session.outcome, session.register_code = "absent", "N"
        session.confirmed_at = datetime(2026, 3, 16, 9, 20, tzinfo=UTC)
        db.session.commit()
    with school_time(f"{MONDAY} 09:25"):
        report = attendance_cutoffs()
    assert report.results[two["school"]].welfare_checks == 1
    [check_task] = tasks(two["school"], TaskKind.WELFARE_CHECK)
    assert "absent with no reason" in check_task.title


@pytest.mark.parametrize("day, why", [
    ("2026-03-21", "a Saturday"),
    ("2026-04-06", "Easter Monday, in the holiday"),
    ("2026-05-04", "the early May bank holiday"),
    ("2026-04-15", "a training day"),
])
def test_nothing_on_a_day_that_is_not_a_school_day(two, day, why):
    with school_scope(two["school"]):
        db.session.add(TrainingDay(day=date(2026, 4, 15), note="Staff training"))
        db.session.commit()
    with school_time(f"{day} 12:00"):
        report = attendance_cutoffs()
    assert two["school"] in report.skipped, why
    assert sessions(two["school"]) == [] and tasks(two["school"]) == []


def test_the_cut_off_is_school_time_in_bst_as_in_gmt(two):
    # Monday 20 April 2026 is in British Summer Time: 09:30 in England is 08:30 UTC.
    with school_time("2026-04-20 09:29"):
        attendance_cutoffs()
    assert tasks(two["school"]) == []
    with school_time("2026-04-20 09:30"):
        attendance_cutoffs()
    prompts = tasks(two["school"], TaskKind.ATTENDANCE_UNCONFIRMED)
    assert len(prompts) == 2
    assert {p.due_at for p in prompts} == {datetime(2026, 4, 20, 8, 30, tzinfo=UTC)}


def test_a_later_cut_off_set_by_the_school_is_followed(two):
    from app.models import School

    with school_scope(two["school"]):
        db.session.get(School, two["school"]).attendance_cutoff_minutes = 45
        db.session.commit()
    with school_time(f"{MONDAY} 09:40"):
        attendance_cutoffs()
    assert tasks(two["school"]) == []
    with school_time(f"{MONDAY} 09:45"):
        attendance_cutoffs()
    assert len(tasks(two["school"], TaskKind.ATTENDANCE_UNCONFIRMED)) == 2


def test_the_prompt_and_the_welfare_check_reach_the_smtp_server_through_the_worker(two, smtp_sink):
    """End to end: the sweep enqueued as the runner would, run by a real RQ worker; the outbox delivers."""
    from jobs.connection import SWEEPS, get_queue

    with school_time(f"{MONDAY} 09:30"):
        get_queue(SWEEPS).enqueue("jobs.attendance_sweeps.attendance_cutoffs")
        run_worker()
        dispatch_outbox()
        run_worker()
    officer = [m for m in smtp_sink.wait_for(2) if m["X-Envelope-To"] == two["officer"]]
    assert len(officer) == 2
    assert all(m["Subject"].startswith("Urgent: New task at Alder School: Confirm attendance") for m in officer)
    with school_time(f"{MONDAY} 10:30"):
        get_queue(SWEEPS).enqueue("jobs.attendance_sweeps.attendance_cutoffs")
        run_worker()
        dispatch_outbox()
        run_worker()
    dsl = [m for m in smtp_sink.wait_for(4) if m["X-Envelope-To"] == two["dsl"]]
    assert len(dsl) == 2 and all(m["Subject"].startswith("Urgent: New task at Alder School: Welfare check") for m in dsl)


def _queries_of_one_sweep(at: str) -> int:
    from sqlalchemy import event

    count = [0]

    def counted(conn, cursor, statement, *args):
        # INSERTs are left out: PostgreSQL takes a flush's rows in one batched statement, SQLite one at a time
        count[0] += not statement.lstrip().upper().startswith("INSERT")

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        with school_time(at):
            attendance_cutoffs()
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count[0]


@pytest.mark.parametrize("pupils", [1, 4])
def test_the_sweep_does_a_fixed_number_of_queries_however_many_are_due(world, calendar_a, pupils):
    """Trust scale (issue 6: the whole trust's sweep within 5 s): prompts and welfare checks are made together, so
    the queries per school do not grow with the sessions due: the same counts for 1 and 4 pupils."""
    school_id = world.a.id
    with school_time("2026-03-09 10:00"):
        for n in range(pupils):
            active_placement(world, first_name=f"Pupil{n}", weekdays=(0,))
    with school_time(f"{MONDAY} 08:00"):
        expected_sessions()
    counts = (_queries_of_one_sweep(f"{MONDAY} 09:35"), _queries_of_one_sweep(f"{MONDAY} 10:35"),
              _queries_of_one_sweep(f"{MONDAY} 10:40"))
    assert len(tasks(school_id)) == 2 * pupils  # a prompt and a welfare check each
    assert counts == EXPECTED_QUERIES


def test_a_late_afternoon_session_is_prompted_and_checked_on_inside_the_sweeps_window(world, calendar_a):
    """A provider session starting at 16:00: its 16:30 cut-off and its 17:30 welfare-check hour both fall in
    the cut-off sweep's window (the schedule runs it until 19:00), so the runner enqueues the sweep then."""
    from datetime import time as clock_time
    from datetime import timedelta

    from app.clock import local_datetime
    from jobs.schedule import due_runs, job_named

    job = job_named("attendance-cutoffs")
    for hhmm in (clock_time(16, 30), clock_time(17, 30)):
        at = local_datetime(date(2026, 3, 16), hhmm)
        assert [run.slot for run in due_runs([job], at - timedelta(minutes=1), at)] == [at]


def test_two_cut_off_sweeps_at_once_raise_one_welfare_check_per_session(two, app, monkeypatch):
    """Issue 11, finding 4: two overlapping sweeps (a slow one and the next, or two cron runners) each read
    "no check yet" and each inserted one. Both are held just before raising, so both have read nothing; on
    PostgreSQL the second then waits on the first's row locks, exactly as in production."""
    import threading

    from app.services import attendance_prompts

    with school_time(f"{MONDAY} 09:35"):
        attendance_cutoffs()  # the prompts are made: what is left to race for is the welfare checks
    both_read = threading.Barrier(2, timeout=30)
    raise_checks = attendance_prompts.raise_welfare_checks

    def raise_when_both_have_read(due, now):
        both_read.wait()
        return raise_checks(due, now)

    monkeypatch.setattr(attendance_prompts, "raise_welfare_checks", raise_when_both_have_read)
    reports, errors = [], []

    def sweep():
        try:
            with app.app_context():
                reports.append(attendance_cutoffs())
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    with school_time(f"{MONDAY} 10:31"):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == [] and len(reports) == 2
    with school_scope(two["school"]):
        db.session.expire_all()
        checks = db.session.scalars(select(WelfareCheck)).all()
    assert sorted(c.pupil_id for c in checks) == sorted([two["robin"], two["ash"]])  # one each, not two
    assert len(tasks(two["school"], TaskKind.WELFARE_CHECK)) == 2
    assert len(emails_to(two["dsl"])) == 2


def test_two_sweeps_making_the_days_sessions_at_once_make_each_once(two, app, monkeypatch):
    """Issue 11, finding 4's audit: the morning sweep, the cut-off sweep and the today page all make the day's
    sessions (read what is made, insert the rest). Overlapping, the second used to fail on the unique slot."""
    import threading

    from app.services import attendance
    from tests.races import at_once

    made_read = threading.local()
    cutoff_at = attendance.cutoff_at

    def after_both_have_read(*args):
        if not getattr(made_read, "done", False):
            made_read.done = True
            made_read.ready()
        return cutoff_at(*args)

    monkeypatch.setattr(attendance, "cutoff_at", after_both_have_read)

    def sweep(ready):
        made_read.ready = ready
        return expected_sessions()

    with school_time(f"{MONDAY} 08:00"):  # frozen once, for both threads
        reports = at_once(app, sweep, sweep)
    assert all(r.failed == {} for r in reports)
    assert sum(r.results[two["school"]] for r in reports) == 2  # each session made by one of them
    assert len(sessions(two["school"])) == 2

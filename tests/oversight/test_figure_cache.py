"""The figures of ended periods kept until a record of their school changes (app.services.figure_cache, issue 18):
a kept figure must never be a stale one. Each test counts once, changes something (or not), counts again, and
checks both the figures and whether they were counted again."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import event, select

from app.clock import local_datetime
from app.extensions import db
from app.models import AttendanceSession, Placement, Task
from app.models.attendance import WelfareCheck, WelfareCheckOutcome
from app.services.ap_figures import Window, period_figures
from app.services.figure_cache import records_changed
from tenants import school_scope, trust_scope
from tests.helpers import school_time
from tests.oversight.history import add_history, add_school, enter_years
from tests.oversight.test_trust_dashboard import lead_id
from tests.placements.conftest import vetted_provider

AUTUMN_1 = Window("2025-26 Autumn 1", dt.date(2025, 9, 1), dt.date(2025, 10, 24))  # ended by "now" below
NOW = "2026-03-16 12:00"  # a Monday in Spring 2
SPRING_2 = Window("2025-26 Spring 2", dt.date(2026, 2, 23), dt.date(2026, 3, 16))  # running: cut at today


def counted(fn):
    """(what fn returned, whether it read placements: the figures were counted rather than kept)."""
    seen = []

    def before(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return result, any("FROM placements" in s for s in seen)


def figures_of(world, school_id: int, window: Window = AUTUMN_1, with_cost: bool = False):
    with school_time(NOW), trust_scope(lead_id(world), "test: the kept figures"):
        return counted(lambda: period_figures({school_id: [window]}, with_cost=with_cost)[(school_id, window.key)])


def a_school(world, slug="elm"):
    provider = vetted_provider(world, name="Willow Tutors")
    school = add_school(world, slug, f"{slug.title()} Academy")
    enter_years(school)
    placement = add_history(school, provider, world.users["a.ap_leader"].id, "Ash", dt.date(2025, 9, 8), None)
    return school, provider, placement


def test_an_ended_period_is_counted_once_then_kept_with_the_same_figures(app, world):
    school, _, _ = a_school(world)
    first, read = figures_of(world, school)
    assert read and first.pupils_in_ap == 1 and first.welfare_checks == 1
    again, read_again = figures_of(world, school)
    assert not read_again
    assert vars(again) == vars(first)


def test_the_running_period_is_kept_too_until_the_school_changes_a_record(app, world):
    school, _, _ = a_school(world)
    first, read = figures_of(world, school, SPRING_2)
    again, read_again = figures_of(world, school, SPRING_2)
    assert read and not read_again
    assert vars(again) == vars(first)


def _mark_today(school, provider, placement, code="B"):
    with school_time(NOW), school_scope(school):
        pupil_id = db.session.get(Placement, placement).pupil_id
        db.session.add(AttendanceSession(
            placement_id=placement, pupil_id=pupil_id, provider_id=provider, day=dt.date(2026, 3, 16),
            session="pm", starts_at=dt.time(13), ends_at=dt.time(15),
            cutoff_at=local_datetime(dt.date(2026, 3, 16), dt.time(13, 30)), register_code=code))
        db.session.commit()


def test_todays_register_mark_counts_the_running_period_again_and_leaves_the_ended_one_kept(app, world):
    school, provider, placement = a_school(world)
    figures_of(world, school)
    before, _ = figures_of(world, school, SPRING_2)
    _mark_today(school, provider, placement)
    after, read = figures_of(world, school, SPRING_2)
    assert read and after.attended == before.attended + 1 and after.possible == before.possible + 1
    _, ended_read = figures_of(world, school)
    assert not ended_read


def test_a_task_due_today_counts_the_running_period_again(app, world):
    school, _, _ = a_school(world)
    before, _ = figures_of(world, school, SPRING_2)
    with school_time(NOW), school_scope(school):
        db.session.add(Task(kind="half_termly_review", title="Review", dedupe_key="due-today",
                            due_at=local_datetime(dt.date(2026, 3, 16), dt.time(17)), status="open"))
        db.session.commit()
    _, read = figures_of(world, school, SPRING_2)
    assert read


def test_another_schools_register_mark_leaves_this_schools_running_period_kept(app, world):
    school, _, _ = a_school(world)
    other, other_provider, other_placement = a_school(world, "oak")
    figures_of(world, school, SPRING_2)
    _mark_today(other, other_provider, other_placement)
    _, read = figures_of(world, school, SPRING_2)
    assert not read


def test_todays_writes_the_flush_never_saw_count_the_running_period_again_when_announced(app, world):
    school, _, _ = a_school(world)
    figures_of(world, school)
    figures_of(world, school, SPRING_2)
    records_changed([school], today_only=True)
    _, running_read = figures_of(world, school, SPRING_2)
    _, ended_read = figures_of(world, school)
    assert running_read and not ended_read


def test_costed_figures_are_kept_apart_from_the_dashboards(app, world):
    school, _, _ = a_school(world)
    plain, _ = figures_of(world, school)
    costed, read = figures_of(world, school, with_cost=True)
    assert read and costed.cost > 0 and plain.cost == 0


def test_a_new_record_of_the_school_in_the_ended_period_is_counted(app, world):
    school, _, placement = a_school(world)
    before, _ = figures_of(world, school)
    with school_time(NOW), school_scope(school):
        pupil_id = db.session.get(Placement, placement).pupil_id
        db.session.add(WelfareCheck(pupil_id=pupil_id, raised_at=local_datetime(dt.date(2025, 10, 6), dt.time(10)),
                                    recorded_at=local_datetime(dt.date(2025, 10, 6), dt.time(11)),
                                    outcome=WelfareCheckOutcome.NOT_LOCATED,
                                    missing_procedure_started_at=local_datetime(dt.date(2025, 10, 6), dt.time(11))))
        db.session.commit()
    after, read = figures_of(world, school)
    assert read
    assert (after.welfare_checks, after.not_located) == (before.welfare_checks + 1, before.not_located + 1)


def test_a_corrected_past_register_mark_is_counted(app, world):
    school, _, _ = a_school(world)
    before, _ = figures_of(world, school)
    with school_time(NOW), school_scope(school):
        session = db.session.scalars(select(AttendanceSession).where(
            AttendanceSession.day <= AUTUMN_1.last_day, AttendanceSession.register_code == "B")).first()
        session.register_code = "O"
        db.session.commit()
    after, read = figures_of(world, school)
    assert read and after.attended == before.attended - 1


def test_todays_registers_and_tasks_due_from_today_leave_the_kept_figures_be(app, world):
    school, provider, placement = a_school(world)
    figures_of(world, school)
    _mark_today(school, provider, placement)
    with school_time(NOW), school_scope(school):
        db.session.add(Task(kind="welfare_check_due", title="Check", dedupe_key="today-task",
                            due_at=local_datetime(dt.date(2026, 3, 16), dt.time(10)), status="open"))
        db.session.commit()
    _, read = figures_of(world, school)
    assert not read


def test_completing_a_task_due_in_the_past_is_counted(app, world):
    school, _, _ = a_school(world)
    before, _ = figures_of(world, school)
    with school_time(NOW), school_scope(school):
        task = db.session.scalars(select(Task).where(Task.kind == "half_termly_review")).first()
        task.completed_at = task.due_at + dt.timedelta(days=3)  # held late after all
        db.session.commit()
    after, read = figures_of(world, school)
    assert read and after.reviews_on_time == before.reviews_on_time - 1


def test_another_schools_change_leaves_this_schools_kept_figures_be(app, world):
    school, _, _ = a_school(world)
    other, _, _ = a_school(world, "oak")
    figures_of(world, school)
    with school_time(NOW), school_scope(other):
        db.session.add(Task(kind="half_termly_review", title="Review", dedupe_key="oak-late",
                            due_at=local_datetime(dt.date(2025, 10, 1), dt.time(17)), status="open"))
        db.session.commit()
    _, read = figures_of(world, school)
    assert not read
    _, read_other = figures_of(world, other)
    assert read_other


def test_a_change_to_the_shared_provider_register_retires_every_schools_figures(app, world):
    school, provider, _ = a_school(world)
    figures_of(world, school)
    from app.models import Provider

    with school_time(NOW), trust_scope(lead_id(world), "test: rename a provider"):
        db.session.get(Provider, provider).name = "Willow Tutoring Ltd"
        db.session.commit()
    after, read = figures_of(world, school)
    assert read and "Willow Tutoring Ltd" in after.by_provider


def test_writes_the_flush_never_saw_retire_the_figures_when_announced(app, world):
    school, _, _ = a_school(world)
    figures_of(world, school)
    records_changed([school])
    _, read = figures_of(world, school)
    assert read


def test_a_new_day_counts_again(app, world):
    school, _, _ = a_school(world)
    figures_of(world, school)
    with school_time("2026-03-17 08:00"), trust_scope(lead_id(world), "test: the next day"):
        _, read = counted(lambda: period_figures({school: [AUTUMN_1]}, with_cost=False))
    assert read


def test_without_redis_everything_is_counted_and_nothing_fails(app, world, monkeypatch):
    school, _, _ = a_school(world)
    expected, _ = figures_of(world, school)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")  # nothing listens there
    first, read = figures_of(world, school)
    again, read_again = figures_of(world, school)
    assert read and read_again and vars(first) == vars(expected) == vars(again)


def test_turned_off_nothing_is_kept(app, world, monkeypatch):
    school, _, _ = a_school(world)
    monkeypatch.setitem(app.config, "FIGURE_CACHE", False)
    figures_of(world, school)
    _, read = figures_of(world, school)
    assert read


def test_a_commit_with_redis_away_still_commits(app, world, monkeypatch):
    """The versions are put up after the commit; Redis away, the commit stands and the warning names them."""
    from app.models import Provider

    school, provider, _ = a_school(world)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:9/0")
    with school_time(NOW), trust_scope(lead_id(world), "test: rename a provider, Redis away"):
        db.session.get(Provider, provider).name = "Willow Tutoring Ltd"  # the shared version
        records_changed([school, "shared"])
        db.session.commit()
        assert db.session.get(Provider, provider).name == "Willow Tutoring Ltd"

"""Commissioning, starting (the LA told, 7.12), ending (8.7), the pupil's week and cost, through the service."""
from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from app.clock import SCHOOL_TZ
from app.extensions import db
from app.models import (
    Involvement,
    InvolvementParty,
    Notification,
    Placement,
    PlacementStatus,
    ProviderKind,
    WeeklySession,
)
from app.services import placements as service
from tenants import school_scope
from tests.placements.conftest import START, make_ready_placement, vetted_provider


def _in_a(world, ready):
    return school_scope(world.a.id)


def notices(school_id):
    with school_scope(school_id):
        return sorted((n.audience.value, n.recipient_email, n.dedupe_key, n.about_type)
                      for n in db.session.scalars(select(Notification)))


def test_a_ready_placement_starts_and_the_la_is_told_once(world, ready):
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        assert service.placement_readiness(placement) == []
        result = service.start_placement(placement, world.users["a.ap_leader"])
        assert result.ok
        assert placement.status == PlacementStatus.ACTIVE and placement.started_by_id == world.users["a.ap_leader"].id
    expected = [("local_authority", "ap@la.example.org", f"placement-commissioned:{ready.placement_id}:la", "pupil")]
    assert notices(world.a.id) == expected
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        again = service.start_placement(placement, world.users["a.ap_leader"])
        assert not again.ok and "already started" in again.errors["status"]
        # queuing the notices again (a retried request) adds nothing: one per placement per recipient
        service.notify_la_of_placement(placement)
        db.session.commit()
        body = db.session.scalars(select(Notification)).one().body_text
    assert notices(world.a.id) == expected
    assert "Robin Example" in body and "Meadow Farm Learning" in body and "Monday 16 March 2026" in body


def test_the_vsh_is_told_for_a_looked_after_pupil_and_the_send_team_for_an_ehcp(world, frozen, calendar_a):
    ready = make_ready_placement(world, first_name="Casey", ehcp=True, looked_after=True)
    with school_scope(world.a.id):
        leader = world.users["a.ap_leader"]
        for party in InvolvementParty:
            db.session.add(Involvement(pupil_id=ready.pupil_id, party=party, person_name="Someone",
                                       involved_on=date(2026, 3, 2), ehcp_review_needed=False,
                                       recorded_by_id=leader.id))
        db.session.commit()
        assert service.start_placement(db.session.get(Placement, ready.placement_id), leader).ok
    assert [(a, email) for a, email, *_ in notices(world.a.id)] == [
        ("local_authority", "ap@la.example.org"), ("local_authority", "send@la.example.org"),
        ("virtual_school", "vsh@la.example.org")]


def test_ehcp_and_looked_after_pupils_cannot_start_without_their_involvement(world, frozen, calendar_a):
    ready = make_ready_placement(world, first_name="Devon", ehcp=True, looked_after=True)
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        result = service.start_placement(placement, world.users["a.ap_leader"])
        assert not result.ok
        assert [(m.condition, m.detail.get("party")) for m in result.missing] == [
            ("involvement", "local_authority_send"), ("involvement", "virtual_school_head"),
            ("involvement", "social_worker")]
        assert db.session.get(Placement, ready.placement_id).status == PlacementStatus.PLANNED
    assert notices(world.a.id) == []


def test_start_is_refused_with_the_missing_list_and_nothing_changes(world, ready):
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        placement.key_information_shared_on = None
        for session in placement.weekly_sessions:
            db.session.delete(session)
        db.session.commit()
        result = service.start_placement(db.session.get(Placement, ready.placement_id), world.users["a.ap_leader"])
        assert [m.condition for m in result.missing] == ["key_information_shared", "weekly_pattern"]
        assert db.session.get(Placement, ready.placement_id).status == PlacementStatus.PLANNED
    assert notices(world.a.id) == []


def test_an_unvetted_provider_blocks_the_start(world, frozen, calendar_a):
    provider_id = vetted_provider(world, name="Unchecked Provider", approved=False)
    ready = make_ready_placement(world, first_name="Eli", provider_id=provider_id)
    with school_scope(world.a.id):
        missing = service.placement_readiness(db.session.get(Placement, ready.placement_id))
    assert [m.condition for m in missing] == ["provider_vetted"]


def test_on_site_provision_starts_without_telling_the_la(world, frozen, calendar_a):
    hive = vetted_provider(world, name="The Hive", kind=ProviderKind.ON_SITE, approved=False)
    ready = make_ready_placement(world, first_name="Frankie", provider_id=hive)
    with school_scope(world.a.id):
        assert service.start_placement(db.session.get(Placement, ready.placement_id), world.users["a.ap_leader"]).ok
    assert notices(world.a.id) == []


def test_ending_requires_the_destination(world, ready, frozen):
    leader = world.users["a.ap_leader"]
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        service.start_placement(placement, leader)
        frozen.move_to(datetime(2026, 3, 20, 15, 0, tzinfo=SCHOOL_TZ))
        early = service.end_placement(placement, leader, service.EndInput(date(2026, 3, 13), None, None, "X", None))
        assert early.errors == {"ended_on": "The end cannot be before the placement started."}
        refused = service.end_placement(placement, leader, service.EndInput(date(2026, 3, 20), "Good", None, " ", None))
        assert refused.errors == {"destination": "Enter the pupil's destination after the placement (8.7)."}
        placement = db.session.get(Placement, ready.placement_id)
        assert placement.status == PlacementStatus.ACTIVE and placement.end_progress is None
        ended = service.end_placement(placement, leader, service.EndInput(
            date(2026, 3, 20), "Good progress", "Level 1 maths", "Back to full-time lessons", "Liked it"))
        assert ended.ok and placement.status == PlacementStatus.ENDED
        assert placement.end_destination == "Back to full-time lessons" and placement.ended_by_id == leader.id


def test_only_a_planned_placement_can_be_cancelled(world, ready):
    leader = world.users["a.ap_leader"]
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        assert service.cancel_placement(placement, leader).ok
        assert placement.status == PlacementStatus.CANCELLED
        assert not service.start_placement(placement, leader).ok


def test_the_weekly_pattern_is_saved_whole_or_not_at_all(world, ready):
    S = service.SessionInput
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        bad = service.set_weekly_pattern(placement, [
            S(1, "am", time(9), time(12)), S(1, "am", time(9), time(11)), S(3, "pm", time(15), time(13)),
            S(5, "am", time(9), time(12))])
        assert bad.errors == {"1-am": "Tuesday AM is given twice.", "3-pm": "Thursday PM must end after it starts.",
                              "sessions": "Sessions are Monday to Friday."}
        kept = [(s.weekday, s.session.value) for s in db.session.scalars(select(WeeklySession))]
        assert kept == [(0, "am"), (2, "am")]
        good = service.set_weekly_pattern(db.session.get(Placement, ready.placement_id), [
            S(4, "pm", time(13, 0), time(15, 30)), S(1, "am", time(9, 0), time(12, 0))])
        assert good.ok
        assert service.weekly_hours(db.session.get(Placement, ready.placement_id)) == 5.5


def test_the_pupils_week_shows_every_placement_and_flags_a_part_time_arrangement(world, ready):
    with school_scope(world.a.id):
        pupil = db.session.get(Placement, ready.placement_id).pupil
        week = service.pupil_week(pupil)
        assert week.full_time_hours == 24.0 and week.key_stage == "KS3"
        assert [c.at_school for c in week.row(0)] == [False, True]
        # two 3-hour mornings at the provision, eight sessions at school at 2.4 hours each
        assert (week.provision_hours, week.school_hours, week.total_hours) == (6.0, 19.2, 25.2)
        assert not week.is_part_time
        service.set_weekly_pattern(db.session.get(Placement, ready.placement_id), [
            service.SessionInput(d, s, time(10, 0) if s == "am" else time(13, 0),
                                 time(11, 0) if s == "am" else time(14, 0)) for d in range(5) for s in ("am", "pm")])
        week = service.pupil_week(pupil)
        assert (week.provision_hours, week.school_sessions, week.is_part_time) == (10.0, 0, True)


def test_cost_to_date_counts_sessions_on_school_days(world, ready, frozen):
    with school_scope(world.a.id):
        placement = db.session.get(Placement, ready.placement_id)
        assert service.placement_cost(placement).to_date is None or service.placement_cost(placement).to_date == 0
        service.start_placement(placement, world.users["a.ap_leader"])
        # Monday and Wednesday mornings from 16 March to Friday 27 March (then the Easter holidays): 4 sessions
        cost = service.placement_cost(placement, today=date(2026, 4, 12))
        assert (cost.sessions_to_date, cost.days_to_date) == (4, 4)
        assert (cost.per_week, cost.to_date) == (Decimal("80.00"), Decimal("160.00"))
        # after the holidays: Monday 13 and Wednesday 15 April as well
        assert service.placement_cost(placement, today=date(2026, 4, 15)).to_date == Decimal("240.00")


def test_a_planned_placement_is_created_checked_field_by_field(world, frozen, calendar_a):
    provider_id = vetted_provider(world)
    ready = make_ready_placement(world, provider_id=provider_id)
    data = service.PlacementInput(pupil_id=None, provider_id=None, provider_site_id=None, start_date=date(2026, 3, 14),
                                  planned_end_date=date(2026, 3, 1), arranged_by="nobody")
    with school_scope(world.a.id):
        result = service.create_placement(data, world.users["a.ap_leader"])
        assert set(result.errors) == {"pupil_id", "provider_id", "start_date", "arranged_by", "planned_end_date"}
        good = service.create_placement(service.PlacementInput(
            pupil_id=ready.pupil_id, provider_id=provider_id, provider_site_id=None, start_date=START,
            planned_end_date=None, arranged_by="school"), world.users["a.ap_leader"])
        assert good.ok and good.record.status == PlacementStatus.PLANNED
        assert [m.condition for m in service.placement_readiness(good.record)] == [
            "key_information_shared", "commissioning_agreement", "weekly_pattern"]


def test_ending_twice_at_once_ends_once(app, world, ready, frozen):
    """Issue 11, finding 5: a double-clicked "End placement" (or two people): one end recorded, one audited."""
    from app.models import AuditEvent
    from tenants import system_scope
    from tests.races import at_once

    leader = world.users["a.ap_leader"]
    with school_scope(world.a.id):
        assert service.start_placement(db.session.get(Placement, ready.placement_id), leader).ok
    frozen.move_to(datetime(2026, 3, 20, 15, 0, tzinfo=SCHOOL_TZ))
    school_id, leader_id, user_class = world.a.id, leader.id, type(leader)  # read here: threads have own sessions

    def end(destination):
        def action(go):
            with school_scope(school_id):
                placement = db.session.get(Placement, ready.placement_id)
                user = db.session.get(user_class, leader_id)
                assert placement.status is PlacementStatus.ACTIVE
                go()
                return service.end_placement(placement, user, service.EndInput(
                    date(2026, 3, 20), "Good progress", None, destination, None))
        return action

    results = at_once(app, end("College"), end("Back to lessons"))
    assert sorted(r.ok for r in results) == [False, True]
    assert [r.errors for r in results if not r.ok] == [{"status": "This placement has just been ended by someone else."}]
    with system_scope("test"):
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == "Placement", AuditEvent.record_id == str(ready.placement_id))).all()
        assert len([e for e in events if (e.after or {}).get("status") == "ended"]) == 1

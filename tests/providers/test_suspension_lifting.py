"""Lifting a provider's suspension, the suspension tasks, the history on the provider's page; and a material
change telling the schools using the provider (7.9)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import AuditEvent, Notification, PlacementStatus, Provider, Task
from app.models.tasks import TaskStatus
from app.policy.provider_vetting import VettingStatus
from app.services import providers as service
from app.services.tasks import TASK_KINDS, TaskKind, escalation_due_at
from jobs.provider_sweeps import renewal_work_for_school
from tenants import school_scope, system_scope
from tests.helpers import school_time
from tests.providers.conftest import make_provider, place
from tests.providers.test_provider_pages import client_for, post
from tests.providers.test_provider_service import _vet


def _mail(template):
    with system_scope("test"):
        return list(db.session.scalars(select(Notification).where(Notification.template == template)))


def _tasks():
    with system_scope("test"):
        db.session.expire_all()
        return list(db.session.scalars(select(Task).order_by(Task.school_id, Task.id)))


def _provider(provider_id) -> Provider:
    with system_scope("test"):
        db.session.expire_all()
        return db.session.get(Provider, provider_id)


def _suspend(world, farm):
    with school_scope(world.a.id):
        assert service.suspend_provider(farm, world.users["a.ap_leader"], "Safeguarding investigation",
                                        school=world.a).ok


def test_a_suspension_task_is_urgent_for_the_ap_leader_and_escalates_after_a_school_day():
    rules = TASK_KINDS[TaskKind.PROVIDER_SUSPENDED]
    assert rules.urgent and rules.role.value == "ap_leader" and not rules.done_in_inbox
    [step] = rules.escalation
    assert step.to.value == "headteacher"
    with school_time("2026-03-13 14:00"):  # a Friday: one school day later is Monday
        due = clock.now()
        assert escalation_due_at(step, due) == due + timedelta(days=3)


def test_lifting_tells_schools_with_planned_or_active_placements_and_closes_the_tasks(app, world, farm):
    with school_time("2026-03-09 10:00"):
        _vet(farm, world)
    with school_time("2026-04-20 10:00"):
        place(world.a.id, farm.id, status=PlacementStatus.ACTIVE)
        place(world.b.id, farm.id, status=PlacementStatus.ACTIVE)
        _suspend(world, farm)
        assert {(t.school_id, t.kind) for t in _tasks()} == {(world.a.id, "provider_suspended"),
                                                               (world.b.id, "provider_suspended")}
        c = world.schools["c"]
        place(c.id, farm.id, status=PlacementStatus.PLANNED)  # planned since: C is told too, and had no task
        with school_scope(world.a.id):
            result = service.lift_suspension(_provider(farm.id), world.users["a.ap_leader"],
                                             "Investigation closed: no case to answer", school=world.a)
        assert result.ok and result.schools_told == [world.a.id, world.b.id, c.id]
        assert all(t.status is TaskStatus.DONE for t in _tasks())
        assert {t.completed_by_id for t in _tasks()} == {world.users["a.ap_leader"].id}
        provider = _provider(farm.id)
        assert not provider.is_suspended
        status = service.provider_status(provider)
        assert status.vetting is VettingStatus.VETTED and status.allows_new_placements
    notes = _mail("provider_suspension_lifted")
    assert {n.recipient_email for n in notes} == {
        "a.ap_leader@test.example.org", "a.dsl@test.example.org", "shared.ap_leader@test.example.org",
        "b.ap_leader@test.example.org", "b.dsl@test.example.org"}  # C's AP leader is the shared one
    assert {n.school_id for n in notes} == {world.a.id, world.b.id, world.schools["c"].id}
    assert "can take new placements again" in notes[0].body_text
    with system_scope("test"):
        [lifted] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "suspension_lifted")).all()
    assert lifted.actor_id == world.users["a.ap_leader"].id and lifted.record_id == str(farm.id)
    history = service.suspension_history(_provider(farm.id))
    assert [(e.lifted, e.reason, e.by_id) for e in history] == [
        (True, "Investigation closed: no case to answer", world.users["a.ap_leader"].id),
        (False, "Safeguarding investigation", world.users["a.ap_leader"].id)]


def test_lifting_does_not_vet_a_provider_whose_vetting_has_lapsed(app, world, farm):
    with school_time("2026-03-09 10:00"):
        _vet(farm, world)
    place(world.a.id, farm.id)
    with school_time("2027-04-01 10:00"):  # vetting expired meanwhile
        _suspend(world, farm)
        lead = world.users["trust.trust_safeguarding_lead"]
        result = service.lift_suspension(_provider(farm.id), lead, "LA review complete")
        assert result.ok and result.schools_told == [world.a.id]
        status = service.provider_status(_provider(farm.id))
        assert status.vetting is VettingStatus.EXPIRED and not status.allows_new_placements
    [note] = [n for n in _mail("provider_suspension_lifted") if n.recipient_email == "a.dsl@test.example.org"]
    assert "still cannot take new placements" in note.body_text and "vetting has expired" in note.body_text


def test_lifting_needs_a_reason_and_a_suspension(app, world, farm):
    lead = world.users["trust.trust_safeguarding_lead"]
    assert service.lift_suspension(farm, lead, "Nothing to lift").errors == {
        "reason": "This provider is not suspended."}
    place(world.a.id, farm.id)
    _suspend(world, farm)
    assert service.lift_suspension(_provider(farm.id), lead, "  ").errors == {
        "reason": "Say why the suspension is lifted."}
    assert set(service.lift_suspension(_provider(farm.id), lead, "x" * 501).errors) == {"reason"}
    assert _provider(farm.id).is_suspended and _mail("provider_suspension_lifted") == []
    assert all(t.status is TaskStatus.OPEN for t in _tasks())
    leader = client_for(app, world.users["a.ap_leader"])
    page = post(leader, f"/alder/providers/{farm.id}/lift-suspension", {"reason": ""}).get_data(as_text=True)
    assert "There is a problem" in page
    assert "Reason for lifting the suspension: Say why the suspension is lifted." in page
    assert _provider(farm.id).is_suspended


def test_who_may_lift_a_suspension(app, world, farm):
    place(world.a.id, farm.id)
    _suspend(world, farm)
    for who, url in (("a.headteacher", "/alder"), ("a.dsl", "/alder"), ("b.staff", "/birch")):
        assert client_for(app, world.users[who]).get(
            f"{url}/providers/{farm.id}/lift-suspension").status_code == 403, who
    assert client_for(app, world.users["trust.trust_send_lead"]).get(
        f"/trust/providers/{farm.id}/lift-suspension").status_code == 403
    # Another school's own on-site provision is not found
    hive = make_provider("The Hive", kind="on_site", owning_school_id=world.a.id, registration="other_registered",
                         suspended_at=clock.now(), suspension_reason="Room closed")
    assert client_for(app, world.users["b.ap_leader"]).get(
        f"/birch/providers/{hive.id}/lift-suspension").status_code == 404
    # Another school's AP leader may lift (the register is shared): B's AP leader does, from B's pages.
    b_leader = client_for(app, world.users["b.ap_leader"])
    show = b_leader.get(f"/birch/providers/{farm.id}").get_data(as_text=True)
    assert "Lift the suspension" in show
    assert post(b_leader, f"/birch/providers/{farm.id}/lift-suspension",
                {"reason": "Trust review complete"}).status_code == 302
    assert not _provider(farm.id).is_suspended
    page = b_leader.get(f"/birch/providers/{farm.id}").get_data(as_text=True)
    assert "Suspension history" in page and "Suspension lifted" in page and "Trust review complete" in page
    assert "Safeguarding investigation" in page


def test_the_trust_safeguarding_lead_lifts_from_the_concerns_page(app, world, farm):
    place(world.b.id, farm.id)
    lead = client_for(app, world.users["trust.trust_safeguarding_lead"])
    assert post(lead, f"/trust/providers/{farm.id}/suspend", {"reason": "LA closure notice"}).status_code == 302
    url = f"/trust/providers/{farm.id}/lift-suspension"
    assert url in lead.get("/trust/providers/concerns").get_data(as_text=True)
    refused = post(lead, url, {"reason": ""})
    assert refused.status_code == 200 and "Say why the suspension is lifted." in refused.get_data(as_text=True)
    assert post(lead, url, {"reason": "Notice withdrawn by the LA"}).status_code == 302
    assert not _provider(farm.id).is_suspended
    assert {n.school_id for n in _mail("provider_suspension_lifted")} == {world.b.id}
    assert [t.status for t in _tasks()] == [TaskStatus.DONE]


# --- a material change (7.9) -------------------------------------------------------------------------------------


def test_a_material_change_tells_every_school_using_the_provider(app, world, farm):
    with school_time("2026-03-09 10:00"):
        _vet(farm, world)
    place(world.a.id, farm.id, status=PlacementStatus.ACTIVE)
    place(world.b.id, farm.id, status=PlacementStatus.PLANNED)
    place(world.schools["c"].id, farm.id, status=PlacementStatus.ENDED)
    with school_time("2026-05-01 10:00"):
        with school_scope(world.b.id):
            result = service.record_material_change(farm, "New owners from June", world.b, world.users["b.ap_leader"])
        assert result.ok and result.schools_told == [world.a.id, world.b.id]
        tasks = _tasks()
        assert [(t.school_id, t.kind, t.assigned_role.value) for t in tasks] == [
            (world.a.id, "provider_check_expiring", "ap_leader"), (world.b.id, "provider_check_expiring", "ap_leader")]
        assert all("vetting has lapsed" in t.title and "Renew the checks" in t.title for t in tasks)
        assert tasks[0].urgent and not tasks[1].urgent  # pupils are at the provider now only for A
        notes = _mail("provider_material_change")
        assert {n.recipient_email for n in notes} == {
            "a.ap_leader@test.example.org", "a.dsl@test.example.org", "shared.ap_leader@test.example.org",
            "b.ap_leader@test.example.org", "b.dsl@test.example.org"}
        assert "New owners from June" in notes[0].body_text
        # The evening sweep finds the same lapse: no second task (one per provider per change).
        with school_scope(world.a.id):
            assert renewal_work_for_school(clock.today())["expired"] == 0
            db.session.commit()
        assert len(_tasks()) == 2
    with school_time("2026-05-04 10:00"):  # a second change: a new task
        with school_scope(world.a.id):
            service.record_material_change(_provider(farm.id), "Moved site", world.a, world.users["a.ap_leader"])
        assert len(_tasks()) == 4



def test_two_lifting_at_once_lift_once(app, world, farm):
    """Issue 11, finding 5: both read "suspended"; one lifts, the other is told it was lifted meanwhile."""
    from tests.races import at_once

    with school_time("2026-03-09 10:00"):
        _vet(farm, world)
    place(world.a.id, farm.id, status=PlacementStatus.ACTIVE)
    _suspend(world, farm)
    # Read here: each thread has its own session, and these objects belong to the test's.
    school_id, school_class, farm_id = world.a.id, type(world.a), farm.id
    users = {key: (type(world.users[key]), world.users[key].id) for key in ("a.ap_leader", "ac.ap_leader")}

    def lift(key, reason):
        def action(ready):
            with school_scope(school_id):
                provider = db.session.get(Provider, farm_id)
                user = db.session.get(*users[key])
                school = db.session.get(school_class, school_id)
                assert provider.is_suspended
                ready()
                return service.lift_suspension(provider, user, reason, school=school)
        return action

    results = at_once(app, lift("a.ap_leader", "First reason"), lift("ac.ap_leader", "Second reason"))
    assert sorted(r.ok for r in results) == [False, True]
    [refused] = [r for r in results if not r.ok]
    assert refused.errors == {"reason": "This suspension has just been lifted by someone else."}
    with system_scope("test"):
        assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "suspension_lifted")).all()) == 1
    told = " ".join(n.body_text for n in _mail("provider_suspension_lifted"))
    assert ("First reason" in told) != ("Second reason" in told)  # one reason told, not two

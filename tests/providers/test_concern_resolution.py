"""Resolving a concern about a provider: who may, who is told, the follow-up task closed, the history kept."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, ConcernSeverity, ConcernStatus, Notification, PlacementStatus, ProviderConcern, Task
from app.models.tasks import TaskStatus
from app.services import providers as service
from app.services.tasks import TASK_KINDS, TaskKind
from tenants import school_scope, system_scope
from tests.helpers import fresh_client
from tests.providers.conftest import place
from tests.providers.test_provider_pages import client_for, post


def _raise(world, farm, details="Pupils left unsupervised at lunchtime"):
    with school_scope(world.a.id):
        result = service.raise_concern(farm, world.a, world.users["a.dsl"], "safeguarding", ConcernSeverity.HIGH,
                                       details)
    assert result.ok
    return result.record


def _resolved_mail():
    with system_scope("test"):
        return {n.recipient_email: n for n in db.session.scalars(
            select(Notification).where(Notification.template == "provider_concern_resolved"))}


def _concern(concern_id) -> ProviderConcern:
    with system_scope("test"):
        db.session.expire_all()
        return db.session.get(ProviderConcern, concern_id)


def test_a_concern_makes_a_dsl_task_of_its_own_kind():
    rules = TASK_KINDS[TaskKind.PROVIDER_CONCERN]
    assert rules.role.value == "dsl" and [s.to.value for s in rules.escalation] == ["headteacher"]
    assert not rules.done_in_inbox  # resolving the concern completes it


def test_the_raising_school_resolves_and_everyone_told_is_told(app, world, farm):
    place(world.b.id, farm.id, status=PlacementStatus.PLANNED)  # B is told when it is raised
    concern = _raise(world, farm)
    with school_scope(world.a.id):
        [task] = db.session.scalars(select(Task)).all()
        assert task.kind == TaskKind.PROVIDER_CONCERN.value and task.subject_type == "provider_concern"
        assert task.subject_id == concern.id
    place(world.schools["c"].id, farm.id, status=PlacementStatus.PLANNED)  # C came later: it was never told
    with school_scope(world.a.id):
        result = service.resolve_concern(concern, world.users["a.dsl"], "  Lunch supervision now in place  ",
                                         school=world.a)
        assert result.ok and result.schools_told == [world.a.id, world.b.id]
        assert db.session.get(Task, task.id).status is TaskStatus.DONE
        assert db.session.get(Task, task.id).completed_by_id == world.users["a.dsl"].id
    saved = _concern(concern.id)
    assert saved.status is ConcernStatus.RESOLVED and saved.resolution == "Lunch supervision now in place"
    assert saved.resolved_by_id == world.users["a.dsl"].id and saved.resolved_at is not None
    mail = _resolved_mail()
    # A's AP leaders (its own and the one shared with C), B's AP leader and DSL, the trust safeguarding lead; not
    # the DSL who resolved it, and nobody only at C.
    assert set(mail) == {"a.ap_leader@test.example.org", "shared.ap_leader@test.example.org",
                         "b.ap_leader@test.example.org", "b.dsl@test.example.org",
                         "trust_safeguarding_lead@trust.example.org"}
    assert mail["b.dsl@test.example.org"].school_id == world.b.id
    assert "Lunch supervision now in place" in mail["b.dsl@test.example.org"].body_text
    assert all(n.dedupe_key.startswith(f"provider-concern-resolved:{concern.id}:user:") for n in mail.values())
    with system_scope("test"):
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == "ProviderConcern", AuditEvent.action == "update",
            AuditEvent.record_id == str(concern.id))).all()
        [event] = [e for e in events if "status" in (e.after or {})]
        assert event.after["status"] == "resolved" and event.before["status"] == "open"
        assert event.after["resolution"] == "Lunch supervision now in place"


def test_resolving_needs_a_resolution_and_saves_nothing_without_one(app, world, farm):
    concern = _raise(world, farm)
    with school_scope(world.a.id):
        result = service.resolve_concern(concern, world.users["a.ap_leader"], "   ", school=world.a)
    assert result.errors == {"resolution": "Say how the concern was resolved."}
    assert _concern(concern.id).status is ConcernStatus.OPEN and _resolved_mail() == {}
    leader = client_for(app, world.users["a.ap_leader"])
    page = post(leader, f"/alder/providers/concerns/{concern.id}/resolve", {"resolution": ""}).get_data(as_text=True)
    assert "There is a problem" in page
    assert "How the concern was resolved: Say how the concern was resolved." in page
    assert _concern(concern.id).status is ConcernStatus.OPEN
    with school_scope(world.a.id):
        assert service.resolve_concern(concern, world.users["a.ap_leader"], "Done", school=world.a).ok
        again = service.resolve_concern(_concern(concern.id), world.users["a.ap_leader"], "Again", school=world.a)
    assert again.errors == {"resolution": "This concern is already resolved."}


def test_who_may_resolve_a_concern(app, world, farm):
    place(world.b.id, farm.id, status=PlacementStatus.PLANNED)
    concern = _raise(world, farm)
    url = f"/alder/providers/concerns/{concern.id}/resolve"
    # B sees the concern (it uses the provider) but did not raise it: not found, not offered.
    b_leader = client_for(app, world.users["b.ap_leader"])
    assert b_leader.get(f"/birch/providers/concerns/{concern.id}/resolve").status_code == 404
    assert "/resolve" not in b_leader.get(f"/birch/providers/{farm.id}").get_data(as_text=True)
    for who in ("a.staff", "a.headteacher", "a.attendance_officer"):
        assert client_for(app, world.users[who]).get(url).status_code == 403, who
    assert client_for(app, world.users["trust.trust_send_lead"]).get(
        f"/trust/providers/concerns/{concern.id}/resolve").status_code == 403
    dsl = client_for(app, world.users["a.dsl"])
    assert url in dsl.get(f"/alder/providers/{farm.id}").get_data(as_text=True)
    assert post(dsl, url, {"resolution": "Spoke to the provider; supervision rota seen"}).status_code == 302
    page = b_leader.get(f"/birch/providers/{farm.id}").get_data(as_text=True)
    assert "(resolved)" in page and "Spoke to the provider; supervision rota seen" in page
    assert f"Resolved by {world.users['a.dsl'].full_name}" in page


def test_the_trust_safeguarding_lead_resolves_from_the_concerns_page(app, world, farm):
    concern = _raise(world, farm, "Late registers three days running")
    lead = client_for(app, world.users["trust.trust_safeguarding_lead"])
    page = lead.get("/trust/providers/concerns").get_data(as_text=True)
    url = f"/trust/providers/concerns/{concern.id}/resolve"
    assert url in page
    refused = post(lead, url, {"resolution": " "})
    assert refused.status_code == 200 and "Say how the concern was resolved." in refused.get_data(as_text=True)
    assert post(lead, url, {"resolution": "Registers now sent by 10am"}).status_code == 302
    assert _concern(concern.id).resolved_by_id == world.users["trust.trust_safeguarding_lead"].id
    page = lead.get("/trust/providers/concerns").get_data(as_text=True)
    assert "No open concerns." in page and "Registers now sent by 10am" in page
    # The raising school is told (its AP leaders and its DSL); the lead who resolved it is not.
    mail = _resolved_mail()
    assert {"a.ap_leader@test.example.org", "a.dsl@test.example.org"} <= set(mail)
    assert "trust_safeguarding_lead@trust.example.org" not in mail
    with school_scope(world.a.id):
        assert db.session.scalar(select(Task)).status is TaskStatus.DONE
    assert fresh_client(app).get(url).status_code == 302  # to sign in


def test_four_people_resolving_at_once_make_one_resolution(app, world, farm):
    """Issue 11, finding 5: each read "open", each resolved it; now the database decides who was first."""
    import threading

    concern = _raise(world, farm)
    resolvers = ["a.dsl", "a.ap_leader", "ac.ap_leader", "a.dsl"]  # the last one double-clicked
    both_read = threading.Barrier(len(resolvers), timeout=30)
    results, errors = [], []
    # Read here: each thread has its own session, and these objects belong to the test's.
    school_id, school_class, concern_id = world.a.id, type(world.a), concern.id
    users = {key: (type(world.users[key]), world.users[key].id) for key in resolvers}

    def resolve(key, n):
        try:
            with app.app_context(), school_scope(school_id):
                mine = db.session.get(ProviderConcern, concern_id)
                user = db.session.get(*users[key])
                school = db.session.get(school_class, school_id)
                assert mine.status is ConcernStatus.OPEN
                both_read.wait()
                results.append((key, n, service.resolve_concern(mine, user, f"Resolution {n}", school=school)))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=resolve, args=(key, n)) for n, key in enumerate(resolvers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(results) == 4
    winners = [(key, n) for key, n, result in results if result.ok]
    assert len(winners) == 1
    assert [r.errors for _, _, r in results if not r.ok] == [{"resolution": "This concern is already resolved."}] * 3
    (winner, n), = winners
    saved = _concern(concern.id)
    assert saved.resolution == f"Resolution {n}" and saved.resolved_by_id == world.users[winner].id
    mail = _resolved_mail()
    assert mail and all(f"Resolution {n}" in m.body_text for m in mail.values())
    with system_scope("test"):
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.record_type == "ProviderConcern", AuditEvent.action == "update",
            AuditEvent.record_id == str(concern.id))).all()
        assert len([e for e in events if "status" in (e.after or {})]) == 1

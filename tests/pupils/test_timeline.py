"""The pupil's timeline: everything AP Hub knows, newest first, and nothing about another pupil."""
from __future__ import annotations

from datetime import date, timedelta

from app.audit import acting_as
from app.clock import now
from app.extensions import db
from app.models import (
    Audience,
    Involvement,
    InvolvementParty,
    Notification,
    Placement,
    PlacementStatus,
    Provider,
    ProviderKind,
    RegistrationStatus,
    Task,
)
from app.permissions import Permission
from app.services import pupils as service
from app.services import timeline as timelines
from tenants import school_scope
from tests.helpers import school_time
from tests.pupils.conftest import make_pupil, pupil_values


def test_the_timeline_gathers_every_record_newest_first(app, world):
    leader = world.users["a.ap_leader"]
    with school_time("2026-01-05 09:00"):
        pupil = make_pupil(world.a.id, first_name="Robin", is_looked_after=True, has_social_worker=True)
        other = make_pupil(world.a.id, first_name="Other")
    # In a request the signed-in user is the acting user of the audit trail; here we say so.
    with school_time("2026-01-06 09:00"), school_scope(world.a.id), acting_as(leader.id):
        pupil = service.access_pupil(pupil.id)
        assert service.update_pupil(pupil, pupil_values(upn=pupil.upn, first_name="Robin", last_name="Renamed",
                                                        is_looked_after=True), by=leader).ok
        assert service.add_carer(pupil, {"name": "Pat Fictional", "phone": "01632 960123", "lives_with": True},
                                 by=leader).ok
        assert service.record_referral(pupil, {"academic_needs": "a", "personal_needs": "b", "social_needs": "c",
                                               "reasons": ["not_attending"], "options_considered": "d",
                                               "proposed_on": date(2026, 1, 2)}, by=leader).ok
        assert service.record_risk_assessment(pupil, {"assessed_on": date(2026, 1, 3), "risks": "r",
                                                      "control_measures": "c", "review_due_on": date(2026, 3, 3)},
                                              by=leader).ok
        assert service.record_involvement(pupil, {"party": "virtual_school_head", "person_name": "Vivian Head",
                                                  "involved_on": date(2026, 1, 4)}, by=leader).ok
        assert service.record_belonging_action(pupil, {"kind": "newsletter", "on": date(2026, 1, 6)}, by=leader).ok
        placement = Placement(pupil_id=pupil.id, start_date=date(2026, 1, 19), status=PlacementStatus.PLANNED,
                              provider=Provider(name="Fictional Farm", kind=ProviderKind.OFF_SITE,
                                                registration_status=RegistrationStatus.UNREGISTERED))
        db.session.add(placement)
        db.session.flush()
        db.session.add(Task(kind="test", title="Half-termly review due", due_at=now() + timedelta(days=7),
                            dedupe_key="t1", subject_type="placement", subject_id=placement.id))
        db.session.add(Notification(dedupe_key="n1", audience=Audience.LOCAL_AUTHORITY,
                                    recipient_email="ap@la.example.org", template="notice", subject="New placement",
                                    body_text="-", message_id="<n1@test.example.org>", about_type="pupil",
                                    about_id=pupil.id))
        db.session.add(Involvement(pupil_id=other.id, party=InvolvementParty.SOCIAL_WORKER, person_name="Not Robin's",
                                   involved_on=date(2026, 1, 6), recorded_by_id=leader.id))
        db.session.commit()
        timeline = timelines.pupil_timeline(pupil, set(Permission))
    titles = [e.title for e in timeline]
    assert titles[0] == "Placement at Fictional Farm starts"  # 19 January, planned
    for title in ("Pupil record: record changed", "Parent or carer: record created", "Referral and needs analysis",
                  "Risk assessment", "Virtual School Headteacher involved",
                  "Newsletter or school information to parents", "Half-termly review due",
                  "Notice to ap@la.example.org: New placement", "Compulsory school age: compulsory"):
        assert title in titles, title
    assert not any("Not Robin's" in (e.detail or "") for e in timeline)
    days = [e.on for e in timeline]
    assert days == sorted(days, reverse=True)
    changed = next(e for e in timeline if e.title == "Pupil record: record changed")
    assert "last name" in changed.detail and changed.who == leader.full_name
    # The looked-after pupil still needs the social worker (7.6), and parents consulted (7.4).
    with school_scope(world.a.id):
        missing = [m.code for m in service.pre_placement_missing(service.access_pupil(pupil.id), date(2026, 1, 19))]
    assert missing == ["parent_consultation", "involvement.social_worker"]


def test_views_of_the_record_are_not_on_the_timeline(app, world):
    """Each view is recorded (the "Who has looked at this record" page), but the timeline holds what happened to
    the pupil: listed there, reads made it grow with every view."""
    from tests.pupils.test_pupil_pages import _client

    with school_time("2026-01-12 09:00"):
        pupil = make_pupil(world.a.id, first_name="Robin")
    with school_time("2026-01-12 10:00"):
        client = _client(app, world.users["a.ap_leader"])
        for _ in range(3):
            assert client.get(f"/{world.a.slug}/pupils/{pupil.id}").status_code == 200
        with school_scope(world.a.id):
            titles = [e.title for e in timelines.pupil_timeline(service.access_pupil(pupil.id), set(Permission))]
    assert not any(title.endswith(": read") for title in titles), titles
    assert "Pupil record: record created" in titles

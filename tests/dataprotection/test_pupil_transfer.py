"""A pupil moving school within the trust (issue 19, item 6): the record moves with an audit event; the old school
no longer sees it; refused cleanly when it would split a commission or clash with the new school's UPNs."""
from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AttendanceSession,
    Audience,
    AuditEvent,
    Carer,
    Notification,
    Placement,
    PlacementStatus,
    Provider,
    ProviderKind,
    Pupil,
    RegistrationStatus,
    SessionOfDay,
    User,
    WelfareCheck,
)
from app.services.pupil_transfer import transfer_pupil
from tenants import school_scope, system_scope
from tests.factories import build_world

AT = datetime(2026, 10, 5, 9, tzinfo=UTC)


@pytest.fixture
def mover(app):
    world = build_world()
    with school_scope(world.a.id):
        provider = Provider(name="Meadow Provision", kind=ProviderKind.OFF_SITE,
                            registration_status=RegistrationStatus.UNREGISTERED)
        pupil = Pupil(upn="M500000000001", first_name="Mover", last_name="Example", date_of_birth=date(2014, 2, 3),
                      year_group=7)
        placement = Placement(pupil=pupil, provider=provider, start_date=date(2026, 9, 7),
                              status=PlacementStatus.ENDED, ended_on=date(2026, 10, 16))
        db.session.add_all([provider, pupil, placement, Carer(pupil=pupil, name="Carer Mover"),
                            WelfareCheck(pupil=pupil, raised_at=AT),
                            AttendanceSession(placement=placement, pupil=pupil, provider=provider, day=date(2026, 10, 5),
                                              session=SessionOfDay.AM, starts_at=time(9), ends_at=time(12),
                                              cutoff_at=AT, register_code="B")])
        db.session.flush()
        db.session.add(Notification(dedupe_key="t:mover", audience=Audience.LOCAL_AUTHORITY,
                                    recipient_email="la@la.example.org", template="notice", context={},
                                    subject="s", body_text="-", message_id="<m@example.org>", about_type="Pupil",
                                    about_id=pupil.id))
        db.session.commit()
        ids = {"pupil": pupil.id, "placement": placement.id, "a": world.a.id, "b": world.b.id,
               "trustee": world.users["trust.designated_trustee"].id, "head": world.users["a.headteacher"].id}
    db.session.remove()
    return ids


def _records(school_id: int, pupil_id: int) -> dict[str, int]:
    with school_scope(school_id):
        return {m.__name__: len(db.session.scalars(select(m).where(m.pupil_id == pupil_id)).all())
                for m in (Carer, WelfareCheck, Placement, AttendanceSession)} | {
            "Pupil": 1 if db.session.get(Pupil, pupil_id) else 0}


def test_the_record_moves_with_an_audit_event_in_both_schools(app, mover):
    with system_scope("test"):
        result = transfer_pupil(mover["pupil"], mover["b"], db.session.get(User, mover["trustee"]))
    assert result.ok, result.errors
    db.session.remove()
    assert _records(mover["b"], mover["pupil"]) == {"Carer": 1, "WelfareCheck": 1, "Placement": 1,
                                                    "AttendanceSession": 1, "Pupil": 1}
    db.session.remove()
    assert _records(mover["a"], mover["pupil"]) == {"Carer": 0, "WelfareCheck": 0, "Placement": 0,
                                                    "AttendanceSession": 0, "Pupil": 0}
    with system_scope("test"):
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "transfer")).all()
        assert sorted(e.school_id for e in events) == sorted([mover["a"], mover["b"]])
        # The old school keeps the notices it sent.
        assert db.session.scalars(select(Notification.school_id)).all() == [mover["a"]]


def test_only_the_designated_trustee_moves_a_pupil(app, mover):
    with system_scope("test"):
        result = transfer_pupil(mover["pupil"], mover["b"], db.session.get(User, mover["head"]))
    assert "by" in result.errors
    db.session.remove()
    assert _records(mover["a"], mover["pupil"])["Pupil"] == 1


def test_refused_with_an_active_placement_or_a_clashing_upn(app, mover):
    with system_scope("test"):
        db.session.get(Placement, mover["placement"]).status = PlacementStatus.ACTIVE
        db.session.commit()
        result = transfer_pupil(mover["pupil"], mover["b"], db.session.get(User, mover["trustee"]))
        assert "pupil_id" in result.errors
        db.session.get(Placement, mover["placement"]).status = PlacementStatus.ENDED
        db.session.commit()
    with school_scope(mover["b"]):
        db.session.add(Pupil(upn="M500000000001", first_name="Same", last_name="Upn", date_of_birth=date(2014, 1, 1),
                             year_group=7))
        db.session.commit()
    with system_scope("test"):
        result = transfer_pupil(mover["pupil"], mover["b"], db.session.get(User, mover["trustee"]))
    assert "to_school" in result.errors
    db.session.remove()
    assert _records(mover["a"], mover["pupil"])["Carer"] == 1


def test_the_trustee_moves_a_pupil_from_the_command_line(app, mover):
    from app.models import School

    with system_scope("test"):
        slug = db.session.get(School, mover["b"]).slug
        email = db.session.get(User, mover["trustee"]).email
    db.session.remove()
    out = app.test_cli_runner().invoke(args=["data-protection", "transfer-pupil", str(mover["pupil"]), slug,
                                             "--by", email])
    assert out.exit_code == 0, out.output
    db.session.remove()
    assert _records(mover["b"], mover["pupil"])["Pupil"] == 1

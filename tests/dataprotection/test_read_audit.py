"""Read audit inside a school (issue 19, item 4): one row for each audited page opened, none for other pages;
the DSL sees who has looked; unusual reading goes to the trust safeguarding lead through the outbox."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Notification, Pupil, User, WelfareCheck
from app.services import api_tokens
from tenants import school_scope, system_scope
from tests.factories import build_world
from tests.helpers import fresh_client, sign_in


@pytest.fixture
def school(app):
    world = build_world()
    ids = {}
    for key in ("a", "b"):
        with school_scope(world.schools[key].id):
            pupil = Pupil(upn=f"{key.upper()}300000000001", first_name=f"Reada{key}", last_name="Example",
                          date_of_birth=date(2013, 4, 2), year_group=8)
            db.session.add(pupil)
            db.session.flush()
            check = WelfareCheck(pupil_id=pupil.id, raised_at=datetime(2026, 12, 1, 10, tzinfo=UTC))
            db.session.add(check)
            db.session.commit()
            ids[key] = (pupil.id, check.id)
    emails = {k: u.email for k, u in world.users.items()}
    slugs = {k: s.slug for k, s in world.schools.items()}
    school_a = world.a.id
    db.session.remove()
    return emails, slugs, ids, school_a


def _reads():
    with system_scope("test"):
        return [(e.actor_id, e.record_type, e.record_id, e.school_id)
                for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "read").order_by(AuditEvent.id))]


def test_each_audited_page_writes_one_row_and_other_pages_none(app, school):
    emails, slugs, ids, school_a = school
    pupil_id, check_id = ids["a"]
    client = fresh_client(app)
    sign_in(client, emails["a.dsl"])
    assert client.get(f"/{slugs['a']}/pupils/").status_code == 200
    assert client.get(f"/{slugs['a']}/welfare-checks/").status_code == 200
    assert _reads() == []
    assert client.get(f"/{slugs['a']}/pupils/{pupil_id}").status_code == 200
    assert client.get(f"/{slugs['a']}/welfare-checks/{check_id}").status_code == 200
    reads = _reads()
    assert [(kind, rid, sid) for _, kind, rid, sid in reads] == [("Pupil", str(pupil_id), school_a),
                                                                  ("WelfareCheck", str(check_id), school_a)]
    # A record of another school is a 404, and its (refused) opening is no read.
    assert client.get(f"/{slugs['a']}/pupils/{ids['b'][0]}").status_code == 404
    assert len(_reads()) == 2


def test_the_dsl_sees_who_has_looked(app, school):
    emails, slugs, ids, _ = school
    pupil_id, check_id = ids["a"]
    reader = fresh_client(app)
    sign_in(reader, emails["a.attendance_officer"])
    reader.get(f"/{slugs['a']}/pupils/{pupil_id}")
    reader.get(f"/{slugs['a']}/welfare-checks/{check_id}")
    dsl = fresh_client(app)
    sign_in(dsl, emails["a.dsl"])
    record = dsl.get(f"/{slugs['a']}/pupils/{pupil_id}").get_data(as_text=True)
    assert f"/data-protection/pupils/{pupil_id}/reads" in record  # linked from the pupil's record
    page = dsl.get(f"/{slugs['a']}/data-protection/pupils/{pupil_id}/reads").get_data(as_text=True)
    assert page.count("A Attendance Officer") == 2 and "Welfare check" in page
    assert "/data-protection/" not in reader.get(f"/{slugs['a']}/pupils/{pupil_id}").get_data(as_text=True)


def test_only_the_dsl_sees_reads_and_another_school_gets_404(app, school):
    emails, slugs, ids, _ = school
    pupil_id, _ = ids["a"]
    for who, status in (("a.attendance_officer", 403), ("a.ap_leader", 403), ("b.dsl", 404)):
        client = fresh_client(app)
        sign_in(client, emails[who])
        assert client.get(f"/{slugs['a']}/data-protection/pupils/{pupil_id}/reads").status_code == status, who
    client = fresh_client(app)
    sign_in(client, emails["a.dsl"])
    assert client.get(f"/{slugs['a']}/data-protection/pupils/{ids['b'][0]}/reads").status_code == 404


def test_many_pupils_read_in_an_hour_is_flagged_once_to_the_trust_safeguarding_lead(app, school):
    emails, slugs, ids, school_a = school
    app.config["READ_ALERT_THRESHOLD"] = 3
    try:
        with school_scope(school_a):
            more = [Pupil(upn=f"A40000000000{i}", first_name=f"Many{i}", last_name="Example",
                          date_of_birth=date(2013, 4, 2), year_group=8) for i in range(4)]
            db.session.add_all(more)
            db.session.commit()
            pupil_ids = [p.id for p in more]
        db.session.remove()
        client = fresh_client(app)
        with freeze_time("2026-12-07 10:05"):
            sign_in(client, emails["a.headteacher"])
            for pid in pupil_ids[:2]:
                assert client.get(f"/{slugs['a']}/pupils/{pid}").status_code == 200
            client.get(f"/{slugs['a']}/pupils/{pupil_ids[0]}")  # the same pupil again is not another pupil
        with system_scope("test"):
            assert db.session.scalars(select(Notification)).all() == []
        with freeze_time("2026-12-07 10:25"):
            for pid in pupil_ids[2:]:
                assert client.get(f"/{slugs['a']}/pupils/{pid}").status_code == 200
        with system_scope("test"):
            sent = db.session.scalars(select(Notification)).all()
        assert [n.recipient_email for n in sent] == [emails["trust.trust_safeguarding_lead"]]
        assert "A Headteacher" in sent[0].body_text and "Many" not in sent[0].body_text
    finally:
        app.config.pop("READ_ALERT_THRESHOLD")


def test_reads_through_the_api_are_recorded_like_the_pages(app, school):
    emails, slugs, ids, school_a = school
    pupil_id, check_id = ids["a"]
    with system_scope("test"):
        dsl = db.session.scalar(select(User).where(User.email == emails["a.dsl"]))
        token, dsl_id = api_tokens.issue(dsl, "read audit"), dsl.id
        db.session.commit()
    db.session.remove()
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/schools/{slugs['a']}/pupils", headers=auth).status_code == 200
    assert _reads() == []  # a list is not an opening
    assert client.get(f"/api/v1/schools/{slugs['a']}/pupils/{pupil_id}", headers=auth).status_code == 200
    assert client.get(f"/api/v1/schools/{slugs['a']}/welfare-checks/{check_id}", headers=auth).status_code == 200
    assert client.get(f"/api/v1/schools/{slugs['a']}/pupils/{ids['b'][0]}", headers=auth).status_code == 404
    assert _reads() == [(dsl_id, "Pupil", str(pupil_id), school_a), (dsl_id, "WelfareCheck", str(check_id), school_a)]

"""Item 4 of issue 13: the trustee's admin. No email bodies of school notifications (metadata, status and
recipients are shown); a school role granted in the admin tells that school's headteacher and DSL at once and
shows on its key contacts page; times in local time and people by name. (Axe: tests/browser.)"""
from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.models import Audience, Notification
from app.roles import SchoolRoleName
from app.services.notifications import queue_notification
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in

BODY_MARKER = "Zqbodymarker about a named pupil"


def _trustee(app, world):
    client = fresh_client(app)
    assert sign_in(client, world.users["trust.designated_trustee"]).status_code == 302
    return client


def _url(app, endpoint, **values):
    with app.test_request_context():
        return url_for(endpoint, **values)


def test_the_admin_shows_a_notifications_metadata_never_its_body(app, world):
    with school_scope(world.a.id):
        n = queue_notification(dedupe_key="admin-body", audience=Audience.LOCAL_AUTHORITY,
                               recipient_email="la.contact@la.example.org", template="notice", school_id=world.a.id,
                               context={"subject": "A placement", "paragraphs": [BODY_MARKER]})
        db.session.commit()
        notification_id = n.id
    client = _trustee(app, world)
    for url in (_url(app, "admin_notification.index_view"),
                _url(app, "admin_notification.details_view", id=notification_id)):
        page = client.get(url).get_data(as_text=True)
        assert "la.contact@la.example.org" in page
        assert BODY_MARKER not in page, url


def test_a_role_the_trustee_grants_themselves_is_told_to_the_school_and_shown_on_its_key_contacts(app, world):
    trustee = world.users["trust.designated_trustee"]
    with school_time("2026-03-02 09:00"):
        client = _trustee(app, world)
        response = post_form(client, _url(app, "admin_school_role.create_view"),
                             {"user": str(trustee.id), "school": str(world.a.id), "role": SchoolRoleName.DSL.value,
                              "covers": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    with system_scope("test"):
        told = db.session.scalars(select(Notification).where(Notification.template == "school_role_granted")).all()
    recipients = {n.recipient_email for n in told}
    assert {world.users["a.headteacher"].email, world.users["a.dsl"].email} <= recipients
    assert all(n.urgent and n.school_id == world.a.id for n in told)
    assert "themselves" in told[0].body_text
    head = fresh_client(app)
    sign_in(head, world.users["a.headteacher"])
    page = head.get("/alder/key-contacts").get_data(as_text=True)
    assert "Roles granted by the trust" in page and trustee.full_name in page and "Mon 2 Mar 2026, 09:00" in page


def test_admin_times_are_local_and_people_are_named(app, world):
    trustee = world.users["trust.designated_trustee"]
    person = world.users["b.dsl"]
    with school_time("2026-07-01 09:30"):  # British Summer Time: 08:30 UTC
        client = _trustee(app, world)
        post_form(client, _url(app, "admin_user.edit_view", id=person.id),
                  {"full_name": "B Renamed", "email": person.email, "phone": "", "is_enabled": "y",
                   "notification_preference": "immediate"})
        page = client.get(_url(app, "admin_audit.index_view")).get_data(as_text=True)
    assert "Wed 1 Jul 2026, 09:30" in page and "2026-07-01 08:30" not in page
    assert trustee.full_name in page

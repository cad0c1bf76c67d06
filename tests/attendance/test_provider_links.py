"""Providers' attendance links (issue 6 item 3; policy 4.5, 7.8): issued by the attendance officer for one provider,
shown once, stored hashed; the page lists only today's sessions of that school's pupils at that provider by first
name and initial; it records attendance; it refuses another school's and another provider's sessions; it expires,
is revoked, is rate-limited; every use is audited."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AttendanceSession,
    Audience,
    AuditEvent,
    Notification,
    ProviderAttendanceLink,
    ProviderContact,
)
from app.services import api_tokens
from app.services.provider_links import RATE_LIMIT
from tenants import school_scope, system_scope
from tests.attendance.conftest import active_placement, morning_sweep
from tests.helpers import csrf_token, fresh_client, post_form, school_time, sign_in

MONDAY = "2026-03-16"
LINKS = "/alder/attendance/provider-links/"


@pytest.fixture
def due(world, calendar_a):
    """At one provider: Robin (school A, Mon) and Birch's Bea (school B, Mon); at another: Ash (school A, Mon)."""
    from tests.placements.conftest import vetted_provider

    idle = vetted_provider(world, name="Quiet Meadow Tuition")
    with school_time("2026-03-09 10:00"):
        robin = active_placement(world, first_name="Robin", weekdays=(0,))
        ash = active_placement(world, first_name="Ash", weekdays=(0,))
        bea = active_placement(world, world.b, first_name="Bea", weekdays=(0,), provider_id=robin.provider_id)
    morning_sweep(str(MONDAY))  # the provider's page lists what the 07:30 sweep made (opening it writes none)
    return {"provider": robin.provider_id, "idle_provider": idle, "other_provider": ash.provider_id, "a": world.a.id, "b": world.b.id,
            "robin": robin.pupil_id, "ash": ash.pupil_id, "bea": bea.pupil_id,
            "officer": world.users["a.attendance_officer"].email}


def issue(client, provider_id: int, days: str = "7", label: str = "Office") -> tuple[object, str | None]:
    """Issue a link as the signed-in person; returns the response and the token it shows (or None)."""
    response = post_form(client, LINKS, {"provider_id": str(provider_id), "days": days, "label": label})
    match = re.search(r'value="(https?://[^"]+/provider-attendance/([^"]+))"', response.get_data(as_text=True))
    return response, match.group(2) if match else None


def session_of(school_id: int, pupil_id: int) -> AttendanceSession:
    with school_scope(school_id):
        db.session.expire_all()
        return db.session.scalar(select(AttendanceSession).where(AttendanceSession.pupil_id == pupil_id))


def audit(action: str) -> list[AuditEvent]:
    with system_scope("test: the audit trail"):
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def record(client, token: str, session_id: int, outcome: str = "attended", **extra):
    page = f"/provider-attendance/{token}"
    return client.post(f"{page}/sessions/{session_id}",
                       data={"outcome": outcome, "csrf_token": csrf_token(client, page), **extra})


def test_the_officer_issues_a_link_shown_once_and_stored_hashed(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        response, token = issue(client, due["provider"])
        assert response.status_code == 200 and token and token.startswith("apl_")
        listing = client.get(LINKS).get_data(as_text=True)
    assert token not in listing and token[:10] in listing and "Office" in listing and "Never" in listing
    assert f'href="{LINKS}"' in listing  # in the school's navigation for those who manage links
    with school_scope(due["a"]):
        [link] = db.session.scalars(select(ProviderAttendanceLink)).all()
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and link.prefix == token[:10]
        assert (link.expires_at - link.created_at).days == 7


def test_the_link_can_be_emailed_to_the_providers_contact_through_the_outbox(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        response = post_form(client, LINKS, {"provider_id": str(due["provider"]), "days": "7", "label": "",
                                             "email_it": "y"})
        page = response.get_data(as_text=True)
        token = re.search(r"/provider-attendance/(apl_[^\"]+)\"", page).group(1)
    assert "It is on its way by email to Dana Office (office@provider.example.org)." in page
    assert "Copy the link" in page
    with school_scope(due["a"]):
        [link] = db.session.scalars(select(ProviderAttendanceLink)).all()
        [sent] = db.session.scalars(select(Notification).where(Notification.audience == Audience.PROVIDER)).all()
    assert link.label == "Emailed to Dana Office (office@provider.example.org)"
    assert sent.recipient_email == "office@provider.example.org" and sent.school_id == due["a"]
    assert f"/provider-attendance/{token}" in sent.body_text and "Alder School" in sent.subject


def test_the_outbox_keeps_no_working_link_once_the_email_is_sent(client, due, smtp_sink):
    """The provider's link is a credential: the email carries it, the stored copy loses it once sent."""
    from tests.jobs.outbox_fixtures import run_worker

    smtp_sink.clear()
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        page = post_form(client, LINKS, {"provider_id": str(due["provider"]), "days": "7", "label": "",
                                         "email_it": "y"}).get_data(as_text=True)
        token = re.search(r"/provider-attendance/(apl_[^\"]+)\"", page).group(1)
        run_worker()
    [email] = [m for m in smtp_sink.wait_for(1) if m["X-Envelope-To"] == "office@provider.example.org"]
    text = b"".join(part.get_payload(decode=True) or b"" for part in email.walk() if not part.is_multipart())
    assert token.encode() in text
    with school_scope(due["a"]):
        db.session.expire_all()
        [sent] = db.session.scalars(select(Notification).where(Notification.audience == Audience.PROVIDER)).all()
    assert sent.status.value == "sent"
    stored = f"{sent.body_text} {sent.body_html} {sent.context}"
    assert token not in stored and "[removed once sent]" in sent.body_text
    assert sent.context["link"] == "[removed once sent]" and sent.context["provider_name"]


def test_no_email_is_promised_when_the_provider_has_no_address(client, due):
    with school_time(f"{MONDAY} 08:00"):
        with system_scope("test: the provider's contact leaves"):
            for contact in db.session.scalars(select(ProviderContact).where(
                    ProviderContact.provider_id == due["provider"])):
                contact.email = None
            db.session.commit()
        sign_in(client, due["officer"])
        response = post_form(client, LINKS, {"provider_id": str(due["provider"]), "days": "7", "email_it": "y"})
    assert "has no contact with an email address" in response.get_data(as_text=True)
    with school_scope(due["a"]):
        assert db.session.scalars(select(ProviderAttendanceLink)).all() == []
        assert db.session.scalars(select(Notification)).all() == []


@pytest.mark.parametrize("field, data, message", [
    ("provider_id", {"days": "7"}, "Choose a provider where the school has pupils on active placements"),
    ("days", {"days": "40"}, "A link lasts from 1 to 31 days"),
    ("days", {"days": "a week"}, "enter a whole number"),
])
def test_bad_input_names_the_field_and_issues_nothing(client, due, field, data, message):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        provider = "" if field == "provider_id" else str(due["provider"])
        response = post_form(client, LINKS, {"provider_id": provider, "label": "", **data})
    assert message in response.get_data(as_text=True)
    with school_scope(due["a"]):
        assert db.session.scalars(select(ProviderAttendanceLink)).all() == []


def test_a_provider_with_no_active_placement_here_gets_no_link(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        response, token = issue(client, due["idle_provider"])
    assert token is None and "active placements" in response.get_data(as_text=True)


def test_the_page_lists_only_todays_sessions_of_this_school_at_this_provider_by_initials(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        _, token = issue(client, due["provider"])
    provider_client = client.application.test_client()
    with school_time(f"{MONDAY} 09:05"):
        page = provider_client.get(f"/provider-attendance/{token}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Robin E." in text and "Example" not in text  # first name and surname initial only
    assert "Ash" not in text and "Bea" not in text  # another provider's pupil; another school's pupil
    with school_scope(due["a"]):
        from app.models import Pupil

        robin = db.session.get(Pupil, due["robin"])
        assert robin.upn not in text and "2012" not in text  # never the UPN or date of birth
    [view] = audit("provider_link_view")
    assert view.school_id == due["a"] and view.actor_id is None and "1 session(s) listed" in view.detail


def test_the_provider_records_a_session_audited_and_marked_as_through_the_link(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        _, token = issue(client, due["provider"])
    provider_client = client.application.test_client()
    with school_time(f"{MONDAY} 09:05"):
        provider_client.get(f"/provider-attendance/{token}")
        robin = session_of(due["a"], due["robin"])
        response = record(provider_client, token, robin.id, "late", minutes_late="10")
        assert response.status_code == 302
        page = provider_client.get(f"/provider-attendance/{token}").get_data(as_text=True)
    assert "Late (10 min)" in page
    robin = session_of(due["a"], due["robin"])
    assert (robin.outcome.value, robin.minutes_late, robin.register_code) == ("late", 10, "B")
    assert robin.confirmed_via.value == "provider_link" and robin.confirmed_by_id is None
    assert robin.provider_link_id is not None
    [event] = audit("provider_link_record")
    assert f"session {robin.id} late 10 min" in event.detail
    with school_scope(due["a"]):
        link = db.session.get(ProviderAttendanceLink, robin.provider_link_id)
        assert link.use_count == 4 and link.last_used_at is not None  # three views (one with the form), one record


def test_bad_input_on_the_page_names_the_field_and_records_nothing(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        _, token = issue(client, due["provider"])
    provider_client = client.application.test_client()
    with school_time(f"{MONDAY} 09:05"):
        provider_client.get(f"/provider-attendance/{token}")
        robin = session_of(due["a"], due["robin"])
        response = record(provider_client, token, robin.id, "late")
    assert response.status_code == 400
    assert "Enter how many minutes late the pupil arrived" in response.get_data(as_text=True)
    assert session_of(due["a"], due["robin"]).confirmed_at is None


def test_another_schools_session_and_another_providers_session_are_refused(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        _, token = issue(client, due["provider"])
    provider_client = client.application.test_client()
    with school_time(f"{MONDAY} 09:05"):
        # B's and Ash's sessions exist: the morning sweep made them
        provider_client.get(f"/provider-attendance/{token}")
        bea, ash = session_of(due["b"], due["bea"]), session_of(due["a"], due["ash"])
        for session in (bea, ash):
            response = record(provider_client, token, session.id)
            assert response.status_code == 404 and UNAVAILABLE_TEXT in response.get_data(as_text=True)
    assert session_of(due["b"], due["bea"]).confirmed_at is None
    assert session_of(due["a"], due["ash"]).confirmed_at is None
    assert len(audit("provider_link_record_refused")) == 2


UNAVAILABLE_TEXT = "This attendance link is not valid"


def test_expired_revoked_and_unknown_links_are_the_same_404(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        _, week = issue(client, due["provider"], days="7")
        _, revoked = issue(client, due["provider"], days="7")
    with school_time(f"{MONDAY} 08:05"), school_scope(due["a"]):
        link = db.session.scalar(select(ProviderAttendanceLink).order_by(ProviderAttendanceLink.id.desc()))
        link_id = link.id
    with school_time(f"{MONDAY} 08:05"):
        assert post_form(client, f"{LINKS}{link_id}/revoke", {}, form_url=LINKS).status_code == 302
    provider_client = client.application.test_client()
    with school_time("2026-03-23 07:59"):  # the week's link still works a minute before it expires
        assert provider_client.get(f"/provider-attendance/{week}").status_code == 200
    bodies = []
    with school_time("2026-03-23 08:00"):
        for token in (week, revoked, "apl_" + "x" * 43):
            response = provider_client.get(f"/provider-attendance/{token}")
            assert response.status_code == 404
            bodies.append(response.get_data(as_text=True))
    assert len(set(bodies)) == 1 and UNAVAILABLE_TEXT in bodies[0]


def test_requests_are_rate_limited_per_link_and_per_address(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        _, token = issue(client, due["provider"])
    provider_client = client.application.test_client()
    with school_time(f"{MONDAY} 09:05:00"):
        statuses = [provider_client.get(f"/provider-attendance/{token}").status_code for _ in range(RATE_LIMIT + 1)]
        other = provider_client.get("/provider-attendance/apl_unknown",
                                    environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
        same_address = provider_client.get("/provider-attendance/apl_unknown")
    assert statuses[:RATE_LIMIT] == [200] * RATE_LIMIT and statuses[-1] == 429
    assert other.status_code == 404  # another address, another token: not limited
    assert same_address.status_code == 429  # this address is over its limit, whatever the token
    with school_time(f"{MONDAY} 09:06:01"):  # a moving window: a minute after those requests
        assert provider_client.get(f"/provider-attendance/{token}").status_code == 200  # the next minute


def test_the_page_and_the_record_form_share_one_limit_per_link_and_per_address(client, due):
    """Issue 13 item 6: viewing and recording count together, so alternating them gains nothing."""
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        _, token = issue(client, due["provider"])
    provider_client = client.application.test_client()
    page = f"/provider-attendance/{token}"
    with school_time(f"{MONDAY} 09:05:00"):
        token_field = csrf_token(provider_client, page)  # the first request
        robin = session_of(due["a"], due["robin"])
        statuses = [provider_client.post(f"{page}/sessions/{robin.id}",
                                         data={"outcome": "attended", "csrf_token": token_field}).status_code
                    if n % 2 else provider_client.get(page).status_code for n in range(RATE_LIMIT)]
    assert 429 not in statuses[:RATE_LIMIT - 1] and statuses[-1] == 429
    other_address = provider_client.get("/provider-attendance/apl_unknown", environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert other_address.status_code == 404


def test_the_record_form_needs_its_csrf_token(client, due):
    with school_time(f"{MONDAY} 08:00"):
        sign_in(client, due["officer"])
        _, token = issue(client, due["provider"])
    provider_client = client.application.test_client()
    with school_time(f"{MONDAY} 09:05"):
        provider_client.get(f"/provider-attendance/{token}")
        robin = session_of(due["a"], due["robin"])
        response = provider_client.post(f"/provider-attendance/{token}/sessions/{robin.id}",
                                        data={"outcome": "attended"})
    assert response.status_code == 400 and session_of(due["a"], due["robin"]).confirmed_at is None


# --- through the API (issue 17 item 1): issued (the token in that answer only), listed, revoked -----------------

API_LINKS = "/api/v1/schools/alder/provider-links"


def api_auth(world, who: str) -> dict:
    return {"Authorization": f"Bearer {api_tokens.issue(world.users[who], 'test')}"}


def api_links() -> list[ProviderAttendanceLink]:
    with system_scope("test: links"):
        db.session.expire_all()
        return list(db.session.scalars(select(ProviderAttendanceLink)))


def test_issue_list_and_revoke_a_link_through_the_api(client, world, due):
    officer = api_auth(world, "a.attendance_officer")
    with school_time("2026-03-16 08:00"):
        idle = client.post(API_LINKS, json={"provider_id": due["idle_provider"]}, headers=officer)
        assert idle.status_code == 400 and list(idle.get_json()["error"]["fields"]) == ["provider_id"]
        too_long = client.post(API_LINKS, json={"provider_id": due["provider"], "days": 90}, headers=officer)
        assert too_long.status_code == 400 and list(too_long.get_json()["error"]["fields"]) == ["days"]
        assert client.post(API_LINKS, json={"provider_id": due["provider"]}, headers=api_auth(world, "a.dsl")).status_code == 403
        assert api_links() == []  # nothing saved by the refusals
        issued = client.post(API_LINKS, json={"provider_id": due["provider"], "label": "Office"}, headers=officer)
        assert issued.status_code == 201 and issued.headers["Cache-Control"] == "no-store"
        body = issued.get_json()
        assert body["url"].endswith(f"/provider-attendance/{body['token']}") and body["state"] == "live"
        [stored] = api_links()
        assert stored.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
        listed = client.get(API_LINKS, headers=officer).get_json()["items"]
        assert [(link["id"], link["label"]) for link in listed] == [(body["id"], "Office")]
        assert "token" not in listed[0]
        other = client.post(f"/api/v1/schools/birch/provider-links/{body['id']}/revoke", headers=api_auth(world, "b.ap_leader"))
        assert other.status_code == 404 and api_links()[0].revoked_at is None
        revoked = client.post(f"{API_LINKS}/{body['id']}/revoke", headers=officer)
        assert revoked.status_code == 200 and revoked.get_json()["state"] == "revoked"
        assert fresh_client(client.application).get(f"/provider-attendance/{body['token']}").status_code == 404
    with system_scope("test"):
        assert db.session.scalar(select(func.count(ProviderAttendanceLink.id))) == 1

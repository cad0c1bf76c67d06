"""Item 7 of issue 13: accounts as people expect them. Invitation by email with a single-use expiring link,
password reset (expiring, single-use, the same answer either way), changing one's password, leavers removed by
the headteacher or switched off by the trustee (sessions, API tokens and calendar feed end), NCSC passwords."""
from __future__ import annotations

import re
from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.models import Notification, User
from app.services import api_tokens
from app.services.passwords import common_passwords, password_problem
from tenants import system_scope
from tests.factories import PASSWORD
from tests.helpers import fresh_client, post_form, school_time, sign_in

NEW_PASSWORD = "marble otter lantern quietly"


def _emails_to(address: str) -> list[Notification]:
    with system_scope("test: the outbox"):
        return list(db.session.scalars(select(Notification).where(Notification.recipient_email == address)
                                       .order_by(Notification.id)))


def _link_in(notification: Notification) -> str:
    return re.search(r"https?://[^/\s]+(/(?:invitation|reset-password)/[\w-]+)", notification.body_text).group(1)


def _signed_in(app, user, password=PASSWORD):
    client = fresh_client(app)
    assert sign_in(client, user, password).status_code == 302
    return client


# --- NCSC passwords -------------------------------------------------------------------------------------------


def test_a_password_needs_12_characters_and_nothing_else():
    assert "at least 12 characters" in password_problem("short words")
    # No composition rules: all lower case, no digits, no symbols is fine when long and uncommon.
    assert password_problem("marble otter lantern") is None
    assert password_problem("x" * 201) is not None


def test_a_common_or_breached_password_is_refused():
    shipped = common_passwords()
    assert len(shipped) > 19_000 and "123456" in shipped
    long_common = sorted(p for p in shipped if len(p) >= 12)[0]
    assert "too common" in password_problem(long_common)
    assert "too common" in password_problem(long_common.upper())
    assert "too common" in password_problem("aaaaaaaaaaaaaaa")


def test_a_password_that_is_the_email_or_name_is_refused():
    assert password_problem("jo.fictional@example.org", email="jo.fictional@example.org") is not None
    assert password_problem("Jo Fictional Person", full_name="Jo Fictional Person") is not None


# --- password reset -------------------------------------------------------------------------------------------


def _ask_reset(client, email):
    return post_form(client, "/forgot-password", {"email": email})


def test_a_reset_answers_the_same_whether_or_not_the_account_exists(app, world):
    client = fresh_client(app)
    known, unknown = "a.dsl@test.example.org", "nobody.here@test.example.org"
    pages = [_ask_reset(client, email) for email in (known, unknown)]
    assert pages[0].status_code == pages[1].status_code == 200
    texts = [re.sub(r'value="[^"]*"', "", p.get_data(as_text=True)).replace(e, "EMAIL")
             for p, e in zip(pages, (known, unknown), strict=True)]
    assert texts[0] == texts[1] and "If EMAIL has an AP Hub account" in texts[0]
    assert len(_emails_to(known)) == 1 and _emails_to(unknown) == []


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(app, world):
    user = world.users["a.dsl"]
    elsewhere = _signed_in(app, user)
    client = fresh_client(app)
    _ask_reset(client, user.email)
    [email] = _emails_to(user.email)
    assert email.template == "password_reset" and "works once, for 1 hour" in email.body_text
    link = _link_in(email)
    too_common = post_form(client, link, {"password": "password", "confirm": "password"})
    assert "New password: Use at least 12 characters" in too_common.get_data(as_text=True)
    mismatch = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert "The two passwords are not the same" in mismatch.get_data(as_text=True)
    done = post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    assert elsewhere.get("/account/").status_code == 302  # signed out everywhere
    assert client.get(link).status_code == 404  # single use
    assert sign_in(fresh_client(app), user).status_code == 401  # the old password no longer works
    assert sign_in(fresh_client(app), user, NEW_PASSWORD).status_code == 302


def test_a_reset_link_expires_after_an_hour(app, world):
    user = world.users["a.dsl"]
    client = fresh_client(app)
    with school_time("2026-03-02 09:00") as clock:
        _ask_reset(client, user.email)
        link = _link_in(_emails_to(user.email)[0])
        clock.tick(timedelta(minutes=59))
        assert client.get(link).status_code == 200
        clock.tick(timedelta(minutes=1, seconds=1))
        assert client.get(link).status_code == 404
        assert "This link cannot be used" in client.get(link).get_data(as_text=True)


def test_a_newer_reset_link_replaces_the_older_one(app, world):
    user = world.users["a.dsl"]
    client = fresh_client(app)
    with school_time("2026-03-02 09:00") as clock:
        _ask_reset(client, user.email)
        _ask_reset(client, user.email)  # within five minutes: nothing new is sent
        assert len(_emails_to(user.email)) == 1
        clock.tick(timedelta(minutes=6))
        _ask_reset(client, user.email)
        first, second = _emails_to(user.email)
        assert client.get(_link_in(first)).status_code == 404
        assert client.get(_link_in(second)).status_code == 200


def test_a_disabled_account_gets_no_reset_email(app, world):
    user = world.users["a.staff"]
    user.is_enabled = False
    db.session.commit()
    _ask_reset(fresh_client(app), user.email)
    assert _emails_to(user.email) == []


# --- invitations ----------------------------------------------------------------------------------------------


def test_a_person_the_trustee_adds_is_invited_and_sets_their_own_password(app, world):
    trustee = _signed_in(app, world.users["trust.designated_trustee"])
    with app.test_request_context():
        new_url = url_for("admin_user.create_view")
    response = post_form(trustee, new_url, {"full_name": "Sam Newstarter", "email": "Sam.Newstarter@test.example.org",
                                            "phone": "", "is_enabled": "y", "notification_preference": "immediate"})
    assert response.status_code == 302, response.get_data(as_text=True)
    [email] = _emails_to("sam.newstarter@test.example.org")
    assert email.template == "account_invitation" and "works once, for 7 days" in email.body_text
    person = db.session.scalar(select(User).where(User.email == "sam.newstarter@test.example.org"))
    assert person.password_hash is None
    client = fresh_client(app)
    link = _link_in(email)
    assert "Set your password" in client.get(link).get_data(as_text=True)
    assert post_form(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert client.get(link).status_code == 404
    assert sign_in(fresh_client(app), "sam.newstarter@test.example.org", NEW_PASSWORD).status_code == 302


def test_an_invitation_expires_after_seven_days(app, world):
    from app.services import accounts

    person = world.users["a.staff"]
    with school_time("2026-03-02 09:00") as clock:
        raw = accounts.invite(person, by=world.users["trust.designated_trustee"])
        client = fresh_client(app)
        clock.tick(timedelta(days=7, seconds=1))
        assert client.get(f"/invitation/{raw}").status_code == 404


def test_the_trustee_cannot_set_a_common_password_in_the_admin(app, world):
    trustee = _signed_in(app, world.users["trust.designated_trustee"])
    person = world.users["b.dsl"]
    with app.test_request_context():
        edit_url = url_for("admin_user.edit_view", id=person.id)
    response = post_form(trustee, edit_url, {"full_name": person.full_name, "email": person.email, "phone": "",
                                             "is_enabled": "y", "notification_preference": "immediate",
                                             "new_password": sorted(p for p in common_passwords() if len(p) >= 12)[0]})
    assert response.status_code == 200 and "too common" in response.get_data(as_text=True)


# --- changing one's password ----------------------------------------------------------------------------------


def test_changing_ones_password_needs_the_current_one_and_signs_out_other_devices(app, world):
    user = world.users["a.ap_leader"]
    here, other = _signed_in(app, user), _signed_in(app, user)
    wrong = post_form(here, "/account/password", {"current_password": "not it", "new_password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD})
    assert "Current password: That is not your current password." in wrong.get_data(as_text=True)
    too_short = "qwerty123"
    common = post_form(here, "/account/password", {"current_password": PASSWORD, "new_password": too_short,
                                                   "confirm": too_short})
    assert "New password:" in common.get_data(as_text=True)
    done = post_form(here, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD,
                                                 "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert here.get("/account/").status_code == 200  # this device carries on
    assert other.get("/account/").status_code == 302  # the others are signed out
    assert sign_in(fresh_client(app), user, NEW_PASSWORD).status_code == 302


# --- leavers --------------------------------------------------------------------------------------------------


def _access_of(app, user):
    """A signed-in browser, an API token and a calendar feed URL of the person."""
    client = _signed_in(app, user)
    token = api_tokens.issue(user, "leaver")
    page = post_form(client, "/account/calendar-feed/", {}, form_url="/account/").get_data(as_text=True)
    feed = re.search(r'<code id="feed-url">(.*?)</code>', page).group(1).replace("http://localhost", "")
    return client, token, feed


def _still_works(app, client, token, feed) -> list[bool]:
    api = fresh_client(app).get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return [client.get("/account/").status_code == 200, api.status_code == 200,
            fresh_client(app).get(feed).status_code == 200]


def test_the_headteacher_removes_a_leaver_whose_access_all_ends(app, world):
    leaver = world.users["a.staff"]
    access = _access_of(app, leaver)
    assert _still_works(app, *[access[0], access[1], access[2]]) == [True, True, True]
    head = _signed_in(app, world.users["a.headteacher"])
    page = head.get("/alder/staff/").get_data(as_text=True)
    assert leaver.full_name in page
    response = post_form(head, f"/alder/staff/{leaver.id}/remove", {}, form_url="/alder/staff/")
    assert response.status_code == 302
    assert _still_works(app, *access) == [False, False, False]
    db.session.refresh(leaver)
    assert not leaver.is_enabled and leaver.school_roles == []


def test_someone_with_a_role_elsewhere_keeps_their_account(app, world):
    from app.models import SchoolRole
    from app.roles import SchoolRoleName

    person = world.users["a.staff"]
    db.session.add(SchoolRole(user_id=person.id, school_id=world.b.id, role=SchoolRoleName.STAFF))
    db.session.commit()
    head = _signed_in(app, world.users["a.headteacher"])
    post_form(head, f"/alder/staff/{person.id}/remove", {}, form_url="/alder/staff/")
    db.session.refresh(person)
    assert person.is_enabled and [r.school_id for r in person.school_roles] == [world.b.id]


def test_only_the_headteacher_removes_leavers_and_only_their_schools_people(app, world):
    officer = _signed_in(app, world.users["a.attendance_officer"])
    assert officer.get("/alder/staff/").status_code == 403
    head = _signed_in(app, world.users["a.headteacher"])
    other_school = world.users["b.staff"]
    response = post_form(head, f"/alder/staff/{other_school.id}/remove", {}, form_url="/alder/staff/")
    assert response.status_code == 404
    assert head.get("/birch/staff/").status_code == 404  # another school's list
    db.session.refresh(other_school)
    assert other_school.is_enabled


def test_the_trustee_switching_an_account_off_ends_its_access(app, world):
    leaver = world.users["b.dsl"]
    access = _access_of(app, leaver)
    trustee = _signed_in(app, world.users["trust.designated_trustee"])
    with app.test_request_context():
        edit_url = url_for("admin_user.edit_view", id=leaver.id)
    response = post_form(trustee, edit_url, {"full_name": leaver.full_name, "email": leaver.email, "phone": "",
                                             "notification_preference": "immediate"})  # is_enabled unticked
    assert response.status_code == 302
    assert _still_works(app, *access) == [False, False, False]
    from app.models import ApiToken, CalendarFeed

    with system_scope("test"):
        assert all(t.revoked_at for t in db.session.scalars(select(ApiToken).where(ApiToken.user_id == leaver.id)))
        assert all(f.revoked_at for f in db.session.scalars(select(CalendarFeed)
                                                            .where(CalendarFeed.user_id == leaver.id)))

"""Item 5 of issue 13: sign-out ends the session on the server. A copied cookie stops working after sign-out;
the account page lists where the person is signed in and can sign them out everywhere."""
from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from tests.helpers import csrf_token, fresh_client, post_form, school_time, sign_in

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI = ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")


def _copy_cookies(source, target) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_a_copied_cookie_stops_working_after_sign_out(app, world):
    mine, thief = fresh_client(app), fresh_client(app)
    sign_in(mine, world.users["a.dsl"])
    _copy_cookies(mine, thief)
    assert thief.get("/account/").status_code == 200  # the stolen cookie works while the session lives
    mine.post("/sign-out", data={"csrf_token": csrf_token(mine, "/account/")})
    assert mine.get("/account/").status_code == 302
    assert thief.get("/account/").status_code == 302  # ... and not a moment after sign-out


def test_signing_in_rotates_the_session_cookie(app, world):
    client = fresh_client(app)
    client.get("/sign-in")
    before = client.get_cookie("session").value
    sign_in(client, world.users["a.dsl"])
    after = client.get_cookie("session").value
    assert before != after
    stale = fresh_client(app)
    stale.set_cookie("session", before)
    assert stale.get("/account/").status_code == 302


def test_the_account_page_lists_sessions_with_device_and_last_seen(app, world):
    user = world.users["a.dsl"]
    laptop = fresh_client(app)
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX
    tablet = fresh_client(app)
    tablet.environ_base["HTTP_USER_AGENT"] = SAFARI
    with school_time("2026-03-02 09:00") as clock:
        sign_in(laptop, user)
        clock.tick(timedelta(minutes=5))
        sign_in(tablet, user)
        page = laptop.get("/account/").get_data(as_text=True)
    assert "Firefox on Windows" in page and "Safari on iPad" in page
    assert "2 March 2026" in page or "02/03/2026" in page or "2 Mar 2026" in page
    assert "This device" in page


def test_sign_out_everywhere_ends_every_session_of_that_person_only(app, world):
    user = world.users["a.dsl"]
    laptop, tablet, colleague = fresh_client(app), fresh_client(app), fresh_client(app)
    sign_in(laptop, user)
    sign_in(tablet, user)
    sign_in(colleague, world.users["a.staff"])
    response = post_form(laptop, "/account/sign-out-everywhere", {}, form_url="/account/")
    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 302
    assert tablet.get("/account/").status_code == 302
    assert colleague.get("/account/").status_code == 200
    from app.models import UserSession

    active = db.session.query(UserSession).filter_by(user_id=user.id, ended_at=None).count()
    assert active == 0


def test_an_idle_session_ends_on_the_server_too(app, world):
    client, thief = fresh_client(app), fresh_client(app)
    idle = app.config["PERMANENT_SESSION_LIFETIME"]
    with school_time("2026-03-02 09:00") as clock:
        sign_in(client, world.users["a.dsl"])
        _copy_cookies(client, thief)
        clock.tick(idle + timedelta(minutes=1))
        # Even a cookie replayed by hand (the browser would have dropped it) no longer finds a live session.
        thief.set_cookie("session", client.get_cookie("session").value)
        assert thief.get("/account/").status_code == 302


def test_changing_the_password_in_the_admin_ends_every_session(app, world):
    user = world.users["a.dsl"]
    client = fresh_client(app)
    sign_in(client, user)
    user = db.session.get(type(user), user.id)
    user.rotate_session_token()  # what the trustee's password reset and sign-out-everywhere call
    db.session.commit()
    assert client.get("/account/").status_code == 302

"""Item 8 of issue 13, passkeys: the WebAuthn ceremonies refuse what they must (a replayed or lapsed challenge,
another origin, a counter going back, someone else's or a removed passkey), every registration, removal, use
and refusal is audited, and at sign-in a passkey is the second factor instead of an app code (it satisfies the
mandatory rule). A software authenticator answers here; tests/browser drives Chromium's virtual one."""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, Passkey
from app.services import passkeys
from app.services.passkeys import PasskeyRefused
from tests.helpers import csrf_token, fresh_client, post_form, school_time, sign_in
from tests.security.soft_authenticator import SoftAuthenticator

CHALLENGE = "/sign-in/two-factor"


@pytest.fixture
def mandatory(app):
    app.config["TWO_FACTOR_MANDATORY"] = True
    yield
    app.config["TWO_FACTOR_MANDATORY"] = False


@pytest.fixture
def authenticator(app):
    with app.test_request_context():
        rp_id, origin = passkeys.relying_party()
    return SoftAuthenticator(rp_id, origin)


def _register(user, authenticator, name="Work laptop"):
    handle, options = passkeys.registration_options(user)
    return passkeys.register(user, handle, name, authenticator.create(options))


def _use(user, authenticator, **answer):
    handle, options = passkeys.sign_in_options(user)
    return passkeys.verify_sign_in(user, handle, authenticator.get(options, **answer))


def _events(user, prefix="passkey"):
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.record_type == "User", AuditEvent.record_id == str(user.id),
        AuditEvent.action.like(f"{prefix}%")).order_by(AuditEvent.id)))


def test_the_relying_party_comes_from_the_settings(app):
    with app.test_request_context():
        assert passkeys.relying_party() == ("127.0.0.1", "http://127.0.0.1:5000")  # BASE_URL's
        app.config.update(PASSKEY_RP_ID="aphub.example.org", PASSKEY_ORIGIN="https://aphub.example.org/")
        try:
            assert passkeys.relying_party() == ("aphub.example.org", "https://aphub.example.org")
        finally:
            app.config.update(PASSKEY_RP_ID=None, PASSKEY_ORIGIN=None)


def test_a_passkey_is_registered_used_and_removed_with_each_step_audited(app, world, authenticator):
    user = world.users["a.staff"]
    handle, options = passkeys.registration_options(user)
    sent = json.loads(options)
    assert sent["rp"]["id"] == authenticator.rp_id and sent["authenticatorSelection"]["userVerification"] == "required"
    key = passkeys.register(user, handle, " Work laptop ", authenticator.create(options))
    assert (key.name, key.sign_count, key.transports, key.last_used_at) == ("Work laptop", 0, "internal", None)
    used = _use(user, authenticator)
    assert used.id == key.id and used.last_used_at is not None
    assert db.session.get(Passkey, key.id).sign_count == 1
    # A second registration leaves the first out of the browser's choice (one authenticator, one passkey).
    _, again = passkeys.registration_options(user)
    assert [c["id"] for c in json.loads(again)["excludeCredentials"]] == [key.credential_id]
    assert passkeys.remove(user, key.id).name == "Work laptop"
    assert _events(user) == ["passkey_registered", "passkey_used", "passkey_removed"]


def test_a_removed_passkey_no_longer_signs_in(app, world, authenticator):
    user = world.users["a.staff"]
    key = _register(user, authenticator)
    passkeys.remove(user, key.id)
    with pytest.raises(PasskeyRefused):
        _use(user, authenticator)
    assert _events(user)[-1] == "passkey_sign_in_refused"


def test_someone_elses_passkey_is_not_found_to_use_or_remove(app, world, authenticator):
    owner, other = world.users["a.staff"], world.users["b.staff"]
    key = _register(owner, authenticator)
    assert passkeys.remove(other, key.id) is None
    with pytest.raises(PasskeyRefused):
        _use(other, authenticator)  # the other person's challenge; the owner's passkey answers
    assert db.session.get(Passkey, key.id) is not None


def test_a_replayed_challenge_is_refused(app, world, authenticator):
    user = world.users["a.staff"]
    handle, options = passkeys.registration_options(user)
    answer = authenticator.create(options)
    passkeys.register(user, handle, "Phone", answer)
    with pytest.raises(PasskeyRefused, match="lapsed or was already used"):
        passkeys.register(user, handle, "Phone again", answer)
    handle, options = passkeys.sign_in_options(user)
    answer = authenticator.get(options)
    passkeys.verify_sign_in(user, handle, answer)
    with pytest.raises(PasskeyRefused, match="lapsed or was already used"):
        passkeys.verify_sign_in(user, handle, answer)
    # The same signed answer against a fresh challenge: its challenge is not the one asked for.
    fresh, _ = passkeys.sign_in_options(user)
    with pytest.raises(PasskeyRefused, match="not accepted"):
        passkeys.verify_sign_in(user, fresh, answer)


def test_a_challenge_lapses_after_five_minutes_and_belongs_to_its_ceremony(app, world, authenticator):
    user = world.users["a.staff"]
    with school_time("2026-03-02 09:00") as clock:
        handle, options = passkeys.registration_options(user)
        clock.tick(passkeys.CHALLENGE_LIFETIME + timedelta(seconds=1))
        with pytest.raises(PasskeyRefused, match="lapsed"):
            passkeys.register(user, handle, "Phone", authenticator.create(options))
        _register(user, authenticator)
        handle, options = passkeys.registration_options(user)
        with pytest.raises(PasskeyRefused, match="lapsed"):  # a registration's challenge does not sign in
            passkeys.verify_sign_in(user, handle, authenticator.get(options))
        with pytest.raises(PasskeyRefused, match="did not ask"):
            passkeys.verify_sign_in(user, None, authenticator.get(options))


def test_an_answer_made_for_another_origin_is_refused(app, world, authenticator):
    user = world.users["a.staff"]
    handle, options = passkeys.registration_options(user)
    with pytest.raises(PasskeyRefused, match="could not be checked"):
        passkeys.register(user, handle, "Phone", authenticator.create(options, origin="https://aphub.example.net"))
    assert passkeys.for_user(user) == []
    _register(user, authenticator)
    with pytest.raises(PasskeyRefused, match="not accepted"):
        _use(user, authenticator, origin="https://aphub.example.net")
    assert _events(user) == ["passkey_registration_refused", "passkey_registered", "passkey_sign_in_refused"]


def test_a_counter_going_back_is_refused(app, world, authenticator):
    user = world.users["a.staff"]
    key = _register(user, authenticator)
    _use(user, authenticator, sign_count=7)
    with pytest.raises(PasskeyRefused):
        _use(user, authenticator, sign_count=7)  # a cloned authenticator repeats or goes back
    with pytest.raises(PasskeyRefused):
        _use(user, authenticator, sign_count=3)
    assert db.session.get(Passkey, key.id).sign_count == 7
    _use(user, authenticator, sign_count=8)


def test_nonsense_answers_are_refused_not_errors(app, world, authenticator):
    user = world.users["a.staff"]
    _register(user, authenticator)
    for answer in ("", "not json", "[]", json.dumps({"id": "x"}), "x" * (passkeys.CREDENTIAL_JSON_MAX + 1)):
        handle, _ = passkeys.sign_in_options(user)
        with pytest.raises(PasskeyRefused):
            passkeys.verify_sign_in(user, handle, answer)


# ---- The pages ------------------------------------------------------------------------------------------------

def _options(client, url: str, form_url: str) -> str:
    response = client.post(url, headers={"X-CSRFToken": csrf_token(client, form_url)})
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_data(as_text=True)


def _add_through_the_page(client, authenticator, name="Phone"):
    options = _options(client, "/account/passkeys/options", "/account/two-factor")
    return post_form(client, "/account/passkeys", {"passkey-name": name,
                                                   "passkey-credential": authenticator.create(options)},
                     form_url="/account/two-factor")


def _passkey_step(client, authenticator, **answer):
    options = _options(client, "/sign-in/two-factor/passkey-options", CHALLENGE)
    return post_form(client, "/sign-in/two-factor/passkey", {"passkey-credential": authenticator.get(options, **answer)},
                     form_url=CHALLENGE)


def test_a_mandatory_role_with_a_passkey_signs_in_with_it_instead_of_an_app(app, world, mandatory, authenticator):
    user = world.users["a.dsl"]
    key = _register(user, authenticator)  # e.g. added once signed in; no authenticator app
    client = fresh_client(app)
    assert sign_in(client, user).headers["Location"] == CHALLENGE
    page = client.get(CHALLENGE).get_data(as_text=True)
    assert "Use your passkey" in page and "Set up two-factor sign-in" not in page and "passkeys.js" in page
    assert client.get("/account/").status_code == 302  # not signed in before the passkey
    done = _passkey_step(client, authenticator)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/account/").status_code == 200
    assert db.session.get(Passkey, key.id).last_used_at is not None


def test_a_refused_passkey_at_sign_in_counts_as_a_wrong_code(app, world, mandatory, authenticator):
    user = world.users["a.headteacher"]
    _register(user, authenticator)
    stranger = SoftAuthenticator(authenticator.rp_id, authenticator.origin)
    client = fresh_client(app)
    sign_in(client, user)
    refused = _passkey_step(client, stranger)
    assert refused.status_code == 400 and "That passkey was not accepted" in refused.get_data(as_text=True)
    assert client.get("/account/").status_code == 302
    for _ in range(3):
        _passkey_step(client, stranger)
    fifth = _passkey_step(client, stranger)
    assert fifth.status_code == 302 and fifth.headers["Location"] == "/sign-in"
    no_step = client.post("/sign-in/two-factor/passkey-options", headers={"X-CSRFToken": csrf_token(client)})
    assert no_step.status_code == 400


def test_passkeys_are_added_listed_and_removed_on_the_two_factor_page(app, world, authenticator):
    user = world.users["a.staff"]
    client = fresh_client(app)
    sign_in(client, user)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "You have no passkeys." in page and 'data-passkey="register"' in page
    missing = post_form(client, "/account/passkeys", {"passkey-name": "", "passkey-credential": ""},
                        form_url="/account/two-factor")
    assert missing.status_code == 400 and "Enter a name for the passkey" in missing.get_data(as_text=True)
    # The first second factor of an optional role: recovery codes come with it, shown once.
    first = _add_through_the_page(client, authenticator, name="Phone")
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", first.get_data(as_text=True))
    assert len(codes) == 10
    second = _add_through_the_page(client, SoftAuthenticator(authenticator.rp_id, authenticator.origin), "Key")
    assert second.status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Two-factor sign-in is on with your passkeys" in page
    assert re.findall(r'<td class="govuk-table__cell">(Phone|Key)</td>', page) == ["Phone", "Key"]
    key = passkeys.for_user(user)[0]
    gone = post_form(client, f"/account/passkeys/{key.id}/remove", {}, form_url="/account/two-factor")
    assert gone.status_code == 302 and [k.name for k in passkeys.for_user(user)] == ["Key"]
    other = fresh_client(app)
    sign_in(other, world.users["b.staff"])
    remaining = passkeys.for_user(user)[0]
    assert post_form(other, f"/account/passkeys/{remaining.id}/remove", {},
                     form_url="/account/two-factor").status_code == 404
    # From now on the password alone does not sign this person in; a recovery code does, once.
    later = fresh_client(app)
    assert sign_in(later, user).headers["Location"] == CHALLENGE
    assert post_form(later, CHALLENGE, {"code": codes[0]}).headers["Location"] == "/"


def test_a_first_sign_in_may_set_up_a_passkey_instead_of_an_app(app, world, mandatory, authenticator):
    user = world.users["a.ap_leader"]
    client = fresh_client(app)
    assert sign_in(client, user).headers["Location"] == CHALLENGE
    page = client.get(CHALLENGE).get_data(as_text=True)
    assert "Set up two-factor sign-in" in page and "Or use a passkey instead" in page
    options = _options(client, "/sign-in/two-factor/new-passkey/options", CHALLENGE)
    nameless = post_form(client, "/sign-in/two-factor/new-passkey",
                         {"passkey-name": "", "passkey-credential": authenticator.create(options)}, form_url=CHALLENGE)
    assert nameless.status_code == 400 and "Enter a name for the passkey" in nameless.get_data(as_text=True)
    assert client.get("/account/").status_code == 302
    options = _options(client, "/sign-in/two-factor/new-passkey/options", CHALLENGE)
    done = post_form(client, "/sign-in/two-factor/new-passkey",
                     {"passkey-name": "Office PC", "passkey-credential": authenticator.create(options)},
                     form_url=CHALLENGE)
    codes = re.findall(r"<li><code>([0-9a-f]{6}-[0-9a-f]{6})</code></li>", done.get_data(as_text=True))
    assert len(codes) == 10 and client.get("/account/").status_code == 200
    assert [k.name for k in passkeys.for_user(user)] == ["Office PC"]
    # Next time: the passkey is the second step, and no app is asked for.
    later = fresh_client(app)
    sign_in(later, user)
    assert "Use your passkey" in later.get(CHALLENGE).get_data(as_text=True)
    no_second = later.post("/sign-in/two-factor/new-passkey/options", headers={"X-CSRFToken": csrf_token(later, CHALLENGE)})
    assert no_second.status_code == 400  # one has a second factor already: not another one this way
    assert _passkey_step(later, authenticator).headers["Location"] == "/"

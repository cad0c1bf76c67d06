"""Item 3 of issue 13: least privilege down to the field. Records carry distinctive marker text in the fields
that only some roles may see; every role walks every GET page and API resource of the school (and the trust
pages), and the test asserts which markers each role saw:

- a welfare check's notes and the parents' contacts: only the DSL and the headteacher (the attendance officer
  and AP leader see that the check is open and its status);
- a named pupil (name, UPN) never reaches the designated governor, not even in an external notice;
- writing to a follow-up action needs the QA-record permission or being its owner (page and API)."""
from __future__ import annotations

from app.extensions import db
from app.models import Audience, Carer, FollowUpAction, WelfareCheck
from app.roles import SchoolRoleName, TrustRoleName
from app.services import api_tokens
from app.services.notifications import queue_notification
from tenants import school_scope
from tests.helpers import fresh_client, post_form, sign_in
from tests.tenants.record_builders import build
from tests.views.test_permissions import fill, get_rules

WELFARE_NOTE = "Zqwelfarenotemarker seen at the door"
CARER_PHONE = "01632 960777"
PUPIL_NAME = "Zqpupilnamemarker"
UPN = "Z99999999999Q"
MARKERS = {"welfare note": WELFARE_NOTE, "carer's phone": CARER_PHONE, "pupil's name": PUPIL_NAME, "UPN": UPN}

SCHOOL_ASKERS = [f"a.{role.value}" for role in SchoolRoleName]
TRUST_ASKERS = [f"trust.{role.value}" for role in TrustRoleName]
# Who may see each marker anywhere (None: whoever may see the page at all).
MAY_SEE = {
    "welfare note": {"a.dsl", "a.headteacher", "trust.trust_safeguarding_lead"},
    # On a welfare check: the safeguarding roles only. On the pupil's own record the parents' contacts are part
    # of it, for whoever may see pupil records (the attendance officer calls home about absence).
    "carer's phone": {"a.dsl", "a.headteacher", "trust.trust_safeguarding_lead"},
    "pupil's name": set(SCHOOL_ASKERS + TRUST_ASKERS) - {"a.designated_governor"},
    "UPN": set(SCHOOL_ASKERS + TRUST_ASKERS) - {"a.designated_governor"},
}

PUPIL_RECORD_ROLES = {"a.ap_leader", "a.headteacher", "a.dsl", "a.attendance_officer"}


def _records(world) -> dict:
    check_id = build(WelfareCheck, world.a.id, label="sweep").id
    with school_scope(world.a.id):
        check = db.session.get(WelfareCheck, check_id)
        check.notes = WELFARE_NOTE
        pupil = check.pupil
        pupil.first_name, pupil.upn = PUPIL_NAME, UPN
        db.session.add(Carer(pupil_id=pupil.id, name="Pat Sweep", phone=CARER_PHONE))
        queue_notification(dedupe_key=f"sweep:{pupil.id}", audience=Audience.LOCAL_AUTHORITY,
                           recipient_email="la.contact@la.example.org", recipient_name="LA contact",
                           template="notice", school_id=world.a.id, about_type="Pupil", about_id=pupil.id,
                           about_label=f"{PUPIL_NAME} Example", context={
                               "subject": f"About {PUPIL_NAME} Example", "school_name": "Alder",
                               "paragraphs": [f"{PUPIL_NAME} Example (UPN {UPN}, born 17 May 2012)."]})
        db.session.commit()
        return {"check": check.id, "pupil": pupil.id}


def _seen(text: str) -> set[str]:
    return {name for name, marker in MARKERS.items() if marker in text}


def test_every_role_sees_only_the_fields_it_may_on_every_page_and_resource(app, world, capsys):
    ids_of = _records(world)
    extra = [f"/alder/welfare-checks/{ids_of['check']}", f"/alder/pupils/{ids_of['pupil']}", "/alder/notices",
             "/alder/welfare-checks/", f"/api/v1/schools/alder/welfare-checks/{ids_of['check']}",
             "/api/v1/schools/alder/welfare-checks", f"/api/v1/schools/alder/pupils/{ids_of['pupil']}"]
    wrong, pages, seen_by = [], set(), {}
    for asker in SCHOOL_ASKERS + TRUST_ASKERS:
        user = world.users[asker]
        client = fresh_client(app)
        assert sign_in(client, user).status_code == 302
        bearer = {"Authorization": f"Bearer {api_tokens.issue(user, 'sweep')}"}
        ids: dict = {}
        urls = [fill(app, rule, world.a, ids) for rule in get_rules(app)] + extra
        seen_by[asker] = set()
        for url in urls:
            if url.startswith(("/admin", "/calendar-feeds/", "/provider-attendance/", "/invitation/",
                               "/reset-password/")):
                continue  # the admin has its own tests; token pages are nobody's role
            response = client.get(url, headers=bearer if url.startswith("/api/") else {})
            if response.status_code != 200:
                continue
            pages.add(url.split("?")[0])
            if not (response.mimetype.startswith("text/") or response.is_json):
                continue  # uploads and PDFs: their contents are the record's own
            for name in _seen(response.get_data().decode("utf-8", "replace")):
                seen_by[asker].add(name)
                allowed = MAY_SEE[name]
                if name == "carer's phone" and "welfare-checks" not in url:
                    allowed = PUPIL_RECORD_ROLES
                if asker not in allowed:
                    wrong.append(f"{asker} sees the {name} on {url}")
    assert wrong == []
    # The markers are real: the roles that may see them do.
    assert {"welfare note", "carer's phone", "pupil's name", "UPN"} <= seen_by["a.dsl"]
    assert "pupil's name" in seen_by["a.attendance_officer"] and "welfare note" not in seen_by["a.attendance_officer"]
    with capsys.disabled():
        api = {url for url in pages if url.startswith("/api/")}
        print(f"\nfield sweep: {len(SCHOOL_ASKERS + TRUST_ASKERS)} roles x {len(pages - api)} pages and "
              f"{len(api)} API resources x {len(MARKERS)} markers")


def _follow_up(world) -> FollowUpAction:
    action_id = build(FollowUpAction, world.a.id, label="writes").id
    with school_scope(world.a.id):
        action = db.session.get(FollowUpAction, action_id)
        action.owner_id = world.users["a.headteacher"].id
        db.session.commit()
        return action


def test_seeing_a_follow_up_action_is_not_enough_to_close_it(app, world):
    action = _follow_up(world)
    url = f"/alder/follow-ups/{action.id}"
    dsl = fresh_client(app)  # may see QA records, does not keep them, does not own the action
    sign_in(dsl, world.users["a.dsl"])
    page = dsl.get(url)
    assert page.status_code == 200 and "Close the action" not in page.get_data(as_text=True)
    assert post_form(dsl, url, {"status": "cancelled", "outcome_note": "not needed"}, form_url="/account/") \
        .status_code == 403
    token = api_tokens.issue(world.users["a.dsl"], "writes")
    api = fresh_client(app).post(f"/api/v1/schools/alder/follow-up-actions/{action.id}/status",
                                 headers={"Authorization": f"Bearer {token}"},
                                 json={"status": "done", "outcome_note": "x"})
    assert api.status_code == 403
    with school_scope(world.a.id):
        assert db.session.get(FollowUpAction, action.id).status.value == "open"
    owner = fresh_client(app)  # the headteacher owns it
    sign_in(owner, world.users["a.headteacher"])
    assert post_form(owner, url, {"status": "done", "outcome_note": ""}).status_code == 302


def test_the_follow_up_write_rule_for_each_branch():
    from app.policy.qa import may_change_follow_up

    assert may_change_follow_up(may_record_qa=True, is_owner=False)
    assert may_change_follow_up(may_record_qa=False, is_owner=True)
    assert not may_change_follow_up(may_record_qa=False, is_owner=False)

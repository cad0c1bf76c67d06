"""Recording QA activities (8.4-8.6) through the pages: a visit with everything 8.4 lists and its follow-up actions
(each a task for its owner, due on its date), the provider's visit task completed; other activities with the pupil
(8.5); field-named errors with nothing half-saved; a serious finding raising a provider concern; closing an action
(done, or cancelled with a reason) completes its task, and so does ticking it off in the inbox."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    FollowUpAction,
    FollowUpStatus,
    ProviderConcern,
    QAActivity,
    School,
    TaskStatus,
    User,
)
from app.services.tasks import mark_done
from jobs.qa_sweeps import qa_visits_due
from tenants import school_scope, system_scope
from tests.helpers import post_form, school_time
from tests.jobs.schedule_fixtures import Ids
from tests.qa.conftest import VISIT, D, count, enter_year, provider_of, qa_placement, qa_tasks
from tests.reviews.test_review_record import signed_in

NEW = "/alder/qa/new"


def form(provider_id, **changes):
    return {"kind": "provider_visit", "held_on": "2025-09-30", "provider_id": str(provider_id), **VISIT, **changes}


def save(client, data):
    return post_form(client, NEW, data, form_url=NEW)


def setup_visit_due(ids):
    enter_year(ids.a)
    made = qa_placement(ids, first_name="Ash", start=D(2025, 9, 4), qa_every_weeks=3)
    with school_time("2025-09-15 06:50"):
        qa_visits_due()
    return made, provider_of(ids, made)


def test_a_visit_with_follow_up_actions_completes_the_visit_task(app, world):
    ids = Ids(world)
    made, provider_id = setup_visit_due(ids)
    with school_time("2025-09-30 10:00"):
        leader = signed_in(app, ids, "a.ap_leader")
        page = leader.get(f"{NEW}?provider_id={provider_id}").get_data(as_text=True)
        assert re.search(rf'<option value="{provider_id}" selected>Ash&#39;s provider</option>', page), page
        response = save(leader, form(provider_id, action0_description="Ask for the lunch rota",
                                     action0_owner_id=str(ids.users["a.dsl"]), action0_due_on="2025-10-07"))
        assert response.status_code == 302
        shown = leader.get(response.headers["Location"]).get_data(as_text=True)
    assert "Visit to the provider" in shown and "Ask for the lunch rota" in shown and VISIT["findings"] in shown
    [visit_task] = qa_tasks(ids.a)
    assert visit_task.status == TaskStatus.DONE and visit_task.completed_by_id == ids.users["a.ap_leader"]
    [task] = qa_tasks(ids.a, "follow_up_action")
    with school_scope(ids.a):
        [activity] = db.session.scalars(select(QAActivity)).all()
        [action] = db.session.scalars(select(FollowUpAction)).all()
        assert (activity.staff_spoken_with, activity.parents_spoken_with) == (VISIT["staff_spoken_with"],
                                                                             VISIT["parents_spoken_with"])
        assert (action.qa_activity_id, action.owner_id, action.due_on, action.status) == (
            activity.id, ids.users["a.dsl"], D(2025, 10, 7), FollowUpStatus.OPEN)
    assert (task.assigned_user_id, task.subject_type, task.subject_id) == (ids.users["a.dsl"], "follow_up_action",
                                                                           action.id)
    assert clock.to_local(task.due_at).replace(tzinfo=None) == dt.datetime(2025, 10, 7, 17)
    # The owner's inbox has it; once the day has passed it is overdue there and on the school view.
    with school_time("2025-10-08 09:00"):
        dsl = signed_in(app, ids, "a.dsl")
        assert "Follow-up: Ask for the lunch rota" in dsl.get("/alder/inbox").get_data(as_text=True)
        dashboard = dsl.get("/alder/").get_data(as_text=True)
    assert "Overdue follow-up actions" in dashboard and "Ask for the lunch rota" in dashboard


def test_an_empty_visit_is_refused_naming_each_field_and_nothing_is_saved(app, world):
    ids = Ids(world)
    made, provider_id = setup_visit_due(ids)
    with school_time("2025-09-30 10:00"):
        leader = signed_in(app, ids, "a.ap_leader")
        response = save(leader, {"kind": "provider_visit", "held_on": ""})
        page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Enter the date of the activity.", "Choose the provider visited",
                    "Say which of the provider&#39;s staff you spoke with", "Say what pupil work you reviewed",
                    "Say what lessons or activities you observed", "Say what unstructured time",
                    "Say which pupil or pupils you spoke with", "Enter what the activity found"):
        assert message in page, message
    assert count(ids.a, QAActivity) == 0 and qa_tasks(ids.a)[0].status == TaskStatus.OPEN


def test_a_half_filled_action_refuses_the_whole_record(app, world):
    ids = Ids(world)
    made, provider_id = setup_visit_due(ids)
    with school_time("2025-09-30 10:00"):
        leader = signed_in(app, ids, "a.ap_leader")
        page = save(leader, form(provider_id, action1_description="Chase the timetable")).get_data(as_text=True)
        assert "Choose who owns the follow-up action." in page
        assert "Enter the date the follow-up action is due." in page
        page = save(leader, form(provider_id, action0_description="x", action0_due_on="2025-09-29",
                                 action0_owner_id=str(ids.users["a.attendance_officer"]),
                                 held_on="2025-10-01")).get_data(as_text=True)
        assert "The owner must be one of this school&#39;s AP leader, DSL or headteacher" in page
        assert "The due date cannot be in the past." in page
        assert "The date cannot be in the future" in page
    assert count(ids.a, QAActivity) == 0 and count(ids.a, FollowUpAction) == 0
    assert qa_tasks(ids.a, "follow_up_action") == [] and qa_tasks(ids.a)[0].status == TaskStatus.OPEN


def test_a_call_with_the_pupil_is_about_a_placement_and_leaves_the_visit_task_open(app, world):
    ids = Ids(world)
    made, provider_id = setup_visit_due(ids)
    with school_time("2025-09-30 10:00"):
        leader = signed_in(app, ids, "a.ap_leader")
        page = save(leader, {"kind": "call", "held_on": "2025-09-29", "findings": "Happy"}).get_data(as_text=True)
        assert "Choose the pupil&#39;s placement this activity was about (8.5)." in page
        response = save(leader, {"kind": "call", "held_on": "2025-09-29", "placement_id": str(made.placement_id),
                                 "findings": "Robin says the workshop is the best part of the week"})
        assert response.status_code == 302
    with school_scope(ids.a):
        [activity] = db.session.scalars(select(QAActivity)).all()
        assert (activity.kind.value, activity.provider_id, activity.placement_id) == ("call", provider_id,
                                                                                      made.placement_id)
    assert qa_tasks(ids.a)[0].status == TaskStatus.OPEN  # only a visit to the provider meets 8.1


def test_a_serious_finding_raises_a_concern_about_the_provider(app, world):
    ids = Ids(world)
    made, provider_id = setup_visit_due(ids)
    with school_time("2025-09-30 10:00"):
        leader = signed_in(app, ids, "a.ap_leader")
        page = save(leader, form(provider_id, raise_concern="y", concern_category="safeguarding",
                                 concern_severity="high")).get_data(as_text=True)
        assert "Only a serious finding raises a concern" in page
        assert count(ids.a, QAActivity) == 0
        response = save(leader, form(provider_id, serious_finding="y", raise_concern="y",
                                     concern_category="safeguarding", concern_severity="high",
                                     findings="No one checked who collected pupils"))
        assert response.status_code == 302
        shown = leader.get(response.headers["Location"]).get_data(as_text=True)
    assert "Serious finding" in shown and "Concern about the provider" in shown
    with school_scope(ids.a):
        [activity] = db.session.scalars(select(QAActivity)).all()
        concern_id = activity.provider_concern_id
    with system_scope("test: the concern"):
        concern = db.session.get(ProviderConcern, concern_id)
        assert (concern.provider_id, concern.made_by_school_id, concern.severity.value) == (provider_id, ids.a, "high")
        assert "No one checked who collected pupils" in concern.details
    assert [t.subject_id for t in qa_tasks(ids.a, "provider_concern")] == [concern_id]


def _one_action(app, ids):
    made, provider_id = setup_visit_due(ids)
    with school_time("2025-09-30 10:00"):
        leader = signed_in(app, ids, "a.ap_leader")
        assert save(leader, form(provider_id, action0_description="Ask for the lunch rota",
                                 action0_owner_id=str(ids.users["a.dsl"]),
                                 action0_due_on="2025-10-07")).status_code == 302
    with school_scope(ids.a):
        return db.session.scalars(select(FollowUpAction.id)).one()


def test_closing_an_action_completes_its_task_and_a_cancellation_says_why(app, world):
    ids = Ids(world)
    action_id = _one_action(app, ids)
    url = f"/alder/follow-ups/{action_id}"
    with school_time("2025-10-03 10:00"):
        dsl = signed_in(app, ids, "a.dsl")
        page = post_form(dsl, url, {"status": "cancelled"}).get_data(as_text=True)
        assert "Say why the action is cancelled." in page
        page = post_form(dsl, url, {}).get_data(as_text=True)
        assert "Choose done or cancelled." in page
        assert qa_tasks(ids.a, "follow_up_action")[0].status == TaskStatus.OPEN
        response = post_form(dsl, url, {"status": "done", "outcome_note": "Rota received"})
        assert response.status_code == 302
        assert "Rota received" in dsl.get(url).get_data(as_text=True)
    [task] = qa_tasks(ids.a, "follow_up_action")
    assert task.status == TaskStatus.DONE and task.completed_by_id == ids.users["a.dsl"]
    with school_scope(ids.a):
        action = db.session.get(FollowUpAction, action_id)
        assert (action.status, action.completed_by_id) == (FollowUpStatus.DONE, ids.users["a.dsl"])


def test_ticking_the_task_off_in_the_inbox_marks_the_action_done(app, world):
    ids = Ids(world)
    action_id = _one_action(app, ids)
    [task] = qa_tasks(ids.a, "follow_up_action")
    with school_time("2025-10-03 10:00"), school_scope(ids.a):
        mark_done(db.session.get(User, ids.users["a.dsl"]), db.session.get(School, ids.a), task.id)
        action = db.session.get(FollowUpAction, action_id)
        assert (action.status, action.outcome_note) == (FollowUpStatus.DONE, "Marked done in the inbox.")


def test_an_action_added_after_the_visit(app, world):
    ids = Ids(world)
    action_id = _one_action(app, ids)
    with school_scope(ids.a):
        activity_id = db.session.get(FollowUpAction, action_id).qa_activity_id
    url = f"/alder/qa/{activity_id}/follow-ups"
    with school_time("2025-10-03 10:00"):
        head = signed_in(app, ids, "a.headteacher")
        page = post_form(head, url, {"description": ""}, form_url=f"/alder/qa/{activity_id}").get_data(as_text=True)
        assert "Describe the follow-up action." in page and "Choose who owns the follow-up action." in page
        response = post_form(head, url, {"description": "Visit again at lunch", "due_on": "2025-10-17",
                                         "owner_id": str(ids.users["a.headteacher"])},
                             form_url=f"/alder/qa/{activity_id}")
        assert response.status_code == 302
    tasks = qa_tasks(ids.a, "follow_up_action")
    assert [t.assigned_user_id for t in tasks] == [ids.users["a.dsl"], ids.users["a.headteacher"]]

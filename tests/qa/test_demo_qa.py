"""The demo seeds a QA visit to the active placement's provider with follow-up actions (one open, in its owner's
tasks) and the pupil's progress and voice."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import FollowUpAction, Placement, PupilProgressEntry, QAActivity, Task
from tenants import system_scope
from tests.helpers import school_time


def test_the_demo_has_a_qa_visit_with_actions_and_the_pupils_voice(app):
    with school_time("2026-03-09 10:00"):
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with system_scope("test: the demo's QA"):
        [visit] = db.session.scalars(select(QAActivity)).all()
        placement = db.session.get(Placement, visit.placement_id)
        assert visit.provider_id == placement.provider_id and visit.school_id == placement.school_id
        assert visit.staff_spoken_with and visit.work_reviewed and visit.unstructured_time_observed
        actions = db.session.scalars(select(FollowUpAction).order_by(FollowUpAction.id)).all()
        assert [a.status.value for a in actions] == ["open", "done"]
        [task] = db.session.scalars(select(Task).where(Task.kind == "follow_up_action")).all()
        assert (task.subject_id, task.assigned_user_id) == (actions[0].id, actions[0].owner_id)
        kinds = {e.kind.value for e in db.session.scalars(select(PupilProgressEntry))}
        assert kinds == {"achievement", "pupil_assessment"}

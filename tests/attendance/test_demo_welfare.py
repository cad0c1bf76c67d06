"""The demo holds an open welfare check raised by hand, for the pupil on its active placement, in the DSL's inbox and on the
school's welfare check page."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Placement, School, SchoolRole, Task, User, WelfareCheck
from app.roles import SchoolRoleName
from tenants import system_scope
from tests.helpers import fresh_client, school_time, sign_in


def test_the_demo_has_one_open_welfare_check_for_the_dsl(app):
    with school_time("2026-03-09 10:00"):
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        with system_scope("test: the demo's welfare check"):
            [check] = db.session.scalars(select(WelfareCheck).where(WelfareCheck.reason.is_(None))).all()
            placement = db.session.scalar(select(Placement).where(Placement.pupil_id == check.pupil_id))
            assert placement.status.value == "active" and check.recorded_at is None
            [task] = db.session.scalars(select(Task).where(Task.dedupe_key == f"welfare-by-hand:{check.id}")).all()
            assert task.subject_id == check.id and task.urgent and task.assigned_role is SchoolRoleName.DSL
            dsl = db.session.scalar(select(User).join(SchoolRole, SchoolRole.user_id == User.id).where(
                SchoolRole.school_id == check.school_id, SchoolRole.role == SchoolRoleName.DSL))
            slug = db.session.get(School, check.school_id).slug
            email, pupil = dsl.email, placement.pupil.last_name
        client = fresh_client(app)
        from app.demo import DEMO_PASSWORD

        sign_in(client, email, DEMO_PASSWORD)
        page = client.get(f"/{slug}/welfare-checks/").get_data(as_text=True)
    assert "Raised by hand" in page and pupil in page and "Open (0)" not in page

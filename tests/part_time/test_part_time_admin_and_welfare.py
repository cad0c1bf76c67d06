"""The designated trustee keeps each LA's reporting procedure (9.7) in the admin; a part-time timetable's welfare
check is recorded like every welfare check, and recording it completes its task (9.6)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Task, TaskStatus, User, WelfareCheck
from app.models.part_time import LAReportingProcedure
from app.services import welfare_records
from app.services.calendar import calendar_for_school
from app.services.part_time_sweep import daily_sweep
from app.services.tasks import TaskKind
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in


def test_the_trustee_records_an_las_procedure(app, world):
    client = fresh_client(app)
    sign_in(client, world.users["trust.designated_trustee"])
    url = "/admin/admin_la_reporting/new/"
    response = post_form(client, url, {"local_authority": str(world.la.id), "notify_on_events": ["start", "end"],
                                       "return_frequency": "termly", "notes": "Email the AP team"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with system_scope("test: the procedure"):
        procedure = db.session.scalars(select(LAReportingProcedure)).one()
        assert (procedure.notify_on, procedure.return_frequency.value) == (["start", "end"], "termly")
    head = fresh_client(app)
    sign_in(head, world.users["a.headteacher"])
    assert head.get(url).status_code == 403


def test_recording_the_welfare_check_completes_its_task(world, approved):
    with school_time("2026-03-20 07:35"), school_scope(world.a.id):
        daily_sweep(calendar_for_school(), date(2026, 3, 20))
        db.session.commit()
    with school_time("2026-03-20 11:00"), school_scope(world.a.id):
        check = db.session.scalar(select(WelfareCheck))
        data = welfare_records.WelfareRecordInput(method="call", outcome="seen_and_safe",
                                                  notes="Spoke to Robin and their mother: well",
                                                  checked_at=clock.now(), absence_reason=None)
        result = welfare_records.record_check(check, data, db.session.get(User, world.users["a.dsl"].id))
        assert result.ok, result.errors
        task = db.session.scalar(select(Task).where(Task.kind == TaskKind.WELFARE_CHECK))
        assert task.status is TaskStatus.DONE

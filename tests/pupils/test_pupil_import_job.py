"""A long MIS import runs as a background job (issue 14 item 7): a real RQ worker imports a 500-row file in
chunks, the job row records the progress and the result, refused rows are listed by row and column and nothing of
them is saved, and another school cannot see the job. A short file keeps the preview and confirm."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import BackgroundJob, JobState, Pupil
from app.services import background_jobs
from tenants import school_scope
from tests.helpers import csrf_token, fresh_client, plain_html, school_time, sign_in
from tests.pupils.conftest import valid_upn

HEADER = "UPN,Legal Forename,Legal Surname,DOB,Year\n"


@pytest.fixture(autouse=True)
def _a_school_day():
    with school_time("2026-01-12 10:00"):
        yield


def _file(rows: int, bad: dict[int, str]) -> str:
    """`rows` pupils; the line numbers in `bad` (as a spreadsheet counts them: the header is 1) get that line."""
    lines = [HEADER.strip()]
    for n in range(2, rows + 2):
        lines.append(bad.get(n) or f"{valid_upn()},Pupil{n},Example,17/05/2012,9")
    return "\n".join(lines) + "\n"


def _client(app, user):
    client = fresh_client(app)
    assert sign_in(client, user).status_code == 302
    return client


def _upload(client, text: str):
    token = csrf_token(client, "/alder/pupils/import")
    return client.post("/alder/pupils/import", data={"csrf_token": token, "step": "upload",
                                                     "file": (io.BytesIO(text.encode()), "pupils.csv")},
                       content_type="multipart/form-data")


def _work_the_queue(app) -> None:
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst", "--without-scheduler"])
    assert result.exit_code == 0, result.output


def _job(school_id: int) -> BackgroundJob:
    with school_scope(school_id):
        job = db.session.scalars(select(BackgroundJob)).one()
        db.session.expunge(job)
        return job


def test_a_500_row_file_is_imported_by_a_worker_with_progress_and_refused_rows_listed(app, world):
    taken = valid_upn()
    bad = {7: f"{valid_upn()},,Nameless,17/05/2012,9",  # no first name
           120: f"{valid_upn()},Dee,Date,31/02/2012,9",  # not a date
           301: f"{taken},Sam,First,17/05/2012,9", 302: f"{taken},Sam,Again,17/05/2012,9"}  # the same UPN twice
    client = _client(app, world.users["a.ap_leader"])
    response = _upload(client, _file(500, bad))
    assert response.status_code == 302
    job = _job(world.a.id)
    assert response.headers["Location"].endswith(f"/alder/pupils/import/jobs/{job.id}")
    assert job.state is JobState.QUEUED and job.total == 500 and job.done == 0
    waiting = plain_html(client.get(f"/alder/pupils/import/jobs/{job.id}").get_data(as_text=True))
    assert "Waiting for a worker" in waiting and "0 of 500 rows" in waiting and "refresh it now" in waiting
    assert 'data-refresh-seconds="3"' in waiting and "<meta http-equiv" not in waiting

    _work_the_queue(app)

    job = _job(world.a.id)
    assert job.state is JobState.DONE and job.done == job.total == 500
    assert job.summary == {"added": 497, "updated": 0, "refused": 3, "chunks": 5}
    assert [(e["row"], e["column"]) for e in job.errors] == [(7, "Legal Forename"), (120, "DOB"), (302, "UPN")]
    with school_scope(world.a.id):
        assert db.session.scalar(select(func.count(Pupil.id))) == 497
        assert not db.session.scalars(select(Pupil).where(Pupil.last_name.in_(["Nameless", "Date", "Again"]))).all()
    result = plain_html(client.get(f"/alder/pupils/import/jobs/{job.id}").get_data(as_text=True))
    assert "Pupils added</dt><dd>497" in result.replace("\n", "")
    assert re.search(r"<td>120</td><td>DOB</td><td>Not a date", result)
    assert "data-refresh-seconds" not in result
    with school_scope(world.a.id):  # run again (a retried RQ job): the finished job is left as it is
        background_jobs.run(job.id)
        assert db.session.scalar(select(func.count(Pupil.id))) == 497
    assert _job(world.a.id).finished_at == job.finished_at


def test_another_school_and_another_role_cannot_see_the_job(app, world):
    client = _client(app, world.users["a.ap_leader"])
    assert _upload(client, _file(250, {})).status_code == 302
    job = _job(world.a.id)
    other_school = _client(app, world.users["b.ap_leader"])
    assert other_school.get(f"/alder/pupils/import/jobs/{job.id}").status_code == 404
    assert other_school.get(f"/{world.b.slug}/pupils/import/jobs/{job.id}").status_code == 404
    assert _client(app, world.users["a.headteacher"]).get(f"/alder/pupils/import/jobs/{job.id}").status_code == 403


def test_a_file_up_to_the_setting_keeps_the_preview(app, world):
    client = _client(app, world.users["a.ap_leader"])
    page = plain_html(_upload(client, _file(200, {})).get_data(as_text=True))
    assert "200 rows read: 200 to add" in page
    with school_scope(world.a.id):
        assert db.session.scalar(select(func.count(BackgroundJob.id))) == 0

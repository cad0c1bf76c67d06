"""CSV import from the MIS: a preview with row-level errors and counts, nothing written until confirmed, and then
every row in one transaction or none."""
from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Pupil
from app.services import pupil_import
from tenants import school_scope
from tests.helpers import csrf_token, fresh_client, plain_html, school_time, sign_in
from tests.pupils.conftest import make_pupil, valid_upn

HEADER = "UPN,Legal Forename,Legal Surname,DOB,Year,EHCP,Looked After\n"


@pytest.fixture(autouse=True)
def _a_school_day():
    with school_time("2026-01-12 10:00"):
        yield


def _count(school_id) -> int:
    with school_scope(school_id):
        return db.session.scalar(select(func.count(Pupil.id)))


def _upload(client, text: str):
    token = csrf_token(client, "/alder/pupils/import")
    return client.post("/alder/pupils/import", data={"csrf_token": token, "step": "upload",
                                                     "file": (io.BytesIO(text.encode()), "pupils.csv")},
                       content_type="multipart/form-data")


def _confirm(client, page: str):
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/alder/pupils/import", data={"csrf_token": csrf_token(client, "/alder/pupils/import"),
                                                     "step": "confirm", "token": token})


@pytest.fixture
def leader(app, world):
    client = fresh_client(app)
    sign_in(client, world.users["a.ap_leader"])
    return client


def test_bad_rows_are_listed_by_row_column_and_problem_and_nothing_is_imported(app, world, leader):
    existing = make_pupil(world.a.id, last_name="Already")
    good = valid_upn()
    text = (HEADER + f"{good},Sam,Fictional,17/05/2012,9,N,N\n"
            "B12,Ali,Short,17/05/2012,9,N,N\n"
            f"{valid_upn()},,Nameless,2012-13-01,Year 9,maybe,N\n"
            f"{good},Sam,Twice,17/05/2012,9,N,N\n"
            f"{existing.upn},Robin,Updated,17/05/2012,R,Y,N\n")
    page = plain_html(_upload(leader, text).get_data(as_text=True))
    assert "5 rows read: 1 to add, 1 to update, 3 with problems." in page
    for row, column, words in ((3, "UPN", "A UPN has 13 characters"), (4, "Legal Forename", "first name"),
                               (4, "DOB", "Not a date"), (4, "EHCP", "Write Y or N."),
                               (5, "UPN", "already on row 2")):
        assert re.search(rf"<td>{row}</td><td>{column}</td><td>[^<]*{words}", page), (row, column, words)
    assert "Updates the pupil already in AP Hub" in page
    assert 'name="token"' not in page  # no confirm button while any row is wrong
    assert _count(world.a.id) == 1
    with school_scope(world.a.id):
        assert db.session.get(Pupil, existing.id).last_name == "Already"


def test_a_good_file_previews_then_imports_every_row_and_updates_existing_upns(app, world, leader):
    existing = make_pupil(world.a.id, last_name="Before", year_group=8, has_ehcp=False)
    new_upn = valid_upn()
    text = HEADER + f"{new_upn},Sam,Fictional,17/05/2012,9,N,Y\n{existing.upn},Robin,After,2012-05-17,9,Y,N\n"
    page = _upload(leader, text).get_data(as_text=True)
    assert "2 rows read: 1 to add, 1 to update, 0 with problems." in page
    assert _count(world.a.id) == 1  # the preview writes nothing
    response = _confirm(leader, page)
    assert response.status_code == 302
    with school_scope(world.a.id):
        rows = {p.upn: p for p in db.session.scalars(select(Pupil))}
    assert rows[new_upn].is_looked_after and rows[new_upn].has_social_worker
    assert (rows[existing.upn].last_name, rows[existing.upn].has_ehcp, rows[existing.upn].year_group) == (
        "After", True, 9)
    assert _count(world.b.id) == 0
    assert "already imported" in _confirm(leader, page).get_data(as_text=True)  # a second click imports nothing


def test_confirm_checks_again_and_imports_nothing_if_the_school_changed_meanwhile(app, world, leader):
    clash = valid_upn()
    text = HEADER + f"{valid_upn()},Sam,One,17/05/2012,9,N,N\n{clash},Kim,Two,17/05/2012,9,N,N\n"
    page = _upload(leader, text).get_data(as_text=True)
    make_pupil(world.a.id, upn=clash, last_name="Meanwhile")
    with school_scope(world.a.id):
        db.session.get(Pupil, db.session.scalar(select(Pupil.id))).archived_at = pupil_import_now()
        db.session.commit()
    response = _confirm(leader, page)
    assert "archived pupil" in response.get_data(as_text=True)
    assert _count(world.a.id) == 1


def pupil_import_now():
    from app.clock import now

    return now()


def test_a_failure_half_way_through_the_write_rolls_every_row_back(app, world, monkeypatch):
    text = HEADER + "".join(f"{valid_upn()},P{i},Fictional,17/05/2012,9,N,N\n" for i in range(5))
    with school_scope(world.a.id):
        preview = pupil_import.check_file(text.encode())
        assert preview.ok and preview.to_create == 5
        real_add = db.session.add
        added = []

        def add_then_fail(obj):
            added.append(obj)
            if len(added) == 4:
                raise RuntimeError("disk full")
            real_add(obj)

        monkeypatch.setattr(db.session, "add", add_then_fail)
        with pytest.raises(RuntimeError):
            pupil_import.import_rows(preview)
        monkeypatch.undo()
    assert _count(world.a.id) == 0


def test_file_level_problems(app, world):
    with school_scope(world.a.id):
        assert "no column for: date_of_birth, year_group" in pupil_import.check_file(
            b"UPN,Forename,Surname\nX,Y,Z\n").file_errors[0]
        assert "no pupils" in pupil_import.check_file(HEADER.encode()).file_errors[0]
        big = HEADER + f"{valid_upn()},A,B,17/05/2012,9,N,N\n" * (pupil_import.MAX_ROWS + 1)
        assert "more than 5,000" in pupil_import.check_file(big.encode()).file_errors[0]
        assert pupil_import.check_file(b"\xff\xfe\x00\x00binary").file_errors


def test_the_sample_file_has_the_headers_and_imports_cleanly(app, world, leader):
    response = leader.get("/alder/pupils/import/sample.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    sample = response.get_data(as_text=True)
    assert sample.splitlines()[0] == ",".join(pupil_import.SAMPLE_HEADERS)
    with school_scope(world.a.id):
        preview = pupil_import.check_file(sample.encode())
    # The sample's second pupil has no UPN on purpose (a cell to fill in); the first is valid.
    assert [r.action for r in preview.rows] == ["add", "error"]
    assert preview.rows[1].errors[0].column == "upn"


def test_only_the_ap_leader_imports(app, world):
    client = fresh_client(app)
    sign_in(client, world.users["a.headteacher"])
    assert client.get("/alder/pupils/import").status_code == 403

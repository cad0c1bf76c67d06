"""The data protection officer's retention page (issue 19, item 2): lists what is due by kind and number only;
approving a batch changes those rows and no others; only the designated trustee may see or approve."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from app.extensions import db
from app.models import Carer, DisposalStatus, Pupil, RetentionDisposal
from app.services import retention
from tenants import school_scope, system_scope
from tests.factories import build_world
from tests.helpers import fresh_client, post_form, sign_in


@pytest.fixture
def due(app):
    world = build_world()
    with school_scope(world.a.id):
        pupil = Pupil(upn="A200000000001", first_name="Quill", last_name="Example", date_of_birth=date(2001, 1, 5),
                      year_group=11, archived_at=datetime(2019, 7, 20, tzinfo=UTC))
        db.session.add_all([pupil, Carer(pupil=pupil, name="Carer Quill"), Carer(pupil=pupil, name="Carer Two")])
        db.session.commit()
    with freeze_time("2026-12-07 05:30"), system_scope("test"):
        retention.propose_due()
        ids = {(r.record_type, r.record_id): r.id for r in db.session.scalars(select(RetentionDisposal))}
    emails = {k: u.email for k, u in world.users.items()}
    db.session.remove()
    return emails, ids


def test_the_trustee_sees_kinds_and_numbers_never_names(app, due):
    emails, ids = due
    client = fresh_client(app)
    sign_in(client, emails["trust.designated_trustee"])
    page = client.get("/trust/retention/").get_data(as_text=True)
    assert "Parents and carers" in page and "Pupil details" in page
    assert "Quill" not in page
    assert "Keeping children safe in education" in page  # the schedule with its sources


def test_approving_a_batch_approves_those_rows_only(app, due):
    emails, ids = due
    client = fresh_client(app)
    sign_in(client, emails["trust.designated_trustee"])
    chosen = [v for (kind, _), v in ids.items() if kind == "Carer"]
    response = post_form(client, "/trust/retention/approve", {"disposal_id": chosen}, form_url="/trust/retention/")
    assert response.status_code == 302
    with system_scope("test"):
        status = {r.id: r.status for r in db.session.scalars(select(RetentionDisposal))}
    assert {i for i, s in status.items() if s is DisposalStatus.APPROVED} == set(chosen)
    assert len(status) == 3


def test_approving_nothing_names_the_field(app, due):
    emails, _ = due
    client = fresh_client(app)
    sign_in(client, emails["trust.designated_trustee"])
    response = post_form(client, "/trust/retention/approve", {}, form_url="/trust/retention/")
    assert "disposal_id" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("who", ["trust.trust_safeguarding_lead", "a.headteacher", "a.dsl", "none"])
def test_nobody_else_may_see_or_approve(app, due, who):
    emails, ids = due
    client = fresh_client(app)
    sign_in(client, emails[who])
    assert client.get("/trust/retention/").status_code == 403
    response = post_form(client, "/trust/retention/approve", {"disposal_id": list(ids.values())},
                         form_url="/account/")  # a page of theirs with a CSRF token: refused for permission
    assert response.status_code == 403
    with system_scope("test"):
        assert all(r.status is DisposalStatus.PROPOSED for r in db.session.scalars(select(RetentionDisposal)))

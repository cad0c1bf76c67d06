"""Legal holds (issue 19, item 2): the designated trustee places a hold on a pupil's or a provider's records from
the retention pages or the command line, lifts it with a reason, and nobody else can; a held pupil's records are
proposed for nothing."""
from __future__ import annotations

import html
from datetime import UTC, date, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEvent,
    Carer,
    LegalHold,
    Provider,
    ProviderKind,
    Pupil,
    RegistrationStatus,
    RetentionDisposal,
    School,
)
from app.services import retention
from tenants import school_scope, system_scope
from tests.factories import build_world
from tests.helpers import fresh_client, post_form, sign_in

HOLDS = "/trust/retention/holds"


@pytest.fixture
def world_with_leaver(app):
    world = build_world()
    with school_scope(world.a.id):
        pupil = Pupil(upn="H300000000001", first_name="Wrenna", last_name="Fictional", date_of_birth=date(2001, 1, 5),
                      year_group=11, archived_at=datetime(2019, 7, 20, tzinfo=UTC))
        provider = Provider(name="Brookside Workshop", kind=ProviderKind.OFF_SITE,
                            registration_status=RegistrationStatus.UNREGISTERED)
        db.session.add_all([pupil, provider, Carer(pupil=pupil, name="Carer Wrenna")])
        db.session.commit()
        ids = {"pupil": pupil.id, "provider": provider.id, "school": world.a.id, "other_school": world.b.id}
    emails = {k: u.email for k, u in world.users.items()}
    db.session.remove()
    return emails, ids


def _trustee(app, emails):
    client = fresh_client(app)
    sign_in(client, emails["trust.designated_trustee"])
    return client


def _holds() -> list[LegalHold]:
    db.session.remove()  # read what the requests committed, not what this session saw before
    with system_scope("test"):
        return list(db.session.scalars(select(LegalHold).order_by(LegalHold.id)))


def test_the_trustee_holds_a_pupil_by_upn_and_the_review_leaves_them_alone(app, world_with_leaver):
    emails, ids = world_with_leaver
    client = _trustee(app, emails)
    response = post_form(client, f"{HOLDS}/pupil", {"school_id": ids["school"], "upn": "h300000000001",
                                                    "reason": "Claim notified by the family's solicitor"},
                         form_url=HOLDS)
    assert response.status_code == 302
    [hold] = _holds()
    assert (hold.pupil_id, hold.school_id, hold.lifted_at) == (ids["pupil"], ids["school"], None)
    page = client.get(HOLDS).get_data(as_text=True)
    assert "H300000000001" in page and "W. F." in page and "Wrenna" not in page  # found, not read
    with freeze_time("2026-12-07 05:30"), system_scope("test"):
        retention.propose_due()
        assert db.session.scalar(select(func.count()).select_from(RetentionDisposal)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.record_type == "LegalHold", AuditEvent.action == "create")) == 1


@pytest.mark.parametrize("form, field, message", [
    ({"upn": "H300000000001", "reason": ""}, "school_id", "Choose the pupil's school"),
    ({"school_id": "other", "upn": "H300000000001", "reason": "x"}, "upn", "No pupil with UPN H300000000001"),
    ({"school_id": "school", "upn": "", "reason": "x"}, "upn", "Enter the pupil's UPN"),
    ({"school_id": "school", "upn": "H300000000001", "reason": "  "}, "reason", "Say why the records must be kept"),
    ({"school_id": "school", "upn": "H300000000001", "reason": "x" * 501}, "reason", "500 characters or fewer"),
])
def test_a_refused_hold_names_the_field_and_saves_nothing(app, world_with_leaver, form, field, message):
    emails, ids = world_with_leaver
    client = _trustee(app, emails)
    school = {"school": ids["school"], "other": ids["other_school"]}
    data = {**form, **({"school_id": school[form["school_id"]]} if "school_id" in form else {})}
    response = post_form(client, f"{HOLDS}/pupil", data, form_url=HOLDS)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f'href="#{field}"' in page and message in page
    assert _holds() == []


@pytest.mark.parametrize("form, field, message", [
    ({"provider_id": "", "provider_reason": "Police request"}, "provider_id", "Choose the provider from the register"),
    ({"provider_id": "99999999999999999999", "provider_reason": "Police request"}, "provider_id",
     "Choose the provider from the register"),
    ({"provider_id": "²", "provider_reason": "Police request"}, "provider_id", "Choose the provider from the register"),
    ({"provider_id": "provider", "provider_reason": ""}, "provider_reason", "Say why the records must be kept"),
    ({"provider_id": "provider", "provider_reason": "x" * 501}, "provider_reason", "500 characters or fewer"),
])
def test_a_refused_provider_hold_names_the_field_and_saves_nothing(app, world_with_leaver, form, field, message):
    emails, ids = world_with_leaver
    client = _trustee(app, emails)
    data = {**form, "provider_id": ids["provider"] if form["provider_id"] == "provider" else form["provider_id"]}
    response = post_form(client, f"{HOLDS}/provider", data, form_url=HOLDS)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert f'href="#{field}"' in page and message in page and f'id="{field}-error"' in page
    assert "<title>Error: " in page
    assert _holds() == []


def test_a_lift_without_its_reason_is_refused_and_the_hold_stays(app, world_with_leaver):
    emails, ids = world_with_leaver
    client = _trustee(app, emails)
    post_form(client, f"{HOLDS}/provider", {"provider_id": ids["provider"], "provider_reason": "Police request"},
              form_url=HOLDS)
    [hold] = _holds()
    for reason, message in (("", "Say why the records must be released"), ("x" * 501, "500 characters or fewer")):
        response = post_form(client, f"{HOLDS}/{hold.id}/lift", {"lift_reason": reason}, form_url=HOLDS)
        assert response.status_code == 302
        assert message in html.unescape(client.get(HOLDS).get_data(as_text=True))
        assert _holds()[0].lifted_at is None
    with system_scope("test"):
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "legal_hold_lift")) == 0


def test_a_provider_hold_is_lifted_with_a_reason_into_the_trail(app, world_with_leaver):
    emails, ids = world_with_leaver
    client = _trustee(app, emails)
    assert post_form(client, f"{HOLDS}/provider", {"provider_id": ids["provider"], "provider_reason": ""},
                     form_url=HOLDS).status_code == 400
    post_form(client, f"{HOLDS}/provider", {"provider_id": ids["provider"], "provider_reason": "Police request"},
              form_url=HOLDS)
    again = post_form(client, f"{HOLDS}/provider", {"provider_id": ids["provider"], "provider_reason": "Again"},
                      form_url=HOLDS)
    assert "already on legal hold" in again.get_data(as_text=True)
    [hold] = _holds()
    post_form(client, f"{HOLDS}/{hold.id}/lift", {"lift_reason": ""}, form_url=HOLDS)
    assert _holds()[0].lifted_at is None  # a lift needs its reason
    post_form(client, f"{HOLDS}/{hold.id}/lift", {"lift_reason": "Police closed the inquiry"}, form_url=HOLDS)
    assert _holds()[0].lifted_at is not None
    with system_scope("test"):
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "legal_hold_lift"))
    assert event.detail == "Police closed the inquiry"
    assert "Lifted" in client.get(HOLDS).get_data(as_text=True)


@pytest.mark.parametrize("role", ["a.dsl", "a.headteacher", "trust.trust_safeguarding_lead", "a.ap_leader"])
def test_only_the_trustee_places_or_lifts_holds(app, world_with_leaver, role):
    emails, ids = world_with_leaver
    client = fresh_client(app)
    sign_in(client, emails[role])
    assert client.get(HOLDS).status_code in (403, 404)
    response = client.post(f"{HOLDS}/pupil", data={"school_id": ids["school"], "upn": "H300000000001",
                                                    "reason": "x"})
    assert response.status_code in (400, 403, 404)  # no CSRF token of theirs, and no permission
    assert _holds() == []


def test_the_command_line_places_lists_and_lifts(app, world_with_leaver):
    emails, ids = world_with_leaver
    runner = app.test_cli_runner()
    trustee = emails["trust.designated_trustee"]
    with system_scope("test"):
        slug = db.session.get(School, ids["school"]).slug
    db.session.remove()
    refused = runner.invoke(args=["data-protection", "hold", "--school", slug, "--upn", "H399999999999",
                                  "--reason", "Inquiry", "--by", trustee])
    assert refused.exit_code != 0 and "upn: No pupil with UPN H399999999999" in refused.output
    placed = runner.invoke(args=["data-protection", "hold", "--school", slug, "--upn", "H300000000001",
                                 "--reason", "Inquiry", "--by", trustee])
    assert placed.exit_code == 0, placed.output
    [hold] = _holds()
    listed = runner.invoke(args=["data-protection", "holds"])
    assert "ON HOLD" in listed.output and "H300000000001" in listed.output
    lifted = runner.invoke(args=["data-protection", "lift-hold", str(hold.id), "--reason", "Settled", "--by", trustee])
    assert lifted.exit_code == 0, lifted.output
    assert _holds()[0].lifted_at is not None

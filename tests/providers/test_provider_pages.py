"""The register's pages: a provider from first contact to vetted, evidence uploads refused and served safely,
another school seeing the result and a concern, and the trust's registration report."""
from __future__ import annotations

import io
import re
import zipfile

from sqlalchemy import select

from app.extensions import db
from app.models import PlacementStatus, Provider, ProviderCheck, ProviderEvidenceFile
from tenants import system_scope
from tests.helpers import csrf_token, fresh_client, school_time, sign_in
from tests.providers.conftest import make_provider, place

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n"


def client_for(app, user):
    client = fresh_client(app)
    assert sign_in(client, user).status_code == 302
    return client


def post(client, url, data, form_url=None, **kw):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url or url)}, **kw)


def _check(provider_id) -> ProviderCheck:
    with system_scope("test"):
        db.session.expire_all()
        return db.session.scalar(select(ProviderCheck).where(ProviderCheck.provider_id == provider_id))


def test_an_ap_leader_takes_a_provider_from_first_contact_to_vetted(app, world):
    with school_time("2026-03-09 10:00", tick=True):
        leader = client_for(app, world.users["a.ap_leader"])
        response = post(leader, "/alder/providers/new", {
            "name": "Greenway Skills", "kind": "off_site", "registration_status": "unregistered",
            "website": "https://greenway.example.org"})
        assert response.status_code == 302
        provider_id = int(re.search(r"/providers/(\d+)", response.headers["Location"]).group(1))
        assert post(leader, f"/alder/providers/{provider_id}/sites/new",
                    {"name": "Yard", "address": "Long Lane", "postcode": "TE1 1ST"}).status_code == 302
        show = f"/alder/providers/{provider_id}"
        assert post(leader, f"/alder/providers/{provider_id}/checks", {}, form_url=show).status_code == 302
        check = _check(provider_id)
        refused = post(leader, f"/alder/providers/checks/{check.id}/risk-assessment", {"rating": "low"})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 200 and "These checks are not done yet" in page
        assert "Written confirmation that the staff safeguarding checks" in page
        for row in check.items:
            assert post(leader, f"/alder/providers/check-items/{row.id}",
                        {"outcome": "met", "evidence_note": "Seen on the visit"}).status_code == 302
        # Vetting needs a contact as well as a site (issue 14 item 2): refused, saying so, until one is added.
        no_contact = post(leader, f"/alder/providers/checks/{check.id}/risk-assessment", {"rating": "low"})
        assert "Add at least one contact at the provider." in no_contact.get_data(as_text=True)
        assert post(leader, f"/alder/providers/{provider_id}/contacts/new",
                    {"name": "Sam Field", "email": "sam@greenway.example.org"}).status_code == 302
        approved = post(leader, f"/alder/providers/checks/{check.id}/risk-assessment",
                        {"rating": "low"}, follow_redirects=True)
        assert "vetted until 8 March 2027" in approved.get_data(as_text=True)

        other = client_for(app, world.users["b.ap_leader"])
        listing = other.get("/birch/providers/?status=vetted").get_data(as_text=True)
        assert "Greenway Skills" in listing and "Vetted" in listing
        assert "Alder School" in other.get(show.replace("alder", "birch")).get_data(as_text=True)


def test_errors_name_the_fields(app, world):
    leader = client_for(app, world.users["a.ap_leader"])
    page = post(leader, "/alder/providers/new", {"name": ""}).get_data(as_text=True)
    assert "There is a problem" in page and "Name: Enter the provider&#39;s name." in page
    assert "Kind of provision: Choose the kind of provision." in page


def _item_url(app, world):
    provider = make_provider()
    leader = client_for(app, world.users["a.ap_leader"])
    post(leader, f"/alder/providers/{provider.id}/checks", {}, form_url=f"/alder/providers/{provider.id}")
    row = _check(provider.id).items[0]
    return leader, f"/alder/providers/check-items/{row.id}", provider


def _upload(client, url, name, data):
    return post(client, url, {"outcome": "met", "files": (io.BytesIO(data), name)},
                content_type="multipart/form-data")


def _files():
    with system_scope("test"):
        return list(db.session.scalars(select(ProviderEvidenceFile)))


def test_an_upload_of_a_wrong_type_is_refused(app, world):
    leader, url, _ = _item_url(app, world)
    page = _upload(leader, url, "run.exe", b"MZ\x90\x00").get_data(as_text=True)
    assert "this type of file is not accepted" in page and _files() == []


def test_a_disguised_file_is_refused(app, world):
    leader, url, _ = _item_url(app, world)
    page = _upload(leader, url, "policy.pdf", b"#!/bin/sh\nrm -rf /\n").get_data(as_text=True)
    assert "is not really a PDF file" in page
    page = _upload(leader, url, "policy.docx", b"PK\x03\x04 not a real zip").get_data(as_text=True)
    assert "is not really a DOCX file" in page and _files() == []


def test_an_upload_over_the_size_limit_is_refused(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 1024)
    leader, url, _ = _item_url(app, world)
    page = _upload(leader, url, "big.pdf", PDF + b"0" * 2000).get_data(as_text=True)
    assert "larger than" in page and _files() == []


def test_evidence_is_stored_safely_and_served_only_as_an_attachment_to_permitted_users(app, world):
    leader, url, provider = _item_url(app, world)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert _upload(leader, url, "../../Safeguarding policy.pdf", PDF).status_code == 302
    assert _upload(leader, url, "Insurance.docx", docx.getvalue()).status_code == 302
    first, second = _files()
    assert first.original_name == "Safeguarding_policy.pdf" and "." not in first.stored_name
    from app.services.evidence import evidence_path

    path = evidence_path(first)
    assert path.read_bytes() == PDF and not path.stat().st_mode & 0o111
    assert str(path).startswith(str(app.config["UPLOAD_FOLDER"]))

    response = leader.get(f"/alder/providers/evidence/{first.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client_for(app, world.users["b.staff"]).get(f"/birch/providers/evidence/{first.id}").status_code == 200
    assert client_for(app, world.users["none"]).get(f"/alder/providers/evidence/{first.id}").status_code == 404
    assert fresh_client(app).get(f"/alder/providers/evidence/{first.id}").status_code == 302  # to sign in


def test_evidence_of_a_schools_own_provision_is_not_served_to_another_school(app, world):
    hive = make_provider("The Hive", kind="on_site", owning_school_id=world.a.id, registration="other_registered")
    leader = client_for(app, world.users["a.ap_leader"])
    post(leader, f"/alder/providers/{hive.id}/checks", {}, form_url=f"/alder/providers/{hive.id}")
    row = _check(hive.id).items[0]
    _upload(leader, f"/alder/providers/check-items/{row.id}", "plan.pdf", PDF)
    [record] = _files()
    assert client_for(app, world.users["b.ap_leader"]).get(f"/birch/providers/evidence/{record.id}").status_code == 404


def test_another_school_using_the_provider_sees_the_concern(app, world):
    provider = make_provider()
    place(world.b.id, provider.id, status=PlacementStatus.PLANNED)
    dsl = client_for(app, world.users["a.dsl"])
    response = post(dsl, f"/alder/providers/{provider.id}/concerns/new",
                    {"category": "attendance", "severity": "medium", "details": "Late registers three days running"})
    assert response.status_code == 302
    b_page = client_for(app, world.users["b.ap_leader"]).get(f"/birch/providers/{provider.id}").get_data(as_text=True)
    assert "Late registers three days running" in b_page and "Alder School" in b_page
    trust = client_for(app, world.users["trust.trust_safeguarding_lead"])
    assert "Late registers three days running" in trust.get("/trust/providers/concerns").get_data(as_text=True)


def test_staff_read_the_register_but_cannot_change_it(app, world):
    provider = make_provider()
    staff = client_for(app, world.users["a.staff"])
    page = staff.get(f"/alder/providers/{provider.id}").get_data(as_text=True)
    assert "Meadow Farm Learning" in page and "Start pre-placement checks" not in page
    assert staff.get(f"/alder/providers/{provider.id}/edit").status_code == 403
    assert staff.get(f"/alder/providers/{provider.id}/concerns/new").status_code == 403


def test_the_trust_sees_providers_at_or_near_the_threshold(app, world):
    provider = make_provider("Riverside Riding")
    with school_time("2026-03-09 10:00"):
        for school in (world.a, world.b):
            place(school.id, provider.id, hours_a_day=4)
        place(world.b.id, provider.id, hours_a_day=4, looked_after=True)
    with school_time("2026-03-09 10:00", tick=True):
        page = client_for(app, world.users["trust.designated_trustee"]).get("/trust/providers/registration")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Riverside Riding" in text and "To be reported" in text
    assert client_for(app, world.users["a.ap_leader"]).get("/trust/providers/registration").status_code == 403


def test_a_trust_role_suspends_a_provider(app, world):
    provider = make_provider()
    place(world.a.id, provider.id)
    lead = client_for(app, world.users["trust.trust_safeguarding_lead"])
    url = f"/trust/providers/{provider.id}/suspend"
    assert post(lead, url, {"reason": "LA closure notice"}).status_code == 302
    with system_scope("test"):
        db.session.expire_all()
        assert db.session.get(Provider, provider.id).is_suspended
    assert client_for(app, world.users["trust.trust_send_lead"]).get(url).status_code == 403

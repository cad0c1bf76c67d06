"""Item 10 of issue 13: input edges. An id beyond 64 bits is a 404 on every page and API route (not a 500);
every free-text field has a length limit with a message naming the field; % and _ in searches match
literally; production refuses to start with debug on."""
from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from marshmallow import Schema, validate
from marshmallow import fields as mfields
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from app.extensions import db
from app.models import Pupil
from app.services import api_tokens
from tenants import school_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in
from tests.pupils.conftest import make_pupil, valid_upn

ROOT = Path(__file__).resolve().parents[2]
HUGE_IDS = (2 ** 63, 2 ** 64, 10 ** 30)


@pytest.fixture(autouse=True)
def _a_school_day():
    with school_time("2026-01-12 10:00"):
        yield


def _signed_in(app, user):
    client = fresh_client(app)
    assert sign_in(client, user).status_code == 302
    return client


# --- ids beyond 64 bits ---------------------------------------------------------------------------------------


def test_an_id_beyond_64_bits_is_a_404_on_every_route(app, world):
    user = world.users["a.headteacher"]
    client = _signed_in(app, user)
    bearer = {"Authorization": f"Bearer {api_tokens.issue(user, 'edges')}"}
    adapter = app.url_map.bind("localhost")
    wrong, tried = [], 0
    for rule in app.url_map.iter_rules():
        ints = [arg for arg, conv in rule._converters.items() if type(conv).__name__.lower().startswith("int")
                or "Int" in type(conv).__name__]
        if not ints or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for huge in HUGE_IDS:
                values = {arg: (world.a.slug if arg == "school_slug" else 1) for arg in rule.arguments}
                values.update({arg: 1 for arg in ints})
                url = adapter.build(rule.endpoint, values, method=method)
                # Swap the id in by hand: url building would refuse a value beyond the converter's range.
                url = url.replace("/1/", f"/{huge}/").replace("/1.", f"/{huge}.")
                url = url[:-2] + f"/{huge}" if url.endswith("/1") else url
                headers = bearer if url.startswith("/api/") else {}
                response = client.open(url, method=method, headers=headers, json={} if method != "GET" else None)
                tried += 1
                if response.status_code != 404:
                    wrong.append(f"{method} {url}: {response.status_code}")
    assert tried > 100
    assert wrong == []


@pytest.mark.parametrize("url", ["/alder/placements/new?pupil_id={huge}", "/alder/qa/new?provider_id={huge}"])
def test_a_huge_id_in_a_query_string_is_not_a_server_error(app, world, url):
    client = _signed_in(app, world.users["a.ap_leader"])
    assert client.get(url.format(huge=2 ** 64)).status_code in (200, 404)


def test_a_huge_id_in_an_api_query_or_body_is_a_400_naming_the_field(app, world):
    user = world.users["a.ap_leader"]
    bearer = {"Authorization": f"Bearer {api_tokens.issue(user, 'edges')}"}
    client = fresh_client(app)
    response = client.get(f"/api/v1/schools/alder/attendance/sessions?pupil_id={2 ** 64}", headers=bearer)
    assert response.status_code == 400 and "pupil_id" in response.get_json()["error"]["fields"]
    response = client.get(f"/api/v1/schools/alder/qa-activities?provider_id={2 ** 64}", headers=bearer)
    assert response.status_code == 400 and "provider_id" in response.get_json()["error"]["fields"]


# --- length limits --------------------------------------------------------------------------------------------


def _form_classes():
    from flask_wtf import FlaskForm

    import app.forms as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"app.forms.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_free_text_field_of_every_form_has_a_length_limit(app):
    missing, seen = [], 0
    with app.test_request_context():
        for cls in _form_classes():
            needs = [name for name, p in inspect.signature(cls.__init__).parameters.items()
                     if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
            form = cls(meta={"csrf": False}, **{name: [] for name in needs})
            for field in form:
                if isinstance(field, (StringField, TextAreaField)) and field.type not in ("CSRFTokenField",):
                    seen += 1
                    if not any(isinstance(v, Length) and v.max and v.max > 0 for v in field.validators):
                        missing.append(f"{cls.__name__}.{field.name}")
    assert seen > 50
    assert missing == []


def _schema_classes():
    import app.api as package

    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"app.api.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__module__ == module.__name__:
                yield cls


def test_every_string_an_api_schema_loads_has_a_length_limit(app):
    missing = []
    for cls in _schema_classes():
        schema = cls()
        for name, field in schema.load_fields.items():
            if isinstance(field, mfields.String):
                if not any(isinstance(v, validate.Length) and v.max for v in field.validators):
                    missing.append(f"{cls.__name__}.{name}")
    assert missing == []


def test_a_20000_character_medical_note_is_refused_on_the_field(app, world):
    client = _signed_in(app, world.users["a.ap_leader"])
    response = post_form(client, "/alder/pupils/new", {
        "upn": valid_upn(), "first_name": "Jo", "last_name": "Fictional", "date_of_birth": "17/05/2012",
        "year_group": "9", "medical_needs": "x" * 20_000})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Medical needs (optional): Medical needs must be 5000 characters or fewer" in body
    with school_scope(world.a.id):
        assert db.session.query(Pupil).count() == 0


def test_the_api_refuses_a_20000_character_medical_note_naming_the_field(app, world):
    user = world.users["a.ap_leader"]
    bearer = {"Authorization": f"Bearer {api_tokens.issue(user, 'edges')}"}
    response = fresh_client(app).post("/api/v1/schools/alder/pupils", headers=bearer, json={
        "upn": valid_upn(), "first_name": "Jo", "last_name": "Fictional", "date_of_birth": "2012-05-17",
        "year_group": 9, "medical_needs": "x" * 20_000})
    assert response.status_code == 400
    assert "medical_needs" in response.get_json()["error"]["fields"]


# --- dates at the calendar's edges ---------------------------------------------------------------------------
# The API fuzz found GET report-figures?from=0130-02-27 a 500: the periods a report is compared with fell before
# year 1. A date outside 1900-2100 is a 400 (or the form's message) naming the field, on every route.


@pytest.mark.parametrize("query, field", [
    ("from=0130-02-27", "from"), ("from=0001-01-01&to=0001-01-10", "from"), ("to=9999-12-31", "to"),
    ("from=2024-01-01&to=2025-06-30", "to"),  # longer than a school year
])
def test_a_report_period_at_the_calendars_edges_is_a_400_naming_the_field(app, world, query, field):
    school_user, trust_user = world.users["a.headteacher"], world.users["trust.trust_safeguarding_lead"]
    client = fresh_client(app)
    for user, url in ((school_user, "/api/v1/schools/alder/report-figures"), (trust_user, "/api/v1/trust/report-figures")):
        bearer = {"Authorization": f"Bearer {api_tokens.issue(user, 'edges')}"}
        response = client.get(f"{url}?{query}", headers=bearer)
        assert response.status_code == 400, (url, response.get_data(as_text=True))
        assert field in response.get_json()["error"]["fields"]


def test_every_date_an_api_schema_loads_is_held_to_the_years_a_record_can_carry(app):
    missing = []
    for cls in _schema_classes():
        for name, field in cls().load_fields.items():
            if isinstance(field, mfields.Date) and not any(isinstance(v, validate.Range) for v in field.validators):
                missing.append(f"{cls.__name__}.{name}")
    assert missing == []


@pytest.mark.parametrize("url", ["/trust/report?from=0001-01-01&to=0001-01-10",
                                 "/trust/report.pdf?term=0001-01-01|0001-02-01|Year one"])
def test_a_trust_report_period_before_1900_is_refused_not_a_server_error(app, world, url):
    client = _signed_in(app, world.users["trust.trust_safeguarding_lead"])
    assert client.get(url).status_code == 400


def test_a_date_of_birth_in_year_130_is_refused_on_the_field(app, world):
    client = _signed_in(app, world.users["a.ap_leader"])
    response = post_form(client, "/alder/pupils/new", {
        "upn": valid_upn(), "first_name": "Jo", "last_name": "Fictional", "date_of_birth": "17/05/0130",
        "year_group": "9"})
    assert response.status_code == 200
    assert "Date of birth must be between 1900 and 2100" in response.get_data(as_text=True)
    with school_scope(world.a.id):
        assert db.session.query(Pupil).count() == 0


# --- LIKE wildcards -------------------------------------------------------------------------------------------


def test_percent_and_underscore_in_a_pupil_search_match_literally(app, world):
    make_pupil(world.a.id, last_name="Alderson")
    make_pupil(world.a.id, last_name="Per_cent")
    client = _signed_in(app, world.users["a.ap_leader"])
    anything = client.get("/alder/pupils/?q=%25").get_data(as_text=True)
    assert "Alderson" not in anything and "Per_cent" not in anything
    underscore = client.get("/alder/pupils/?q=r_c").get_data(as_text=True)
    assert "Per_cent" in underscore and "Alderson" not in underscore
    assert "Alderson" not in client.get("/alder/pupils/?q=A_der").get_data(as_text=True)


def test_percent_in_a_provider_search_matches_literally(app, world):
    from tests.providers.conftest import make_provider

    make_provider(name="Riverside Farm")
    client = _signed_in(app, world.users["a.ap_leader"])
    assert "Riverside Farm" in client.get("/alder/providers/?q=Riverside").get_data(as_text=True)
    assert "Riverside Farm" not in client.get("/alder/providers/?q=%25").get_data(as_text=True)
    assert "Riverside Farm" not in client.get("/alder/providers/?q=R_verside").get_data(as_text=True)

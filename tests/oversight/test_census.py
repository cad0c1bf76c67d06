"""The school census's AP placements page (issue 16 item 7): for a census period, each placement the school
arranged in the DfE's items; what is missing listed with a link to fix it; the CSV only when nothing is missing,
else a clear refusal; fixing the reason and the provider's identifiers; another school's records are a 404."""
from __future__ import annotations

import csv
import datetime as dt
import io
from urllib.parse import quote

import pytest

from app.extensions import db
from app.models import Placement, PlacementStatus, Provider, Pupil
from app.models.placements import SessionOfDay, WeeklySession
from app.models.providers import ProviderKind, RegistrationStatus
from app.models.pupils import Referral
from tenants import school_scope, system_scope
from tests.helpers import fresh_client, post_form, school_time, sign_in
from tests.oversight.history import enter_years
from tests.placements.conftest import vetted_provider

NOW = "2026-10-01 10:00"  # autumn census day 2026
PERIOD = "first_day=2026-09-03&last_day=2026-10-01"


def placement(world, provider_id: int, name: str, start: dt.date, end: dt.date | None = None,
              reasons=("risk_of_permanent_exclusion",), sessions: int = 4, school: str = "a") -> int:
    school_id = world.schools[school].id
    leader = world.users[f"{school}.ap_leader"].id
    with school_scope(school_id):
        pupil = Pupil(upn=f"A{abs(hash((name, school))) % 10**12:012d}", first_name=name, last_name="Census",
                      date_of_birth=dt.date(2012, 3, 4), year_group=9)
        db.session.add(pupil)
        db.session.flush()
        referral = Referral(pupil_id=pupil.id, academic_needs="-", personal_needs="-", social_needs="-",
                            reasons=list(reasons), options_considered="-", proposed_by_id=leader,
                            proposed_on=start - dt.timedelta(days=20))
        db.session.add(referral)
        db.session.flush()
        p = Placement(pupil_id=pupil.id, provider_id=provider_id, referral_id=referral.id, start_date=start,
                      ended_on=end, status=PlacementStatus.ENDED if end else PlacementStatus.ACTIVE)
        db.session.add(p)
        db.session.flush()
        for i in range(sessions):
            db.session.add(WeeklySession(placement_id=p.id, weekday=i // 2, session=(SessionOfDay.AM, SessionOfDay.PM)[i % 2],
                                         starts_at=dt.time(9), ends_at=dt.time(12)))
        db.session.commit()
        return p.id


@pytest.fixture
def census(world):
    enter_years(world.a.id, years=(2025, 2026))
    willow = vetted_provider(world, name="Willow Tutors", registration=RegistrationStatus.UNREGISTERED)
    with system_scope("test: census identifiers"):
        db.session.get(Provider, willow).ap_setting_type = "OOT"
        db.session.commit()
    farm = vetted_provider(world, name="Meadow Farm Learning")  # registered, its URN not yet entered
    hive = vetted_provider(world, name="The Hive", kind=ProviderKind.ON_SITE,
                           registration=RegistrationStatus.OTHER_REGISTERED)
    ids = {
        "ada": placement(world, willow, "Ada", dt.date(2026, 9, 7)),
        "ben": placement(world, willow, "Ben", dt.date(2026, 6, 1), end=dt.date(2026, 9, 3),
                         reasons=("ehcp_requirements",)),  # left on the first day: returned, with its leaving date
        "old": placement(world, willow, "Old", dt.date(2026, 5, 1), end=dt.date(2026, 9, 2)),  # left before
        "late": placement(world, willow, "Late", dt.date(2026, 10, 2)),  # starts after census day
        "hive": placement(world, hive, "Hive", dt.date(2026, 9, 7)),  # on-site: not returned
        "cal": placement(world, farm, "Cal", dt.date(2026, 9, 14), reasons=("supplement_curriculum",), sessions=0),
    }
    return world, ids, {"willow": willow, "farm": farm}


def signed_in(app, email: str, at: str = NOW):
    client = fresh_client(app)
    with school_time(at):
        assert sign_in(client, email).status_code == 302
    return client


def test_the_headteacher_sees_what_is_missing_and_who_fixes_it(app, census):
    world, ids, providers = census
    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        html = head.get(f"/alder/census/?{PERIOD}").get_data(as_text=True)
    assert html.count("(The AP leader fixes this.)") == 3 and "Fix this" not in html


def test_the_page_lists_the_census_rows_and_what_is_missing_with_links_to_fix(app, census):
    world, ids, providers = census
    head = signed_in(app, "a.ap_leader@test.example.org")
    with school_time(NOW):
        page = head.get(f"/alder/census/?{PERIOD}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for returned in ("Ada Census", "Ben Census", "Cal Census"):
        assert returned in html
    for not_returned in ("Old Census", "Late Census", "Hive Census"):
        assert not_returned not in html
    assert "One on one tuition (OOT)" in html and "Special educational needs (other than SEMH) (SEN)" in html
    assert "3 Sep 2026" in html or "3 September 2026" in html  # Ben's leaving date
    assert "The provider has no URN, UKPRN or AP setting type." in html
    assert f"/alder/census/providers/{providers['farm']}?next=" in html
    assert f"/alder/census/placements/{ids['cal']}/reason?next=" in html
    assert f"/alder/placements/{ids['cal']}/sessions" in html
    assert "Download the CSV" not in html


def test_the_csv_is_refused_while_anything_is_missing(app, census):
    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        refused = head.get(f"/alder/census/placements.csv?{PERIOD}")
    assert refused.status_code == 409
    assert "The CSV cannot be downloaded yet" in refused.get_data(as_text=True)
    assert "3 items must be fixed first" in refused.get_data(as_text=True)


def test_fixing_every_item_gives_the_csv_in_the_modules_items(app, census):
    world, ids, providers = census
    leader = signed_in(app, "a.ap_leader@test.example.org")
    back = f"/alder/census/?{PERIOD}"
    with school_time(NOW):
        bad = post_form(leader, f"/alder/census/providers/{providers['farm']}?next={quote(back)}",
                        {"urn": "12AB", "ukprn": "", "ap_setting_type": ""})
        assert bad.status_code == 400 and "Enter the URN as 6 digits" in bad.get_data(as_text=True)
        saved = post_form(leader, f"/alder/census/providers/{providers['farm']}?next={quote(back)}",
                          {"urn": "654321", "ukprn": "", "ap_setting_type": ""})
        assert saved.status_code == 302 and saved.headers["Location"].endswith(back)
        bad = post_form(leader, f"/alder/census/placements/{ids['cal']}/reason", {"census_reason": "NOPE"})
        assert bad.status_code == 400
        assert post_form(leader, f"/alder/census/placements/{ids['cal']}/reason",
                         {"census_reason": "MHN"}).status_code == 302
        with school_scope(world.a.id):
            for i in range(2):
                db.session.add(WeeklySession(placement_id=ids["cal"], weekday=i, session=SessionOfDay.AM,
                                             starts_at=dt.time(9), ends_at=dt.time(12)))
            db.session.commit()
        page = leader.get(f"/alder/census/?{PERIOD}").get_data(as_text=True)
        assert "Download the CSV" in page
        download = leader.get(f"/alder/census/placements.csv?{PERIOD}")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    by_name = {r["Forename"]: r for r in rows}
    assert set(by_name) == {"Ada", "Ben", "Cal"}
    assert by_name["Ada"]["AP setting type"] == "OOT" and by_name["Ada"]["URN"] == ""
    assert by_name["Ada"]["Primary reason for placement"] == "BEH" and by_name["Ada"]["Leaving date"] == ""
    assert by_name["Ben"]["Leaving date"] == "2026-09-03" and by_name["Ben"]["Primary reason for placement"] == "SEN"
    assert by_name["Cal"]["URN"] == "654321" and by_name["Cal"]["AP setting type"] == ""
    assert by_name["Cal"]["Primary reason for placement"] == "MHN" and by_name["Cal"]["Sessions per week"] == "2"


def test_the_default_period_is_the_term_so_far_and_moves_with_census_day(app, census):
    early_head = signed_in(app, "a.headteacher@test.example.org", at="2026-09-04 10:00")
    with school_time("2026-09-04 10:00"):  # before Ada started
        early = early_head.get("/alder/census/").get_data(as_text=True)
    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        on_census_day = head.get("/alder/census/").get_data(as_text=True)
    assert "Ada Census" not in early and "Ben Census" in early
    assert "Ada Census" in on_census_day


def test_bad_periods_are_refused_by_field(app, census):
    head = signed_in(app, "a.headteacher@test.example.org")
    with school_time(NOW):
        backwards = head.get("/alder/census/?first_day=2026-10-01&last_day=2026-09-01")
        nonsense = head.get("/alder/census/?first_day=soon&last_day=2026-09-01")
    assert backwards.status_code == 400 and "on or after the first day" in backwards.get_data(as_text=True)
    assert nonsense.status_code == 400 and "Enter a real date" in nonsense.get_data(as_text=True)


def test_governors_and_other_schools_cannot_reach_it(app, census):
    world, ids, providers = census
    governor = signed_in(app, "a.designated_governor@test.example.org")
    other = signed_in(app, "b.ap_leader@test.example.org")
    with school_time(NOW):
        assert governor.get("/alder/census/").status_code == 403
        assert other.get(f"/birch/census/placements/{ids['ada']}/reason").status_code == 404
        assert "Ada Census" not in other.get(f"/birch/census/?{PERIOD}").get_data(as_text=True)


def test_a_school_not_using_a_provider_may_not_change_its_identifiers(app, census):
    world, ids, providers = census
    other = signed_in(app, "b.ap_leader@test.example.org")
    with school_time(NOW):
        assert other.get(f"/birch/census/providers/{providers['farm']}").status_code == 302
        refused = post_form(other, f"/birch/census/providers/{providers['farm']}",
                            {"urn": "111111", "ukprn": "", "ap_setting_type": ""}, form_url="/birch/census/")
    assert refused.status_code == 302
    with system_scope("test: check"):
        db.session.expire_all()
        assert db.session.get(Provider, providers["farm"]).ofsted_urn is None


def test_the_api_gives_the_census_rows_and_what_is_missing(app, census):
    from app.services import api_tokens

    world, ids, providers = census
    tokens = {key: api_tokens.issue(world.users[key], "census script")
              for key in ("a.ap_leader", "a.designated_governor", "b.ap_leader")}
    api = fresh_client(app)
    url = "/api/v1/schools/alder/census/ap-placements?from=2026-09-03&to=2026-10-01"
    with school_time(NOW):
        body = api.get(url, headers={"Authorization": f"Bearer {tokens['a.ap_leader']}"})
        bad = api.get("/api/v1/schools/alder/census/ap-placements?from=2026-10-02&to=2026-10-01",
                      headers={"Authorization": f"Bearer {tokens['a.ap_leader']}"})
        unknown = api.get(url + "&school=birch", headers={"Authorization": f"Bearer {tokens['a.ap_leader']}"})
        governor = api.get(url, headers={"Authorization": f"Bearer {tokens['a.designated_governor']}"})
        other = api.get(url, headers={"Authorization": f"Bearer {tokens['b.ap_leader']}"})
        spec = api.get("/api/v1/openapi.json").get_json()
    assert body.status_code == 200
    data = body.get_json()
    assert data["ready"] is False and data["missing_count"] == 3
    rows = {r["forename"]: r for r in data["items"]}
    assert set(rows) == {"Ada", "Ben", "Cal"}
    assert rows["Ada"]["ap_setting_type"] == "OOT" and rows["Ada"]["primary_reason"] == "BEH"
    assert rows["Ben"]["leaving_date"] == "2026-09-03"
    assert [m["item"] for m in rows["Cal"]["missing"]] == ["provider", "reason", "sessions"]
    assert bad.status_code == 400 and "to" in bad.get_json()["error"]["fields"]
    assert unknown.status_code == 400
    assert governor.status_code == 403 and other.status_code == 404
    assert "/api/v1/schools/{school_slug}/census/ap-placements" in spec["paths"]

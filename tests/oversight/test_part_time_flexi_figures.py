"""Part-time timetables (9.5-9.7) and flexi-schooling (10.4-10.7) in the headteacher's report, compared with the
terms before, and in the trust report (issue 16 items 2 and 4): counted per period, aggregates only."""
from __future__ import annotations

import datetime as dt

import pytest

from app.clock import local_datetime
from app.extensions import db
from app.models import Pupil
from app.models.flexi_schooling import FlexiAgreement, FlexiRequest, FlexiRequestStatus, FlexiReview, WithdrawnBy
from app.models.part_time import PartTimeTimetable, PartTimeTimetableReview
from app.policy.part_time_timetables import ReviewDecision, TimetableStatus
from app.services import part_time_flexi_figures as pf
from app.services.ap_report import report_data
from app.services.trust_dashboard import trust_dashboard
from app.services.trust_report import trust_report
from tenants import school_scope, trust_scope
from tests.helpers import fresh_client, school_time
from tests.oversight.history import enter_years

AUTUMN = (dt.date(2025, 9, 4), dt.date(2025, 12, 19))


def _pupil(name: str) -> Pupil:
    pupil = Pupil(upn=f"P{abs(hash(name)) % 10**12:012d}", first_name=name, last_name="Figures",
                  date_of_birth=dt.date(2013, 5, 5), year_group=7)
    db.session.add(pupil)
    db.session.flush()
    return pupil


def timetable(world, name, start, end, approved=True, ended_on=None, reviews=()):
    user = world.users["a.headteacher"].id
    pupil = _pupil(name)
    t = PartTimeTimetable(pupil_id=pupil.id, reason_category="medical_needs", reason_details="-", support_plan="-",
                          start_date=start, end_date=end, original_end_date=end, proposed_by_id=user,
                          proposed_at=local_datetime(start - dt.timedelta(days=7), dt.time(9)),
                          status=TimetableStatus.ENDED if ended_on else TimetableStatus.ACTIVE,
                          approved_by_id=user if approved else None,
                          approved_at=local_datetime(start - dt.timedelta(days=3), dt.time(9)) if approved else None,
                          ended_on=ended_on)
    db.session.add(t)
    db.session.flush()
    for held in reviews:
        db.session.add(PartTimeTimetableReview(timetable_id=t.id, held_on=held, pupil_views="-", parent_views="-",
                                               decision=ReviewDecision.CONTINUE_WITH_CHANGES, recorded_by_id=user))


def flexi(world, name, received, decided=None, status=FlexiRequestStatus.RECEIVED, start=None, end=None,
          reviews=()):
    user = world.users["a.headteacher"].id
    pupil = _pupil(name)
    request = FlexiRequest(pupil_id=pupil.id, academic_year=received.year if received.month >= 9 else received.year - 1,
                           received_on=received, requested_by="A parent", request_summary="-", recorded_by_id=user,
                           status=status, decided_on=decided, decided_by_id=user if decided else None)
    db.session.add(request)
    db.session.flush()
    if start:
        agreement = FlexiAgreement(request_id=request.id, pupil_id=pupil.id, pupil_needs="-", rationale="-",
                                   start_date=start, home_sessions=["fri_pm"], home_education_provision="-",
                                   section_7_how_met="-", welfare_responsible_at_home="A parent",
                                   school_curriculum="-", school_assessments="-", agreed_on=start, agreed_by_id=user,
                                   end_date=end, withdrawn_by=WithdrawnBy.PARENT if end else None)
        db.session.add(agreement)
        db.session.flush()
        for i, held in enumerate(reviews):
            db.session.add(FlexiReview(agreement_id=agreement.id, pupil_id=pupil.id, term_key=f"t{i}", held_on=held,
                                       progress="-", outcome="continue", recorded_by_id=user))


@pytest.fixture
def records(world):
    enter_years(world.a.id)
    with school_scope(world.a.id):
        # Summer 2024-25: one short timetable, returned to full time in the summer.
        timetable(world, "Sam", dt.date(2025, 5, 6), dt.date(2025, 6, 6), ended_on=dt.date(2025, 6, 6),
                  reviews=[dt.date(2025, 5, 20)])
        # Autumn 2025-26: one running past six weeks, one proposed but never approved (not counted).
        timetable(world, "Kit", dt.date(2025, 9, 15), dt.date(2025, 12, 12), ended_on=dt.date(2025, 12, 12),
                  reviews=[dt.date(2025, 9, 29), dt.date(2025, 10, 13)])
        timetable(world, "Pip", dt.date(2025, 10, 1), dt.date(2025, 10, 20), approved=False)
        flexi(world, "Fay", dt.date(2025, 6, 2), dt.date(2025, 6, 20), FlexiRequestStatus.APPROVED,
              start=dt.date(2025, 7, 1), end=dt.date(2025, 11, 7), reviews=[dt.date(2025, 10, 10)])
        flexi(world, "Gus", dt.date(2025, 11, 3), dt.date(2025, 11, 20), FlexiRequestStatus.REFUSED)
        db.session.commit()
    return world


def _row(data, key, label):
    section = next(s for s in data.sections if s.key == key)
    return next(r.values for r in section.rows if r.label == label)


def test_the_report_compares_part_time_and_flexi_with_the_terms_before(app, records):
    with school_time("2026-01-10 10:00"), school_scope(records.a.id):
        data = report_data(records.a, "Autumn term 2025-26", *AUTUMN)
    assert [w.key for w in data.periods][-1] == "Autumn term 2025-26" and len(data.periods) == 3
    # spring 24-25, summer 24-25, autumn 25-26
    assert _row(data, pf.PART_TIME, pf.PT_PUPILS) == [0, 1, 1]
    assert _row(data, pf.PART_TIME, pf.PT_RETURNED) == [0, 1, 1]
    assert _row(data, pf.PART_TIME, pf.PT_PAST_SIX_WEEKS) == [0, 0, 1]
    assert _row(data, pf.PART_TIME, pf.PT_REVIEWS) == [0, 1, 2]
    assert _row(data, pf.PART_TIME, pf.PT_APPROVED) == [0, 1, 1]
    assert _row(data, pf.FLEXI, pf.FX_REQUESTS) == [0, 1, 1]
    assert _row(data, pf.FLEXI, pf.FX_APPROVED) == [0, 1, 0]
    assert _row(data, pf.FLEXI, pf.FX_REFUSED) == [0, 0, 1]
    assert _row(data, pf.FLEXI, pf.FX_RUNNING) == [0, 1, 1]
    assert _row(data, pf.FLEXI, pf.FX_WITHDRAWN) == [0, 0, 1]
    assert _row(data, pf.FLEXI, pf.FX_REVIEWS) == [0, 0, 1]
    section = next(s for s in data.sections if s.key == pf.PART_TIME)
    assert section.not_recorded is None and [r.label for r in section.rows] == list(pf.PART_TIME_ROWS)
    as_json = data.as_json()
    assert any(s["key"] == pf.FLEXI and s["rows"] for s in as_json["sections"])


def test_the_trust_report_adds_every_schools_part_time_and_flexi(app, records):
    with school_time("2026-01-10 10:00"), trust_scope(records.users["trust.designated_trustee"].id, "test: trust report"):
        report = trust_report("Autumn term 2025-26", *AUTUMN)
    section, rows = next((s, r) for s, r in report.sections if s.key == pf.PART_TIME)
    by_school = dict(rows)
    assert by_school["The trust"][0] == 1 and by_school["Alder School"][0] == 1 and by_school["Birch School"][0] == 0


def test_the_dashboard_shows_part_time_today_and_the_trends(app, records):
    from tests.oversight.test_trust_dashboard import lead_id

    with school_scope(records.a.id):
        timetable(records, "Lou", dt.date(2026, 1, 5), dt.date(2026, 4, 1))
        timetable(records, "Mo", dt.date(2026, 3, 9), dt.date(2026, 4, 1))
        db.session.commit()
    with school_time("2026-03-16 12:00"), trust_scope(lead_id(records), "test: the dashboard"):
        board = trust_dashboard()
    cells = {c.measure.value: c for c in next(r for r in board.rows if r.school.name == "Alder School").cells}
    assert cells["part_time_timetables"].value == 2 and cells["part_time_timetables"].rating.value == "ok"
    assert cells["part_time_past_six_weeks"].value == 1 and cells["part_time_past_six_weeks"].rating.value == "watch"
    assert cells["part_time_timetables"].link == ("trust_part_time.trust_index", {})
    trends = {t.measure: t for t in board.trends}
    alder = dict((s.name, v) for s, v in trends["part_time"].by_school)["Alder School"]
    # Sam over summer 1 and 2 (to 6 June), Kit autumn 1 and 2, Lou from spring 1, Mo in spring 2.
    assert trends["part_time"].keys == ["2024-25 Summer 1", "2024-25 Summer 2", "2025-26 Autumn 1",
                                        "2025-26 Autumn 2", "2025-26 Spring 1", "2025-26 Spring 2"]
    assert alder == [1, 1, 1, 1, 1, 2]
    # Fay's agreement, 1 July to 7 November (withdrawn).
    assert dict((s.name, v) for s, v in trends["flexi"].by_school)["Alder School"] == [0, 1, 1, 1, 0, 0]


def test_the_trust_report_figures_api(app, records):
    from app.services import api_tokens

    tokens = {key: api_tokens.issue(records.users[key], "trust script")
              for key in ("trust.designated_trustee", "a.headteacher")}
    api = fresh_client(app)
    url = "/api/v1/trust/report-figures?from=2025-09-04&to=2025-12-19&label=Autumn+2025"
    with school_time("2026-01-10 10:00"):
        body = api.get(url, headers={"Authorization": f"Bearer {tokens['trust.designated_trustee']}"})
        school_role = api.get(url, headers={"Authorization": f"Bearer {tokens['a.headteacher']}"})
        too_long = api.get("/api/v1/trust/report-figures?from=2024-01-01&to=2025-12-19",
                           headers={"Authorization": f"Bearer {tokens['trust.designated_trustee']}"})
        spec = api.get("/api/v1/openapi.json").get_json()
    assert body.status_code == 200
    data = body.get_json()
    assert data["label"] == "Autumn 2025" and data["first_day"] == "2025-09-04"
    part_time = next(s for s in data["sections"] if s["key"] == pf.PART_TIME)
    assert part_time["row_labels"][0] == pf.PT_PUPILS
    schools = {row["school"]: row["values"] for row in part_time["schools"]}
    assert schools["Alder School"][0] == 1 and schools["The trust"][0] == 1
    cost = next(s for s in data["sections"] if s["key"] == "cost")
    assert all(isinstance(v, str | type(None)) for row in cost["schools"] for v in row["values"][:3])
    assert school_role.status_code == 403 and too_long.status_code == 400
    assert "/api/v1/trust/report-figures" in spec["paths"] and "TrustFigures" in spec["components"]["schemas"]
    assert "Figures" not in str(data)  # pupils' names: none

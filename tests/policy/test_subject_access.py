import datetime as dt

from app.policy.subject_access import redaction_flags, response_due


def test_one_calendar_month_from_receipt():
    assert response_due(dt.date(2026, 3, 14)) == dt.date(2026, 4, 14)


def test_a_month_without_the_date_ends_on_its_last_day():
    assert response_due(dt.date(2026, 8, 31)) == dt.date(2026, 9, 30)
    assert response_due(dt.date(2028, 1, 31)) == dt.date(2028, 2, 29)


def test_december_runs_into_the_next_year():
    assert response_due(dt.date(2026, 12, 20)) == dt.date(2027, 1, 20)


def test_only_third_party_fields_that_hold_something_are_flagged():
    assert redaction_flags("Carer", {"name": "A Carer", "email": None, "phone": "", "lives_with": True}) == ["name"]
    assert redaction_flags("Referral", {"academic_needs": "reading"}) == []

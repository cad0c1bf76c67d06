"""The retention schedule (storage limitation): each branch of `due_for_action`, across years."""
import datetime as dt

import pytest

from app.policy.retention_schedule import (
    SCHEDULE,
    RecordFacts,
    RetentionAction,
    RetentionRule,
    Trigger,
    add_years,
    due_for_action,
    rule_for,
)

BORN = dt.date(2010, 5, 14)
LEFT = dt.date(2026, 7, 22)


def pupil_record(record="WelfareCheck", left=LEFT, hold=False, born=BORN):
    return RecordFacts(record, 7, 1, {Trigger.PUPIL_BIRTH: born}, pupil_left_on=left, on_legal_hold=hold)


def test_every_row_cites_a_source_and_every_record_appears_once():
    assert all(rule.source for rule in SCHEDULE)
    assert len({rule.record for rule in SCHEDULE}) == len(SCHEDULE)


def test_safeguarding_records_follow_the_25th_birthday_rule():
    for record in ("WelfareCheck", "PupilRiskAssessment", "Involvement"):
        rule = rule_for(record)
        assert (rule.trigger, rule.years) == (Trigger.PUPIL_BIRTH, 25)
        assert "25" in rule.source


def test_the_audit_trail_is_kept():
    assert rule_for("AuditEvent").action is RetentionAction.KEEP
    assert due_for_action([RecordFacts("AuditEvent", 1, 1, {Trigger.ENTRY_MADE: dt.date(1990, 1, 1)})],
                          dt.date(2090, 1, 1)) == []


def test_not_due_the_day_before_the_25th_birthday_due_on_it():
    assert due_for_action([pupil_record()], dt.date(2035, 5, 13)) == []
    [due] = due_for_action([pupil_record()], dt.date(2035, 5, 14))
    assert (due.record, due.record_id, due.action, due.due_on) == ("WelfareCheck", 7, RetentionAction.DESTROY,
                                                                  dt.date(2035, 5, 14))


def test_a_pupil_still_on_roll_is_never_due_whatever_their_age():
    assert due_for_action([pupil_record(left=None)], dt.date(2060, 1, 1)) == []


def test_a_legal_hold_stops_it():
    assert due_for_action([pupil_record(hold=True)], dt.date(2060, 1, 1)) == []


def test_an_event_that_has_not_happened_starts_no_clock():
    facts = RecordFacts("Placement", 3, 1, {Trigger.PLACEMENT_ENDS: None})
    assert due_for_action([facts], dt.date(2099, 1, 1)) == []


def test_placement_anonymised_six_years_after_it_ends_even_with_the_pupil_on_roll():
    facts = RecordFacts("Placement", 3, 1, {Trigger.PLACEMENT_ENDS: dt.date(2026, 12, 18)})
    assert due_for_action([facts], dt.date(2032, 12, 17)) == []
    [due] = due_for_action([facts], dt.date(2032, 12, 18))
    assert due.action is RetentionAction.ANONYMISE



def test_webhook_events_destroyed_a_year_after_they_were_sent_unless_held():
    """UK GDPR 5(1)(e): a webhook event (and its delivery log) is a copy of what the records hold."""
    sent = RecordFacts("WebhookEvent", 4, None, {Trigger.ENTRY_MADE: dt.date(2026, 12, 7)})
    assert due_for_action([sent], dt.date(2027, 12, 6)) == []
    [due] = due_for_action([sent], dt.date(2027, 12, 7))
    assert due.action is RetentionAction.DESTROY
    held = RecordFacts("WebhookEvent", 5, 1, {Trigger.ENTRY_MADE: dt.date(2026, 12, 7)}, on_legal_hold=True)
    assert due_for_action([held], dt.date(2030, 1, 1)) == []
    assert rule_for("WebhookEvent").period == "1 year after the entry was made"
    assert rule_for("Notification").period == "2 years after the entry was made"

def test_a_school_setting_overrides_the_default_where_the_toolkit_leaves_it_to_the_school():
    facts = RecordFacts("AttendanceSession", 9, 1, {Trigger.ENTRY_MADE: dt.date(2026, 3, 2)})
    assert due_for_action([facts], dt.date(2029, 3, 2))  # the default: 3 years
    assert due_for_action([facts], dt.date(2029, 3, 2), settings={"AttendanceSession": 6}) == []
    assert due_for_action([facts], dt.date(2032, 3, 2), settings={"AttendanceSession": 6})


def test_a_setting_cannot_shorten_a_period_the_toolkit_fixes():
    # The safeguarding rule is not a setting: a trust's override is ignored.
    assert due_for_action([pupil_record()], dt.date(2030, 1, 1), settings={"WelfareCheck": 1}) == []


def test_a_record_kind_not_in_the_schedule_is_never_due():
    assert due_for_action([RecordFacts("Mystery", 1, 1, {Trigger.ENTRY_MADE: dt.date(1990, 1, 1)})],
                          dt.date(2090, 1, 1)) == []


def test_leap_day_births_fall_due_on_28_february():
    assert add_years(dt.date(2012, 2, 29), 25) == dt.date(2037, 2, 28)
    assert add_years(dt.date(2012, 2, 29), 4) == dt.date(2016, 2, 29)


def test_results_in_date_order():
    early = RecordFacts("Notification", 2, 1, {Trigger.ENTRY_MADE: dt.date(2020, 1, 1)})
    late = RecordFacts("Notification", 1, 1, {Trigger.ENTRY_MADE: dt.date(2021, 1, 1)})
    assert [d.record_id for d in due_for_action([late, early], dt.date(2030, 1, 1))] == [2, 1]


def test_a_rule_is_checked_when_declared():
    with pytest.raises(ValueError):
        RetentionRule("X", "x", Trigger.NEVER, 3, RetentionAction.KEEP, "s")
    with pytest.raises(ValueError):
        RetentionRule("X", "x", Trigger.ENTRY_MADE, None, RetentionAction.KEEP, "s")


def test_settings_name_only_the_periods_left_to_the_school_and_never_shorten_them():
    from app.policy.retention_schedule import parse_settings

    assert parse_settings("AttendanceSession=6, Placement=7") == {"AttendanceSession": 6, "Placement": 7}
    assert parse_settings(None) == {}
    with pytest.raises(ValueError, match="WelfareCheck"):
        parse_settings("WelfareCheck=30")
    with pytest.raises(ValueError, match="at least 3"):
        parse_settings("AttendanceSession=1")

"""What must follow each outcome of a welfare check (KCSIE: children missing education; policy 4.4, 4.5), and
what a record of one needs: one test per branch."""
from __future__ import annotations

import datetime as dt

import pytest

from app.policy.welfare import (
    MISSING_CHILD_STEPS,
    NOT_LOCATED,
    REASON_OBTAINED,
    SEEN_AND_SAFE,
    may_record,
    record_errors,
    what_follows,
)

NOW = dt.datetime(2026, 3, 16, 11, 0, tzinfo=dt.UTC)
RAISED = NOW - dt.timedelta(hours=1)


def test_kcsie_seen_and_safe_completes_the_check_and_nothing_more():
    follows = what_follows(SEEN_AND_SAFE)
    assert follows.completes_check
    assert not (follows.may_set_absence_reason or follows.missing_child_procedure
                or follows.tell_trust_safeguarding_lead or follows.follow_up_task)


def test_policy_4_5_a_reason_obtained_may_go_on_the_register_mark():
    follows = what_follows(REASON_OBTAINED)
    assert follows.completes_check and follows.may_set_absence_reason
    assert not (follows.missing_child_procedure or follows.tell_trust_safeguarding_lead)


def test_kcsie_policy_4_4_not_located_starts_the_missing_child_procedure_tells_the_trust_and_escalates():
    follows = what_follows(NOT_LOCATED)
    assert follows.missing_child_procedure and follows.tell_trust_safeguarding_lead and follows.follow_up_task
    assert follows.steps == MISSING_CHILD_STEPS
    assert "police" in follows.steps[0] and any("children missing education officer" in s for s in follows.steps)


def test_an_unknown_outcome_is_refused():
    with pytest.raises(ValueError):
        what_follows("probably fine")


def test_kcsie_a_check_is_recorded_once_unless_the_pupil_was_not_located():
    assert may_record(None) and may_record(NOT_LOCATED)
    assert not may_record(SEEN_AND_SAFE) and not may_record(REASON_OBTAINED)


def test_a_complete_record_has_no_errors():
    assert record_errors("home_visit", SEEN_AND_SAFE, "", NOW, RAISED, NOW) == {}


def test_a_record_names_each_missing_field():
    errors = record_errors(None, None, None, None, RAISED, NOW)
    assert set(errors) == {"method", "outcome", "checked_at"}
    assert "call" in errors["method"] and "not located" in errors["outcome"]


def test_kcsie_not_located_needs_notes_of_what_was_tried():
    assert "notes" in record_errors("call", NOT_LOCATED, "  ", NOW, RAISED, NOW)
    assert record_errors("call", NOT_LOCATED, "Rang both parents, no answer", NOW, RAISED, NOW) == {}


def test_a_pupil_not_located_cannot_be_not_located_again_only_found():
    errors = record_errors("call", NOT_LOCATED, "Still missing", NOW, RAISED, NOW, previous_outcome=NOT_LOCATED)
    assert "already recorded as not located" in errors["outcome"]
    assert record_errors("home_visit", SEEN_AND_SAFE, "", NOW, RAISED, NOW, previous_outcome=NOT_LOCATED) == {}


def test_the_check_time_is_not_in_the_future_nor_long_before_it_was_raised():
    assert "future" in record_errors("call", SEEN_AND_SAFE, "", NOW + dt.timedelta(hours=1), RAISED, NOW)["checked_at"]
    assert "before" in record_errors("call", SEEN_AND_SAFE, "", RAISED - dt.timedelta(days=2), RAISED, NOW)["checked_at"]


def test_notes_are_kept_to_a_readable_length():
    assert "5,000" in record_errors("call", SEEN_AND_SAFE, "x" * 5001, NOW, RAISED, NOW)["notes"]

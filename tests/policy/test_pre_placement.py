"""Each pre-placement condition (4.3, 7.4, 7.5, 7.6, 8.8) on plain facts: what is missing, and when nothing is."""
import datetime as dt

import pytest

from app.policy.pre_placement import (
    AssessmentFacts,
    ConsultationFacts,
    InvolvementFacts,
    PupilFacts,
    ReferralFacts,
    involvement_missing,
    latest_assessment,
    needs_analysis_missing,
    parent_consultation_missing,
    risk_assessment_missing,
)
from app.policy.referral import REFERRAL_REASONS, unknown_reasons

D = dt.date
START = D(2026, 1, 12)


def codes(missing):
    return [m.code for m in missing]


def full_referral(**changes):
    values = dict(academic_needs="Behind in maths", personal_needs="Anxiety", social_needs="Few friends",
                  reasons=["not_attending"], options_considered="Hive room tried first")
    values.update(changes)
    return ReferralFacts(**values)


# --- needs analysis (4.3) ---


def test_no_referral_is_missing_the_needs_analysis():
    missing = needs_analysis_missing(None)
    assert codes(missing) == ["needs_analysis"]
    assert missing[0].section == "4.3"


def test_a_complete_referral_misses_nothing():
    assert needs_analysis_missing(full_referral()) == []


@pytest.mark.parametrize("name", ["academic_needs", "personal_needs", "social_needs", "options_considered"])
def test_each_blank_need_is_named(name):
    assert codes(needs_analysis_missing(full_referral(**{name: "  "}))) == [f"needs_analysis.{name}"]


def test_reasons_must_come_from_the_policy_list():
    assert codes(needs_analysis_missing(full_referral(reasons=[]))) == ["needs_analysis.reasons"]
    assert codes(needs_analysis_missing(full_referral(reasons=["because"]))) == ["needs_analysis.reasons"]


def test_referral_reasons_are_the_seven_of_5_2_plus_other():
    assert len(REFERRAL_REASONS) == 8 and REFERRAL_REASONS[-1][0] == "other"
    assert unknown_reasons(["ehcp_requirements", "nope"]) == ["nope"]


# --- individual risk assessment (4.3) ---


def test_no_risk_assessment():
    assert codes(risk_assessment_missing(None, START)) == ["risk_assessment"]


def test_a_risk_assessment_completed_on_or_before_the_start_and_not_due_for_review():
    assert risk_assessment_missing(AssessmentFacts(D(2026, 1, 5), D(2026, 3, 1)), START) == []
    assert risk_assessment_missing(AssessmentFacts(START, START), START) == []


def test_a_risk_assessment_dated_after_the_start_does_not_count():
    assert codes(risk_assessment_missing(AssessmentFacts(D(2026, 1, 13), D(2026, 3, 1)), START)) == [
        "risk_assessment.after_start"]


def test_a_risk_assessment_past_its_review_date_at_the_start_needs_a_review():
    missing = risk_assessment_missing(AssessmentFacts(D(2025, 9, 1), D(2026, 1, 11), id=7), START)
    assert codes(missing) == ["risk_assessment.review_overdue"]
    assert missing[0].reviews_id == 7


def test_the_latest_assessment_is_the_review():
    old = AssessmentFacts(D(2025, 9, 1), D(2025, 12, 1), id=1)
    review = AssessmentFacts(D(2025, 12, 1), D(2026, 3, 1), id=2)
    assert latest_assessment([review, old]) is review
    assert latest_assessment([]) is None


# --- parents consulted (7.4) ---


def test_no_consultation():
    assert codes(parent_consultation_missing([])) == ["parent_consultation"]


def test_a_consultation_without_views_or_decision_does_not_count():
    assert codes(parent_consultation_missing([ConsultationFacts(D(2026, 1, 5), "", "Place at provider")])) == [
        "parent_consultation"]
    assert codes(parent_consultation_missing([ConsultationFacts(D(2026, 1, 5), "Happy", None)])) == [
        "parent_consultation"]


def test_one_full_consultation_is_enough():
    assert parent_consultation_missing([ConsultationFacts(D(2026, 1, 5), "", ""),
                                        ConsultationFacts(D(2026, 1, 6), "Supportive", "Go ahead")]) == []


# --- involvement (7.5, 7.6, 8.8) ---


def inv(party, review=None, on=dt.date(2026, 1, 5)):
    return InvolvementFacts(party=party, involved_on=on, ehcp_review_needed=review)


def test_a_pupil_with_no_status_needs_no_involvement():
    assert involvement_missing(PupilFacts(), []) == []


def test_ehcp_needs_the_la_send_team_and_the_review_question_answered():
    ehcp = PupilFacts(has_ehcp=True)
    missing = involvement_missing(ehcp, [])
    assert codes(missing) == ["involvement.la_send"] and missing[0].section == "7.5"
    assert missing[0].party == "local_authority_send"
    assert codes(involvement_missing(ehcp, [inv("local_authority_send")])) == ["involvement.ehcp_review_decision"]
    assert involvement_missing(ehcp, [inv("local_authority_send", review=False)]) == []
    assert involvement_missing(ehcp, [inv("local_authority_send", review=True)]) == []


def test_looked_after_needs_the_vsh_and_the_social_worker():
    lac = PupilFacts(is_looked_after=True, has_social_worker=True)
    assert codes(involvement_missing(lac, [])) == ["involvement.virtual_school_head", "involvement.social_worker"]
    assert codes(involvement_missing(lac, [inv("virtual_school_head")])) == ["involvement.social_worker"]
    assert codes(involvement_missing(lac, [inv("social_worker")])) == ["involvement.virtual_school_head"]
    assert involvement_missing(lac, [inv("virtual_school_head"), inv("social_worker")]) == []
    assert {m.section for m in involvement_missing(lac, [])} == {"7.6"}


def test_a_social_worker_not_looked_after_is_informed():
    sw = PupilFacts(has_social_worker=True)
    missing = involvement_missing(sw, [])
    assert codes(missing) == ["involvement.social_worker_informed"] and missing[0].section == "8.8"
    assert involvement_missing(sw, [inv("social_worker")]) == []


def test_an_involvement_with_no_date_does_not_count():
    assert codes(involvement_missing(PupilFacts(has_social_worker=True), [inv("social_worker", on=None)])) == [
        "involvement.social_worker_informed"]


def test_ehcp_and_looked_after_together():
    both = PupilFacts(has_ehcp=True, is_looked_after=True)
    assert codes(involvement_missing(both, [inv("virtual_school_head")])) == [
        "involvement.la_send", "involvement.social_worker"]

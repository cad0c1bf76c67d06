"""Reviews and QA visits (8.1, 8.2, 8.3, 8.8) on plain dates, across the whole 2025-26 school year on frozen time:
tasks at each half-term start and never on a non-school day, mid-half-term starts, reminders and escalations
around bank holidays and training days, more frequent reviews, and keys that make repeated sweeps harmless."""
import datetime as dt

import pytest

from app import clock
from app.policy.la_notices import LA_SEND, SOCIAL_WORKER, VIRTUAL_SCHOOL_HEAD, information_sharing_recipients
from app.policy.pre_placement import PupilFacts
from app.policy.reviews import (
    DEFAULT_QA_VISIT_EVERY_WEEKS,
    half_termly_review_due_on,
    provider_qa_every_weeks,
    qa_visits_due,
    review_reminder_and_escalation,
    reviews_due_in_half_term,
)
from app.roles import SchoolRoleName, TrustRoleName
from app.school_calendar import CalendarNotEntered, HalfTermDates, SchoolCalendar, generate_school_year
from tests.helpers import school_time

D = dt.date
YEAR = generate_school_year(2025)  # the reference Derbyshire 2025-26 dates
AUTUMN_1, AUTUMN_2, SPRING_1, SPRING_2, SUMMER_1, SUMMER_2 = YEAR
# Training days: the first day of the year, two half-term Mondays, and a Friday in Summer 1.
TRAINING_DAYS = (D(2025, 9, 4), D(2025, 11, 3), D(2026, 2, 23), D(2026, 6, 1), D(2026, 5, 15))
CALENDAR = SchoolCalendar(YEAR, TRAINING_DAYS)

# Each half-term's first school day (a training day first moves it on) and the half-termly due date: the 5th
# school day before its last school day (Fri 15 May 2026 is a training day, so Summer 1's is Thu 14 May).
EXPECTED = {
    AUTUMN_1: (D(2025, 9, 5), D(2025, 10, 17)),
    AUTUMN_2: (D(2025, 11, 4), D(2025, 12, 12)),
    SPRING_1: (D(2026, 1, 5), D(2026, 2, 6)),
    SPRING_2: (D(2026, 2, 24), D(2026, 3, 20)),
    SUMMER_1: (D(2026, 4, 13), D(2026, 5, 14)),
    SUMMER_2: (D(2026, 6, 2), D(2026, 7, 16)),
}


def reviews(half_term, start, end=None, every=None, placement_id=7, calendar=CALENDAR):
    return reviews_due_in_half_term(half_term, calendar, start, end, every, placement_id=placement_id)


def test_the_reference_calendar_is_the_one_tested():
    assert (AUTUMN_1.first_day, SUMMER_2.last_day) == (D(2025, 9, 4), D(2026, 7, 23))
    assert not CALENDAR.is_school_day(D(2026, 5, 4))  # the early May bank holiday


# --- one review per half-term (8.3) ---


@pytest.mark.parametrize("half_term", YEAR, ids=str)
def test_a_placement_running_all_year_owes_one_review_each_half_term(half_term):
    [review] = reviews(half_term, D(2025, 9, 1))
    assert (review.created_on, review.due_on) == EXPECTED[half_term]
    assert review.sequence == 1 and review.half_term == half_term
    assert CALENDAR.is_school_day(review.created_on) and CALENDAR.is_school_day(review.due_on)
    assert half_termly_review_due_on(half_term, CALENDAR) == review.due_on


def test_the_due_date_leaves_the_half_terms_last_school_week():
    for half_term, (_, due_on) in EXPECTED.items():
        last = CALENDAR.last_school_day_of_half_term(half_term)
        assert len(list(CALENDAR.school_days_between(due_on, last))) == 6  # the due day, then 5 more


def test_no_review_for_a_placement_not_active_in_the_half_term():
    assert reviews(AUTUMN_2, D(2026, 1, 5)) is None  # starts later
    assert reviews(SPRING_1, D(2025, 9, 4), end=D(2025, 12, 19)) is None  # ended before
    assert reviews(SPRING_1, D(2025, 9, 4), end=D(2026, 1, 2)) is None  # ended in the holiday
    # active only on the half-term's training day (its first day): no school day in it
    assert reviews(AUTUMN_2, D(2025, 9, 4), end=D(2025, 11, 3)) is None


def test_a_placement_starting_in_the_holiday_is_reviewed_from_the_first_school_day():
    [review] = reviews(SPRING_1, D(2025, 12, 29))
    assert (review.created_on, review.due_on) == EXPECTED[SPRING_1]


def test_a_mid_half_term_start_is_created_on_the_placements_first_day():
    [review] = reviews(SPRING_1, D(2026, 1, 21))
    assert (review.created_on, review.due_on) == (D(2026, 1, 21), D(2026, 2, 6))


def test_a_start_on_the_may_bank_holiday_is_created_the_next_school_day():
    [review] = reviews(SUMMER_1, D(2026, 5, 4))
    assert (review.created_on, review.due_on) == (D(2026, 5, 5), D(2026, 5, 14))


def test_a_start_on_a_weekend_or_training_day_is_created_the_next_school_day():
    assert reviews(AUTUMN_1, D(2025, 9, 13))[0].created_on == D(2025, 9, 15)  # a Saturday
    assert reviews(SUMMER_2, D(2026, 6, 1))[0].created_on == D(2026, 6, 2)  # a training day


def test_a_start_in_the_last_school_week_is_still_reviewed_that_half_term():
    [review] = reviews(SPRING_2, D(2026, 3, 24))
    assert (review.created_on, review.due_on) == (D(2026, 3, 24), D(2026, 3, 27))


def test_a_placement_ending_before_the_due_date_is_reviewed_by_its_last_school_day():
    [review] = reviews(AUTUMN_2, D(2025, 9, 4), end=D(2025, 11, 30))  # a Sunday
    assert review.due_on == D(2025, 11, 28)
    [review] = reviews(SUMMER_1, D(2026, 4, 13), end=D(2026, 5, 4))  # ends on the bank holiday
    assert review.due_on == D(2026, 5, 1)


# --- more frequent reviews set by the agreement (8.3) ---


def test_every_two_weeks_counts_ten_school_days_and_ends_with_the_half_termly_one():
    due = [r.due_on for r in reviews(AUTUMN_1, D(2025, 9, 1), every=2)]
    # created Fri 5 Sep; 10, 20, 30 school days on; then the half-termly due date caps it
    assert due == [D(2025, 9, 19), D(2025, 10, 3), D(2025, 10, 17)]
    assert [r.sequence for r in reviews(AUTUMN_1, D(2025, 9, 1), every=2)] == [1, 2, 3]


def test_school_weeks_skip_bank_holidays_and_training_days():
    # Summer 1: Mon 13 Apr; Mon 4 May is a bank holiday, so the 15th school day after is Tue 5 May, not Mon 4 May
    due = [r.due_on for r in reviews(SUMMER_1, D(2026, 4, 13), every=3)]
    assert due == [D(2026, 5, 5), D(2026, 5, 14)]


def test_weekly_reviews_in_a_short_half_term():
    due = [r.due_on for r in reviews(SPRING_2, D(2026, 2, 23), every=1)]
    # created Tue 24 Feb (Mon 23 Feb is a training day); weekly, then the half-termly date Fri 20 Mar
    assert due == [D(2026, 3, 3), D(2026, 3, 10), D(2026, 3, 17), D(2026, 3, 20)]
    assert all(r.created_on == D(2026, 2, 24) for r in reviews(SPRING_2, D(2026, 2, 23), every=1))


def test_a_frequency_longer_than_the_half_term_still_gives_the_half_termly_review():
    assert [r.due_on for r in reviews(AUTUMN_1, D(2025, 9, 1), every=12)] == [D(2025, 10, 17)]


def test_frequent_reviews_stop_at_the_placements_end():
    due = [r.due_on for r in reviews(AUTUMN_1, D(2025, 9, 1), end=D(2025, 10, 1), every=2)]
    assert due == [D(2025, 9, 19), D(2025, 10, 1)]


def test_a_frequency_below_one_week_is_refused():
    with pytest.raises(ValueError):
        reviews(AUTUMN_1, D(2025, 9, 1), every=0)


# --- dedupe keys ---


def test_keys_name_the_placement_the_half_term_and_the_sequence():
    keys = [r.dedupe_key for r in reviews(AUTUMN_1, D(2025, 9, 1), every=2, placement_id=42)]
    assert keys == ["review:42:2025-autumn-1:1", "review:42:2025-autumn-1:2", "review:42:2025-autumn-1:3"]
    assert reviews(AUTUMN_1, D(2025, 9, 1), placement_id=43)[0].dedupe_key == "review:43:2025-autumn-1:1"


def test_correcting_a_half_terms_dates_keeps_the_key():
    moved = HalfTermDates(2025, "autumn", 1, D(2025, 9, 3), D(2025, 10, 23), id=99)
    calendar = SchoolCalendar([moved, *YEAR[1:]], TRAINING_DAYS)
    assert (reviews(moved, D(2025, 9, 1), calendar=calendar)[0].dedupe_key
            == reviews(AUTUMN_1, D(2025, 9, 1))[0].dedupe_key)


def daily_sweep(placements, tasks, created_days):
    """What the half-term sweep does, in the app's clock: every obligation whose creation day has come, once."""
    today = clock.today()
    half_term = CALENDAR.half_term_for(today)
    if half_term is None:
        return
    for placement_id, (start, end, every) in placements.items():
        for review in reviews(half_term, start, end, every, placement_id=placement_id) or ():
            if review.created_on <= today and review.dedupe_key not in tasks:
                tasks[review.dedupe_key] = review
                created_days.setdefault(today, []).append(review.dedupe_key)


def test_a_whole_school_year_of_sweeps_creates_each_review_once_on_school_days():
    placements = {
        1: (D(2025, 9, 4), None, None),  # all year
        2: (D(2026, 1, 21), D(2026, 5, 22), None),  # starts mid Spring 1, ends with Summer 1
        3: (D(2026, 5, 4), None, 2),  # starts on the bank holiday, fortnightly reviews
    }
    tasks, created_days = {}, {}
    day = D(2025, 8, 25)
    while day <= D(2026, 8, 7):
        for at in ("00:30", "07:00", "16:00"):  # the sweep runs three times a day, weekends and holidays too
            with school_time(f"{day.isoformat()} {at}"):
                daily_sweep(placements, tasks, created_days)
        day += dt.timedelta(days=1)

    assert all(CALENDAR.is_school_day(d) for d in created_days)
    assert all(tasks[key].created_on == d for d, keys in created_days.items() for key in keys)
    half_term_starts = {first for first, _ in EXPECTED.values()}
    assert set(created_days) == half_term_starts | {D(2026, 1, 21), D(2026, 5, 5)}
    assert sorted(k for k in tasks if k.startswith("review:1:")) == sorted(
        f"review:1:2025-{h.term}-{h.part}:1" for h in YEAR)
    assert sorted(k for k in tasks if k.startswith("review:2:")) == [
        "review:2:2025-spring-1:1", "review:2:2025-spring-2:1", "review:2:2025-summer-1:1"]
    # placement 3 in Summer 1: created Tue 5 May, 10 school days is Tue 19 May, after the due date Thu 14 May
    assert [tasks[k].due_on for k in sorted(tasks) if k.startswith("review:3:2025-summer-1")] == [D(2026, 5, 14)]
    assert [tasks[k].due_on for k in sorted(tasks) if k.startswith("review:3:2025-summer-2")] == [
        D(2026, 6, 16), D(2026, 6, 30), D(2026, 7, 14), D(2026, 7, 16)]

    again = dict(tasks)
    for day in (D(2025, 9, 5), D(2026, 1, 21), D(2026, 6, 2), D(2026, 7, 22)):
        with school_time(f"{day.isoformat()} 09:00"):
            daily_sweep(placements, tasks, {})
    assert tasks == again  # repeated sweeps create nothing twice


def test_the_sweep_at_half_past_midnight_after_the_clocks_go_forward_is_on_the_right_day():
    # Mon 13 Apr 2026 00:30 BST is still Sun 12 Apr in UTC: the school's date is what counts
    tasks, created = {}, {}
    with school_time("2026-04-13 00:30"):
        assert clock.now().date() == D(2026, 4, 12)
        daily_sweep({1: (D(2025, 9, 4), None, None)}, tasks, created)
    assert list(created) == [D(2026, 4, 13)]
    with school_time("2026-04-12 23:30"):  # the Sunday before: nothing yet
        assert reviews(SUMMER_1, D(2025, 9, 4))[0].created_on > clock.today()


def test_the_autumn_2026_half_term_after_the_clocks_go_back():
    calendar = SchoolCalendar(generate_school_year(2026))
    autumn_2 = generate_school_year(2026)[1]
    with school_time("2026-11-02 00:30"):  # GMT again since Sun 25 Oct 2026
        today = clock.today()
    [review] = reviews(autumn_2, D(2026, 9, 3), calendar=calendar)
    assert review.created_on == today == D(2026, 11, 2)
    assert review.dedupe_key == "review:7:2026-autumn-2:1"


# --- reminders and escalation ---


def test_reminder_and_escalations_for_each_half_termly_review():
    expected = {  # (remind, headteacher, trust)
        AUTUMN_1: (D(2025, 10, 10), D(2025, 10, 20), D(2025, 10, 24)),
        AUTUMN_2: (D(2025, 12, 5), D(2025, 12, 15), D(2025, 12, 19)),
        SPRING_1: (D(2026, 1, 30), D(2026, 2, 9), D(2026, 2, 13)),
        SPRING_2: (D(2026, 3, 13), D(2026, 3, 23), D(2026, 3, 27)),
        # Fri 15 May is a training day: the headteacher hears on Mon 18 May
        SUMMER_1: (D(2026, 5, 7), D(2026, 5, 18), D(2026, 5, 22)),
        SUMMER_2: (D(2026, 7, 9), D(2026, 7, 17), D(2026, 7, 23)),
    }
    for half_term, (remind, head, trust) in expected.items():
        created_on, due_on = EXPECTED[half_term]
        plan = review_reminder_and_escalation(due_on, CALENDAR, created_on)
        assert (plan.remind_on, plan.escalate_to_headteacher_on, plan.escalate_to_trust_on) == (remind, head, trust)
        assert plan.escalations[0].to is SchoolRoleName.HEADTEACHER
        assert plan.escalations[1].to is TrustRoleName.TRUST_SAFEGUARDING_LEAD
        assert trust == CALENDAR.last_school_day_of_half_term(half_term)  # still overdue at the half-term's end


def test_the_reminder_counts_school_days_over_the_bank_holiday():
    plan = review_reminder_and_escalation(D(2026, 5, 8), CALENDAR)
    assert plan.remind_on == D(2026, 4, 30)  # 7, 6, 5, 1 May, 30 Apr: Mon 4 May is not counted


def test_no_reminder_when_the_task_was_made_inside_the_lead_time():
    assert review_reminder_and_escalation(D(2026, 5, 14), CALENDAR, created_on=D(2026, 5, 11)).remind_on is None
    assert review_reminder_and_escalation(D(2026, 5, 14), CALENDAR, created_on=D(2026, 5, 6)).remind_on == D(2026, 5, 7)


def test_a_review_due_on_the_last_school_day_escalates_into_the_next_half_term():
    plan = review_reminder_and_escalation(D(2026, 5, 22), CALENDAR, created_on=D(2026, 5, 18))
    assert plan.remind_on is None
    # Mon 1 Jun is a training day: the headteacher on Tue 2 Jun, the trust 5 school days later
    assert (plan.escalate_to_headteacher_on, plan.escalate_to_trust_on) == (D(2026, 6, 2), D(2026, 6, 9))


def test_an_ended_placements_review_still_reaches_the_trust_at_the_half_terms_end():
    plan = review_reminder_and_escalation(D(2025, 11, 28), CALENDAR)
    assert (plan.escalate_to_headteacher_on, plan.escalate_to_trust_on) == (D(2025, 12, 1), D(2025, 12, 19))


def test_no_reminder_before_the_calendar_starts_and_escalation_needs_the_next_half_term():
    plan = review_reminder_and_escalation(D(2025, 9, 8), CALENDAR)
    assert plan.remind_on is None  # only 1 school day is entered before it
    with pytest.raises(CalendarNotEntered):
        review_reminder_and_escalation(D(2026, 7, 23), CALENDAR)


# --- information sharing (8.8) ---


@pytest.mark.parametrize("facts, parties", [
    (PupilFacts(), []),
    (PupilFacts(has_ehcp=True), [LA_SEND]),
    (PupilFacts(has_social_worker=True), [SOCIAL_WORKER]),
    (PupilFacts(is_looked_after=True), [VIRTUAL_SCHOOL_HEAD, SOCIAL_WORKER]),
    (PupilFacts(is_looked_after=True, has_social_worker=True), [VIRTUAL_SCHOOL_HEAD, SOCIAL_WORKER]),
    (PupilFacts(has_ehcp=True, is_looked_after=True, has_social_worker=True),
     [LA_SEND, VIRTUAL_SCHOOL_HEAD, SOCIAL_WORKER]),
    (PupilFacts(has_ehcp=True, has_social_worker=True), [LA_SEND, SOCIAL_WORKER]),
])
def test_information_goes_only_to_the_right_people(facts, parties):
    assert [r.party for r in information_sharing_recipients(facts)] == parties


def test_recipients_say_where_the_contact_is_held():
    by_party = {r.party: r for r in information_sharing_recipients(
        PupilFacts(has_ehcp=True, is_looked_after=True))}
    assert by_party[LA_SEND].la_contact_kind == "send"
    assert by_party[VIRTUAL_SCHOOL_HEAD].la_contact_kind == "virtual_school_head"
    assert by_party[SOCIAL_WORKER].la_contact_kind is None
    assert by_party[SOCIAL_WORKER].because == "is looked after"


# --- QA visits (8.1, 8.3) ---


def test_the_first_visit_is_due_the_agreed_weeks_after_the_start():
    due = qa_visits_due(None, 4, D(2025, 9, 20), D(2025, 9, 8))
    assert (due.due_on, due.counted_from, due.overdue, due.days_overdue) == (D(2025, 10, 6), D(2025, 9, 8), False, 0)


def test_the_next_visit_counts_from_the_last_one():
    due = qa_visits_due(D(2025, 10, 1), 4, D(2025, 10, 29), D(2025, 9, 8))
    assert (due.due_on, due.overdue) == (D(2025, 10, 29), False)  # due today is not yet overdue
    due = qa_visits_due(D(2025, 10, 1), 4, D(2025, 11, 3), D(2025, 9, 8))
    assert (due.overdue, due.days_overdue) == (True, 5)


def test_a_visit_before_the_placement_started_counts_from_the_start():
    due = qa_visits_due(D(2024, 3, 1), 6, D(2025, 9, 20), D(2025, 9, 8))
    assert (due.due_on, due.counted_from, due.overdue) == (D(2025, 10, 20), D(2025, 9, 8), False)


def test_no_agreed_frequency_means_about_half_termly():
    due = qa_visits_due(None, None, D(2025, 9, 8), D(2025, 9, 8))
    assert due.every_weeks == DEFAULT_QA_VISIT_EVERY_WEEKS == 6 and due.due_on == D(2025, 10, 20)
    with pytest.raises(ValueError):
        qa_visits_due(None, -1, D(2025, 9, 8), D(2025, 9, 8))


def test_a_providers_frequency_is_the_most_frequent_agreed():
    assert provider_qa_every_weeks([6, None, 3, 4]) == 3
    assert provider_qa_every_weeks([None]) == DEFAULT_QA_VISIT_EVERY_WEEKS
    assert provider_qa_every_weeks([]) == DEFAULT_QA_VISIT_EVERY_WEEKS


def test_overdue_on_frozen_time_across_the_clocks_going_back():
    # last visit Mon 28 Sep 2026 BST, every 4 weeks: due Mon 26 Oct 2026, the day after the clocks go back
    for local, overdue in (("2026-10-26 23:59", False), ("2026-10-27 00:01", True)):
        with school_time(local):
            assert qa_visits_due(D(2026, 9, 28), 4, clock.today(), D(2026, 9, 7)).overdue is overdue


def test_the_7_12_notice_goes_to_the_la_and_the_vsh_and_send_team_when_the_pupil_needs_them():
    from app.policy.la_notices import commissioning_recipients

    class Pupil:
        def __init__(self, looked_after, ehcp):
            self.is_looked_after, self.has_ehcp = looked_after, ehcp

    assert commissioning_recipients(Pupil(False, False)) == [("la", "ap_notifications")]
    assert commissioning_recipients(Pupil(True, False)) == [("la", "ap_notifications"), ("vsh", "virtual_school_head")]
    assert commissioning_recipients(Pupil(False, True)) == [("la", "ap_notifications"), ("send", "send")]

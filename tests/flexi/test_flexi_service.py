"""Flexi-schooling services (section 10) on frozen time: the request, decision, agreement, withdrawal, the LA's
notices and the termly review tasks."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.extensions import db
from app.models import FlexiAgreement, FlexiRequest, FlexiRequestStatus, Task, TaskStatus
from app.services import flexi_reviews
from app.services import flexi_schooling as service
from app.services.calendar import calendar_for_school
from app.services.flexi_documents import document_path
from app.services.flexi_letter import letter_pdf
from app.services.flexi_notices import notify_la_of_agreement
from tenants import school_scope
from tests.flexi.conftest import D, agree, approve, la_notices, request_for
from tests.helpers import school_time

# --- 10.4: one request a year --------------------------------------------------------------------------------


def test_a_second_request_in_the_same_academic_year_is_refused_naming_the_first(flexi):
    with school_time("2026-03-02 10:00"):
        first = request_for(flexi, received_on=D(2025, 9, 15))
        assert first.ok
        second = request_for(flexi, received_on=D(2026, 3, 2))
    assert set(second.errors) == {"received_on"}
    assert "15 September 2025" in second.errors["received_on"]
    with school_scope(flexi.school_id):
        assert db.session.scalar(select(db.func.count(FlexiRequest.id))) == 1  # nothing half-saved


def test_a_request_in_the_next_academic_year_is_considered(flexi):
    with school_time("2026-09-07 10:00"):
        assert request_for(flexi, received_on=D(2026, 7, 20)).ok  # 2025-26
        result = request_for(flexi, received_on=D(2026, 9, 7))  # 2026-27
    assert result.ok and result.record.academic_year == 2026


def test_another_schools_requests_do_not_count(flexi):
    with school_time("2025-10-01 10:00"):
        assert request_for(flexi, key="b").ok
        assert request_for(flexi).ok


def test_a_request_names_each_problem_and_saves_nothing(flexi):
    with school_time("2025-10-01 10:00"):
        with school_scope(flexi.school_id):
            result = service.record_request(service.RequestInput(None, D(2025, 10, 2), " ", "", ["mon_10:00"]),
                                            by=flexi.user("ap_leader"), document=("letter.exe", b"MZ..."))
    assert set(result.errors) == {"pupil_id", "received_on", "requested_by", "request_summary", "proposed_pattern",
                                  "document"}


def test_the_written_request_is_kept_like_evidence(flexi, app):
    with school_time("2025-10-01 10:00"):
        result = request_for(flexi, document=("Letter from parent.pdf", b"%PDF-1.4 please consider"))
    assert result.ok
    with school_scope(flexi.school_id):
        record = db.session.get(FlexiRequest, result.record.id)
        path = document_path(record)
        assert record.document_name == "Letter_from_parent.pdf" and path.read_bytes().startswith(b"%PDF")
        assert "." not in path.name and path.stat().st_mode & 0o777 == 0o600


# --- 10.4: the decision ----------------------------------------------------------------------------------------


def test_only_the_headteacher_decides_once_and_there_is_no_appeal(flexi):
    with school_time("2025-09-22 10:00"):
        request_id = request_for(flexi).record.id
        with school_scope(flexi.school_id):
            record = db.session.get(FlexiRequest, request_id)
            by_leader = service.decide(record, True, "Fine", by=flexi.user("ap_leader"))
            assert set(by_leader.errors) == {"decided_by"}
            record = db.session.get(FlexiRequest, request_id)
            assert record.status is FlexiRequestStatus.RECEIVED
            refused = service.decide(record, False, "Not in the pupil's interest now.", by=flexi.user("headteacher"))
            assert refused.ok and record.decided_on == D(2025, 9, 22)
            again = service.decide(db.session.get(FlexiRequest, request_id), True, "On reflection",
                                   by=flexi.user("headteacher"))
    assert "no right of appeal" in again.errors["decision"]


def test_the_letter_says_the_decision_and_is_recorded_as_sent(flexi):
    with school_time("2025-09-22 10:00"):
        request_id = request_for(flexi).record.id
        approve(flexi, request_id)
        with school_scope(flexi.school_id):
            record = db.session.get(FlexiRequest, request_id)
            pdf = letter_pdf(record)
            assert pdf.startswith(b"%PDF") and b"approved" in pdf and b"no right of appeal" in pdf
            assert set(service.record_letter_sent(record, D(2025, 9, 23), flexi.user("ap_leader")).errors) == {
                "sent_on"}  # not in the future
            assert service.record_letter_sent(db.session.get(FlexiRequest, request_id), D(2025, 9, 22),
                                              flexi.user("ap_leader")).ok


# --- 10.5: the agreement, 10.7: the LA told once ---------------------------------------------------------------


def test_no_agreement_before_the_headteacher_approves(flexi):
    with school_time("2025-09-22 10:00"):
        request_id = request_for(flexi).record.id
        result = agree(flexi, request_id)
    assert set(result.errors) == {"request"}


def test_the_pattern_must_be_whole_blocks(flexi):
    with school_time("2025-09-22 10:00"):
        request_id = request_for(flexi).record.id
        approve(flexi, request_id)
        result = agree(flexi, request_id, home_pattern=["mon_09:00-10:30"])
    assert set(result.errors) == {"home_pattern"}


def test_the_la_is_told_of_the_start_and_the_end_once_each(flexi):
    with school_time("2025-09-22 10:00"):
        request_id = request_for(flexi).record.id
        approve(flexi, request_id)
        agreement_id = agree(flexi, request_id).record.id
        with school_scope(flexi.school_id):
            notify_la_of_agreement(db.session.get(FlexiAgreement, agreement_id), "start")  # again: no second
            db.session.commit()
    assert [(n.dedupe_key, n.recipient_email) for n in la_notices(flexi.school_id)] == [
        (f"flexi-agreement:{agreement_id}:start:la", "ap@la.example.org")]
    with school_time("2026-01-05 10:00"):
        with school_scope(flexi.school_id):
            agreement = db.session.get(FlexiAgreement, agreement_id)
            data = service.WithdrawalInput("parent", D(2026, 1, 5), D(2026, 2, 13))
            assert service.withdraw(agreement, data, flexi.user("ap_leader")).ok
            again = service.withdraw(db.session.get(FlexiAgreement, agreement_id), data, flexi.user("ap_leader"))
            assert set(again.errors) == {"withdrawn_by"}
    notices = la_notices(flexi.school_id)
    assert [n.dedupe_key.split(":")[2] for n in notices] == ["start", "end"]
    assert "Friday 13 February 2026" in notices[1].body_text and "parent or carer" in notices[1].body_text


def test_notices_go_to_the_pupils_responsible_la_when_recorded(flexi):
    from app.models import LAContact, LAContactKind, LocalAuthority, Pupil
    from tenants import system_scope

    with system_scope("test: another LA"):
        other = LocalAuthority(name="Elsewhere Council", code="998", contacts=[
            LAContact(kind=LAContactKind.AP_NOTIFICATIONS, name="AP", email="ap@elsewhere.example.org")])
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    with school_scope(flexi.school_id):
        db.session.get(Pupil, flexi.pupil_id).responsible_local_authority_id = other_id
        db.session.commit()
    with school_time("2025-09-22 10:00"):
        request_id = request_for(flexi).record.id
        approve(flexi, request_id)
        assert agree(flexi, request_id).ok
    assert [n.recipient_email for n in la_notices(flexi.school_id)] == ["ap@elsewhere.example.org"]


# --- 10.6: withdrawal with notice -------------------------------------------------------------------------------


def _agreed(flexi, start=dt.date(2025, 10, 6)) -> int:
    request_id = request_for(flexi).record.id
    approve(flexi, request_id)
    return agree(flexi, request_id, start=start).record.id


def test_withdrawal_with_less_than_four_weeks_notice_needs_a_reason(flexi):
    with school_time("2025-09-22 10:00"):
        agreement_id = _agreed(flexi)
    with school_time("2026-01-05 10:00"):
        with school_scope(flexi.school_id):
            short = service.WithdrawalInput("school", D(2026, 1, 5), D(2026, 1, 30))  # 25 days
            result = service.withdraw(db.session.get(FlexiAgreement, agreement_id), short, flexi.user("ap_leader"))
            assert set(result.errors) == {"reason"} and "25 days" in result.errors["reason"]
            assert db.session.get(FlexiAgreement, agreement_id).end_date is None  # nothing half-saved
            short.reason = "Attendance at school has fallen; the pupil needs full-time support now."
            assert service.withdraw(db.session.get(FlexiAgreement, agreement_id), short, flexi.user("ap_leader")).ok
    assert len(la_notices(flexi.school_id)) == 2


def test_withdrawal_with_four_weeks_notice_or_more_needs_no_reason(flexi):
    with school_time("2025-09-22 10:00"):
        agreement_id = _agreed(flexi)
    with school_time("2026-01-05 10:00"):
        with school_scope(flexi.school_id):
            result = service.withdraw(db.session.get(FlexiAgreement, agreement_id),
                                      service.WithdrawalInput("parent", D(2026, 1, 5), D(2026, 2, 2)),
                                      flexi.user("ap_leader"))
            assert result.ok and result.record.withdrawal_reason is None


# --- 10.6: termly reviews as tasks from the calendar ---------------------------------------------------------------


def _review_tasks(school_id):
    with school_scope(school_id):
        return list(db.session.scalars(select(Task).where(Task.kind == "flexi_schooling_review").order_by(Task.id)))


def test_each_term_a_review_task_due_by_its_last_school_day(flexi):
    with school_time("2025-09-22 10:00"):
        agreement_id = _agreed(flexi)
    with school_time("2025-10-06 06:55"):
        with school_scope(flexi.school_id):
            calendar = calendar_for_school(flexi.school_id)
            assert flexi_reviews.create_review_tasks(calendar, D(2025, 10, 6)) == 1
            assert flexi_reviews.create_review_tasks(calendar, D(2025, 10, 6)) == 0  # idempotent
            db.session.commit()
    [task] = _review_tasks(flexi.school_id)
    assert task.dedupe_key == f"flexi-review:{agreement_id}:2025-26:autumn"
    assert task.due_at == dt.datetime(2025, 12, 19, 17, 0, tzinfo=dt.UTC)  # GMT in December
    assert task.assigned_role.value == "headteacher"
    # In the Christmas holidays nothing new (the spring task is made in the spring term).
    with school_time("2025-12-22 06:55"):
        with school_scope(flexi.school_id):
            assert flexi_reviews.create_review_tasks(calendar_for_school(flexi.school_id), D(2025, 12, 22)) == 0


def test_recording_the_review_completes_its_task_and_a_second_for_the_term_is_refused(flexi):
    with school_time("2025-09-22 10:00"):
        agreement_id = _agreed(flexi)
    with school_time("2026-01-05 06:55"):
        with school_scope(flexi.school_id):
            flexi_reviews.create_review_tasks(calendar_for_school(flexi.school_id), D(2026, 1, 5))
            db.session.commit()
    [task] = _review_tasks(flexi.school_id)
    assert task.dedupe_key.endswith("2025-26:spring")
    assert task.due_at.date() == D(2026, 3, 27)
    with school_time("2026-03-20 15:00"):
        with school_scope(flexi.school_id):
            data = flexi_reviews.ReviewInput(D(2026, 3, 20), "Settled; reading strong.", "continue")
            result = flexi_reviews.record_review(db.session.get(FlexiAgreement, agreement_id), data,
                                                 flexi.user("headteacher"))
            assert result.ok and result.record.term_key == "2025-26:spring"
            again = flexi_reviews.record_review(db.session.get(FlexiAgreement, agreement_id), data,
                                                flexi.user("headteacher"))
            assert set(again.errors) == {"held_on"}
    assert _review_tasks(flexi.school_id)[0].status is TaskStatus.DONE


def test_the_sweep_makes_review_tasks_school_by_school(flexi):
    from jobs.flexi_sweeps import flexi_schooling_reviews

    school_id = flexi.school_id  # the sweep works in sessions of its own: keep ids, not records
    with school_time("2025-09-22 10:00"):
        _agreed(flexi)
    with school_time("2025-10-11 06:55"):  # a Saturday: not a school day
        report = flexi_schooling_reviews()
    assert school_id in report.skipped and not _review_tasks(school_id)
    with school_time("2025-10-13 06:55"):
        report = flexi_schooling_reviews()
    assert report.results[school_id] == 1 and len(_review_tasks(school_id)) == 1

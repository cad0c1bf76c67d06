"""One record of each model a URL can name, built in a given school: the sweeps that walk the URL map use it.

The isolation sweep (tests/views/test_isolation.py) builds one record of every tenant-owned model in school B
and asks for it as a user of school A; the permission matrix (tests/views/test_permissions.py) and the admin
checks fill a route's id arguments from here. A capability that adds a tenant-owned model, or a route with
an id argument, registers a builder next to these:

    @builds(Pupil, url_args=("pupil_id",))
    def _pupil(marker: str) -> Pupil:
        return Pupil(first_name=marker, last_name="Example", ...)

The builder returns a new, unsaved object; it is called inside the school's scope, so `school_id` is stamped.
`marker` is text unique to this record: put it in a field the pages and the API show, so a sweep can prove
it never appears where it must not. A URL argument can be named for one endpoint only with
`url_args=(("calendar.edit_half_term", "id"),)`.
"""
from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import TYPE_CHECKING

from app.clock import now
from app.extensions import db
from app.models import AttendanceSession, Audience, HalfTerm, Notification, Placement, Pupil, Task, Term, TrainingDay
from tenants import TenantScopedMixin, school_scope, system_scope

if TYPE_CHECKING:
    from app.models import AttendanceSession, Placement, Pupil


@dataclass(frozen=True)
class Built:
    model: type
    id: int
    marker: str | None  # text unique to this record, or None when the model has nothing a page would show


_BY_MODEL: dict[type, Callable[[str], object]] = {}
_BY_URL_ARG: dict[str | tuple[str, str], type] = {}
_markers = itertools.count(1)


def builds(model: type, url_args: tuple = ()):
    def register(builder):
        _BY_MODEL[model] = builder
        for arg in url_args:
            _BY_URL_ARG[arg] = model
        return builder

    return register


def tenant_models() -> list[type]:
    """Every tenant-owned model of the app (test-only models on other bases are left out)."""
    return sorted((m.class_ for m in db.Model.registry.mappers if issubclass(m.class_, TenantScopedMixin)),
                  key=lambda cls: cls.__name__)


def models_without_builder() -> list[str]:
    return [cls.__name__ for cls in tenant_models() if cls not in _BY_MODEL]


def model_for_url_arg(endpoint: str, arg: str) -> type:
    model = _BY_URL_ARG.get((endpoint, arg)) or _BY_URL_ARG.get(arg)
    if model is None:
        raise LookupError(
            f"route {endpoint!r} takes <{arg}>, and tests/tenants/record_builders.py has no builder for it: "
            f"register one with @builds(YourModel, url_args=({arg!r},)) so the isolation sweep and the "
            "permission matrix can fill it in"
        )
    return model


def build(model: type, school_id: int | None, label: str = "") -> Built:
    """Create and commit one `model` record in the school (trust-level models ignore the school)."""
    if model not in _BY_MODEL:
        raise LookupError(f"no builder for {model.__name__}: register one in tests/tenants/record_builders.py")
    marker = f"{label or 'record'}-marker-{next(_markers)}-{model.__name__}"
    tenant_owned = issubclass(model, TenantScopedMixin)
    scope = school_scope(school_id) if tenant_owned else system_scope("test: building a record")
    with scope:
        record = _BY_MODEL[model](marker, school_id) if model in _OF_SCHOOL else _BY_MODEL[model](marker)
        db.session.add(record)
        db.session.commit()
        record_id = record.id
    return Built(model=model, id=record_id, marker=marker if _shows_marker(record, marker) else None)


def build_one_of_each(school_id: int, label: str) -> dict[type, Built]:
    return {model: build(model, school_id, label) for model in [*tenant_models(), *_OF_SCHOOL]}


# Trust-level records that one school owns or made (the provider register): their builders also take the school
# id, and the isolation sweep builds them per school like tenant-owned ones, so that school B's own records
# (its on-site provision, a concern about it) are proven invisible to school A.
_OF_SCHOOL: list[type] = []


def builds_of_school(model: type, url_args: tuple = ()):
    def register(builder):
        _OF_SCHOOL.append(model)
        return builds(model, url_args)(builder)

    return register


def _shows_marker(record, marker: str) -> bool:
    return any(getattr(record, attr.key, None) == marker for attr in db.inspect(record).mapper.column_attrs)


def _far_slot() -> tuple[int, int]:
    # Years nobody else uses, so a builder's half-term or training day never clashes with a fixture's; with a
    # second number (the half-term, the day) so that many builds in one test do not clash with each other either.
    n = next(_markers)
    return 2090 + n % 9, n // 9 % 54


# --- the builders -------------------------------------------------------------------------------------------


@builds(Task, url_args=("task_id",))
def _task(marker: str) -> Task:
    return Task(kind="test", title=marker, due_at=now() + timedelta(days=3), dedupe_key=marker)


@builds(Notification, url_args=("notification_id",))
def _notification(marker: str) -> Notification:
    return Notification(dedupe_key=marker, audience=Audience.STAFF, recipient_email="someone@test.example.org",
                        template="test", subject=marker, body_text=marker, message_id=f"<{marker}@test.example.org>")


@builds(HalfTerm, url_args=("half_term_id",))
def _half_term(marker: str) -> HalfTerm:
    year, slot = _far_slot()
    term, part = list(Term)[slot // 2 % 3], slot % 2 + 1
    return HalfTerm(academic_year=year, term=term, part=part, first_day=date(year, 9, 1),
                    last_day=date(year, 10, 20))


@builds(TrainingDay, url_args=("training_day_id",))
def _training_day(marker: str) -> TrainingDay:
    year, slot = _far_slot()
    return TrainingDay(day=date(year, 9, 1) + timedelta(days=slot), note=marker)


# --- pupils and placements (issue 5) ------------------------------------------------------------------------


def _any_user_id() -> int:
    from sqlalchemy import select

    from app.models import User

    return db.session.scalar(select(User.id).order_by(User.id).limit(1))


def _new_pupil(marker: str) -> Pupil:
    from app.models import Pupil

    return Pupil(upn=f"T{next(_markers):012d}", first_name=marker, last_name="Example",
                 date_of_birth=date(2012, 5, 17), year_group=9)


def _new_placement(marker: str) -> Placement:
    from app.models import Placement, Provider, ProviderKind, RegistrationStatus

    # The register is shared: the provider's name must not carry the school's marker (every school sees it).
    provider = Provider(name=f"Provider {next(_markers)}", kind=ProviderKind.OFF_SITE,
                        registration_status=RegistrationStatus.UNREGISTERED)
    return Placement(pupil=_new_pupil(f"pupil-of-{marker}"), provider=provider, start_date=date(2090, 1, 7),
                     key_information_note=marker)


def _register_pupil_builders() -> None:
    from datetime import time as clock_time

    from app.models import (
        BelongingAction,
        Carer,
        EventRiskAssessment,
        Involvement,
        InvolvementParty,
        OffSiteDirection,
        ParentConsultation,
        Placement,
        PlacementAgreement,
        Pupil,
        PupilRiskAssessment,
        Referral,
        SessionOfDay,
        WeeklySession,
    )

    builds(Pupil, url_args=("pupil_id",))(_new_pupil)
    builds(Placement, url_args=("placement_id",))(_new_placement)
    builds(Carer, url_args=("carer_id",))(
        lambda m: Carer(pupil=_new_pupil(f"child-of-{m}"), name=m))
    builds(Referral, url_args=("referral_id",))(
        lambda m: Referral(pupil=_new_pupil(f"referred-{m}"), academic_needs=m, personal_needs="-", social_needs="-",
                           reasons=[], options_considered="-", proposed_by_id=_any_user_id(),
                           proposed_on=date(2090, 1, 2)))
    builds(PupilRiskAssessment, url_args=("risk_assessment_id",))(
        lambda m: PupilRiskAssessment(pupil=_new_pupil(f"assessed-{m}"), assessed_on=date(2090, 1, 2),
                                      assessed_by_id=_any_user_id(), risks=m, control_measures="-",
                                      review_due_on=date(2090, 3, 2)))
    builds(ParentConsultation, url_args=("consultation_id",))(
        lambda m: _with_pupil(ParentConsultation(consulted_on=date(2090, 1, 2), method="meeting", carer_views=m,
                                                 school_decision="-", recorded_by_id=_any_user_id()), m))
    builds(Involvement, url_args=("involvement_id",))(
        lambda m: _with_pupil(Involvement(party=InvolvementParty.SOCIAL_WORKER, person_name=m,
                                          involved_on=date(2090, 1, 2), recorded_by_id=_any_user_id()), m))
    builds(BelongingAction, url_args=("belonging_action_id",))(
        lambda m: _with_pupil(BelongingAction(kind="visit", on=date(2090, 1, 2), note=m,
                                              recorded_by_id=_any_user_id()), m))
    builds(EventRiskAssessment, url_args=("event_risk_assessment_id",))(
        lambda m: _with_pupil(EventRiskAssessment(event_name=m, event_on=date(2090, 1, 2), assessment="-",
                                                  decision="may attend", assessed_by_id=_any_user_id(),
                                                  assessed_on=date(2090, 1, 2)), m))
    builds(PlacementAgreement, url_args=("agreement_id",))(
        lambda m: PlacementAgreement(placement=_new_placement(f"agreed-{m}"), aims_and_outcomes=m))
    builds(WeeklySession, url_args=("weekly_session_id",))(
        lambda m: WeeklySession(placement=_new_placement(m), weekday=0, session=SessionOfDay.AM,
                                starts_at=clock_time(9, 0), ends_at=clock_time(12, 0)))
    builds(OffSiteDirection, url_args=("direction_id",))(
        lambda m: OffSiteDirection(placement=_new_placement(f"directed-{m}"), reasons_and_objectives=m,
                                   review_on=date(2090, 2, 1), ends_by=date(2090, 3, 1)))


def _with_pupil(record, marker: str):
    """Records that hang off a pupil by id: make the pupil, flush it for its id."""
    pupil = _new_pupil(f"pupil-of-{marker}")
    db.session.add(pupil)
    db.session.flush()
    record.pupil_id = pupil.id
    return record


_register_pupil_builders()


# --- the provider register (issue 4): trust-level, each built as one school's own on-site provision ------------


def _register_provider_builders() -> None:
    from app.models import (
        CheckOutcome,
        ConcernSeverity,
        Provider,
        ProviderCheck,
        ProviderCheckItem,
        ProviderConcern,
        ProviderContact,
        ProviderEvidenceFile,
        ProviderKind,
        ProviderSite,
        RegistrationStatus,
    )

    def own_provider(marker: str, school_id: int) -> Provider:
        return Provider(name=marker, kind=ProviderKind.ON_SITE, owning_school_id=school_id,
                        registration_status=RegistrationStatus.OTHER_REGISTERED)

    def check(marker: str, school_id: int) -> ProviderCheck:
        return ProviderCheck(provider=own_provider(f"checked-{marker}", school_id), made_by_school_id=school_id,
                             started_by_id=_any_user_id())

    def evidence_file(marker: str, school_id: int) -> ProviderEvidenceFile:
        from app.services.evidence import check_upload, store_evidence

        provider = own_provider(f"evidenced-{marker}", school_id)
        db.session.add(provider)
        db.session.flush()
        record = store_evidence(check_upload(f"{marker}.pdf", b"%PDF-1.4 test evidence"), provider_id=provider.id,
                                user_id=_any_user_id(), school_id=school_id)
        db.session.expunge(record)
        return record

    builds_of_school(Provider, url_args=("provider_id",))(own_provider)
    builds_of_school(ProviderSite, url_args=("site_id",))(
        lambda m, s: ProviderSite(provider=own_provider(f"site-of-{m}", s), name=m, address="1 Test Lane"))
    builds_of_school(ProviderContact, url_args=("contact_id",))(
        lambda m, s: ProviderContact(provider=own_provider(f"contact-of-{m}", s), name=m))
    builds_of_school(ProviderCheck, url_args=("check_id",))(check)
    builds_of_school(ProviderCheckItem, url_args=("check_item_id",))(
        lambda m, s: ProviderCheckItem(check=check(m, s), item="visit", outcome=CheckOutcome.MET, evidence_note=m))
    builds_of_school(ProviderConcern, url_args=("concern_id",))(
        lambda m, s: ProviderConcern(provider=own_provider(f"concern-of-{m}", s), made_by_school_id=s,
                                     raised_by_id=_any_user_id(), category="other", severity=ConcernSeverity.LOW,
                                     details=m))
    builds_of_school(ProviderEvidenceFile, url_args=("evidence_file_id",))(evidence_file)


_register_provider_builders()


# --- attendance and welfare checks (issue 6) --------------------------------------------------------------------


def _new_attendance_session(marker: str) -> AttendanceSession:
    from datetime import datetime
    from datetime import time as clock_time

    from app.models import AttendanceSession, SessionOfDay

    placement = _new_placement(f"attending-{marker}")
    return AttendanceSession(placement=placement, pupil=placement.pupil, provider=placement.provider,
                             day=date(2090, 1, 8), session=SessionOfDay.AM, starts_at=clock_time(9, 0),
                             ends_at=clock_time(12, 0), cutoff_at=datetime(2090, 1, 8, 9, 30, tzinfo=UTC),
                             note=marker)


def _register_attendance_builders() -> None:
    from app.models import AttendanceSession, ProviderAttendanceLink, WelfareCheck

    builds(AttendanceSession, url_args=("attendance_session_id",))(_new_attendance_session)
    def provider_link(marker: str) -> ProviderAttendanceLink:
        # The provider's page takes the raw token in its URL where the sweeps put a record's id: so the id is
        # chosen here and the token is that id as text (its hash stored), and the page opens for the sweeps.
        import hashlib

        link_id = 1_000_000_000 + next(_markers)
        return ProviderAttendanceLink(id=link_id, provider=_new_placement(f"linked-{marker}").provider, label=marker,
                                      token_hash=hashlib.sha256(str(link_id).encode()).hexdigest(),
                                      created_by_id=_any_user_id(), expires_at=now() + timedelta(days=7))

    builds(ProviderAttendanceLink, url_args=("link_id", ("provider_attendance.page", "token")))(provider_link)

    def welfare_check(marker: str) -> WelfareCheck:
        session = _new_attendance_session(f"checked-{marker}")
        return WelfareCheck(pupil=session.pupil, attendance_session=session, raised_at=now(), notes=marker)

    builds(WelfareCheck, url_args=("welfare_check_id",))(welfare_check)


_register_attendance_builders()


def _register_attendance_roll_up_builder() -> None:
    # Derived counts (app.services.attendance_day_counts): no page names one, and none carries text to show.
    from app.models import AttendanceDayCount

    builds(AttendanceDayCount)(
        lambda m: AttendanceDayCount(day=date(2090, 1, 8), kind="provision", register_code="B", arranged_by="school",
                                     sessions=1))


_register_attendance_roll_up_builder()


# --- reviews, QA activities, follow-up actions, progress (issue 7) -------------------------------------------


def _register_monitoring_builders() -> None:
    from app.models import FollowUpAction, PlacementReview, ProgressKind, PupilProgressEntry, QAActivity

    def review(marker: str) -> PlacementReview:
        placement = _new_placement(f"reviewed-{marker}")
        return PlacementReview(placement=placement, pupil=placement.pupil, held_on=date(2090, 2, 1),
                               progress_against_aims=marker, pupil_views="-", parents_views="-",
                               recorded_by_id=_any_user_id())

    def qa_activity(marker: str) -> QAActivity:
        placement = _new_placement(f"visited-{marker}")
        return QAActivity(provider=placement.provider, placement=placement, held_on=date(2090, 2, 1),
                          findings=marker, recorded_by_id=_any_user_id())

    builds(PlacementReview, url_args=("review_id",))(review)
    builds(QAActivity, url_args=("qa_activity_id",))(qa_activity)
    builds(FollowUpAction, url_args=("follow_up_id",))(
        lambda m: FollowUpAction(qa_activity=qa_activity(f"followed-{m}"), description=m,
                                 owner_id=_any_user_id(), due_on=date(2090, 2, 8)))
    builds(PupilProgressEntry, url_args=("progress_entry_id",))(
        lambda m: _with_pupil(PupilProgressEntry(kind=ProgressKind.ACHIEVEMENT, recorded_on=date(2090, 2, 1),
                                                 text=m, recorded_by_id=_any_user_id()), m))


_register_monitoring_builders()


def _register_background_job_builder() -> None:
    from app.models import BackgroundJob, JobState

    builds(BackgroundJob, url_args=("job_id",))(
        lambda m: BackgroundJob(kind="pupil_import", state=JobState.DONE, total=1, done=1, input_ref=m,
                                summary={"added": 1}, errors=[{"row": 2, "column": "UPN", "message": m}],
                                started_by_id=_any_user_id()))


_register_background_job_builder()


def _register_calendar_feed_builder() -> None:
    # The feed URL takes the raw token where the sweeps put a record's id: the token is the id as text (its hash
    # stored), so the public feed opens for the permission matrix.
    import hashlib

    from app.models import CalendarFeed

    def calendar_feed(marker: str) -> CalendarFeed:
        feed_id = 1_000_000_000 + next(_markers)
        return CalendarFeed(id=feed_id, user_id=_any_user_id(), token_hash=hashlib.sha256(str(feed_id).encode()).hexdigest())

    builds(CalendarFeed, url_args=(("calendar_feed_public.feed", "token"),))(calendar_feed)


_register_calendar_feed_builder()


# --- oversight: headteacher's reports, governors' notes, complaints, policy monitoring (issue 16) --------------


def _register_oversight_builders() -> None:
    from app.models import Complaint, ComplaintStep, GovernorsNote, HeadteacherReport, PolicyMonitoring

    def report(marker: str) -> HeadteacherReport:
        n = next(_markers)
        first = date(2090, 1, 1) + timedelta(days=n)
        # Presented and sent, so the governors' and the trust's pages open it too.
        return HeadteacherReport(label=marker, first_day=first, last_day=first + timedelta(days=30),
                                 created_by_id=_any_user_id(), presented_on=first + timedelta(days=40),
                                 presented_meeting="Full governing body", sent_to_trust_at=now())

    def complaint(marker: str) -> Complaint:
        return Complaint(raised_by="A Parent", about=marker, received_on=date(2090, 1, 2), stage="received",
                         stage_started_on=date(2090, 1, 2), recorded_by_id=_any_user_id())

    builds(HeadteacherReport, url_args=("report_id",))(report)
    builds(GovernorsNote, url_args=("note_id",))(
        lambda m: GovernorsNote(report=report(f"noted-{m}"), questions=m, recorded_by_id=_any_user_id()))
    builds(Complaint, url_args=("complaint_id",))(complaint)
    builds(ComplaintStep)(lambda m: ComplaintStep(complaint=complaint(f"step-of-{m}"), stage="received",
                                                  started_on=date(2090, 1, 2), note=m,
                                                  recorded_by_id=_any_user_id()))
    builds(PolicyMonitoring)(lambda m: PolicyMonitoring(monitored_on=date(2090, 1, 3), findings=m,
                                                        recorded_by_id=_any_user_id()))


_register_oversight_builders()


# --- part-time timetables (issue 15; section 9) ---------------------------------------------------------------


def _register_part_time_builders() -> None:
    from datetime import time as clock_time

    from app.models import SessionOfDay
    from app.models.part_time import PartTimeTimetable, PartTimeTimetableReview, PartTimeTimetableSession
    from app.policy.part_time_timetables import Arrangement, ReviewDecision

    def timetable(marker: str) -> PartTimeTimetable:
        return _with_pupil(PartTimeTimetable(
            reason_category="medical_needs", reason_details=marker, support_plan="-", start_date=date(2090, 1, 7),
            end_date=date(2090, 2, 7), original_end_date=date(2090, 2, 7), review_dates=[],
            proposed_by_id=_any_user_id(), proposed_at=now()), marker)

    builds(PartTimeTimetable, url_args=("timetable_id",))(timetable)
    builds(PartTimeTimetableSession)(
        lambda m: PartTimeTimetableSession(timetable=timetable(f"of-{m}"), weekday=0, session=SessionOfDay.PM,
                                           arrangement=Arrangement.NOT_IN_EDUCATION, starts_at=clock_time(13, 0),
                                           ends_at=clock_time(15, 0)))
    builds(PartTimeTimetableReview)(
        lambda m: PartTimeTimetableReview(timetable=timetable(f"reviewed-{m}"), held_on=date(2090, 1, 21),
                                          pupil_views=m, parent_views="-", decision=ReviewDecision.EXTEND,
                                          recorded_by_id=_any_user_id()))

    from app.models import LocalAuthority
    from app.models.part_time import LAReportingProcedure

    builds(LAReportingProcedure)(  # trust data: the admin pages open one
        lambda m: LAReportingProcedure(local_authority=LocalAuthority(name=f"LA {m}"), notify_on=["start"],
                                       notes=m))


_register_part_time_builders()
# --- data protection (issue 19) ----------------------------------------------------------------------------


def _register_data_protection_builders() -> None:
    from app.models import SubjectAccessRequest

    builds(SubjectAccessRequest, url_args=("request_id",))(
        lambda m: _with_pupil(SubjectAccessRequest(requester=m, received_on=date(2090, 1, 2),
                                                   due_on=date(2090, 2, 2), requested_by_id=_any_user_id()), m))


_register_data_protection_builders()
# --- flexi-schooling (issue 15, section 10) ---------------------------------------------------------------------


def _register_flexi_builders() -> None:
    from app.models import FlexiAgreement, FlexiRequest, FlexiRequestStatus, FlexiReview, FlexiReviewOutcome

    def flexi_request(marker: str) -> FlexiRequest:
        from app.services.evidence import check_upload
        from app.services.flexi_documents import store_document

        request = _with_pupil(FlexiRequest(academic_year=2089, received_on=date(2090, 1, 2), requested_by="A parent",
                                        request_summary=marker, proposed_home_sessions=["fri_pm"],
                                        status=FlexiRequestStatus.APPROVED, decided_on=date(2090, 1, 9),
                                        decision_reasons="-", recorded_by_id=_any_user_id()), marker)
        store_document(request, check_upload(f"{marker}.pdf", b"%PDF-1.4 a parent's letter"))
        return request

    def flexi_agreement(marker: str) -> FlexiAgreement:
        request = flexi_request(f"agreed-{marker}")
        db.session.add(request)
        db.session.flush()
        return FlexiAgreement(request_id=request.id, pupil_id=request.pupil_id, pupil_needs=marker, rationale="-",
                              start_date=date(2090, 1, 13), home_sessions=["fri_pm"], home_education_provision="-",
                              section_7_how_met="-", welfare_responsible_at_home="A parent", school_curriculum="-",
                              school_assessments="-", agreed_on=date(2090, 1, 10), agreed_by_id=_any_user_id())

    def flexi_review(marker: str) -> FlexiReview:
        agreement = flexi_agreement(f"reviewed-{marker}")
        db.session.add(agreement)
        db.session.flush()
        return FlexiReview(agreement_id=agreement.id, pupil_id=agreement.pupil_id, term_key="2089-90:spring",
                           held_on=date(2090, 3, 1), progress=marker, outcome=FlexiReviewOutcome.CONTINUE,
                           recorded_by_id=_any_user_id())

    builds(FlexiRequest, url_args=("flexi_request_id",))(flexi_request)
    builds(FlexiAgreement, url_args=("flexi_agreement_id",))(flexi_agreement)
    builds(FlexiReview)(flexi_review)


_register_flexi_builders()
def _register_account_token_builders() -> None:
    # Invitation and reset links take the raw token where the sweeps put a record's id: the token is the id as
    # text (its hash stored), unused and unexpired, so the public pages open for the permission matrix.
    import hashlib
    from datetime import timedelta

    from app.clock import now
    from app.models import AccountToken, AccountTokenPurpose

    def account_token(marker: str) -> AccountToken:
        token_id = 1_000_000_000 + next(_markers)
        return AccountToken(id=token_id, user_id=_any_user_id(), purpose=AccountTokenPurpose.INVITATION,
                            token_hash=hashlib.sha256(str(token_id).encode()).hexdigest(),
                            expires_at=now() + timedelta(days=365 * 100))

    builds(AccountToken, url_args=(("accounts.accept_invitation", "token"),))(account_token)

    def reset_token(marker: str) -> AccountToken:
        token = account_token(marker)
        token.purpose = AccountTokenPurpose.PASSWORD_RESET
        return token

    # A second model key is not needed: the URL argument names the purpose's builder.
    from tests.tenants import record_builders as _self

    _self._BY_URL_ARG[("accounts.reset_password", "token")] = _ResetToken
    _self._BY_MODEL[_ResetToken] = reset_token


class _ResetToken:
    """Stands for AccountToken with the reset purpose in the builders' table (one builder per key)."""


_register_account_token_builders()


def _register_staff_member_builder() -> None:
    # The headteacher's leaver route takes a person's id: a person with a role at that school.
    from app.models import SchoolRole, User
    from app.roles import SchoolRoleName

    def staff_member(marker: str, school_id: int) -> User:
        user = User(email=f"{marker.lower()}@test.example.org", full_name=marker)
        user.school_roles = [SchoolRole(school_id=school_id, role=SchoolRoleName.STAFF)]
        return user

    builds_of_school(User, url_args=(("staff.remove", "user_id"),))(staff_member)


_register_staff_member_builder()


def _register_webhook_builders() -> None:
    # Webhooks (issue 17 item 5): an event is a school's row (row-level security); a subscription and its
    # deliveries are the trust's, read by the designated trustee through the admin and the API.
    from app.models import WebhookDelivery, WebhookEvent, WebhookEventType, WebhookSubscription

    def subscription(marker: str) -> WebhookSubscription:
        return WebhookSubscription(name=marker, url="https://receiver.example.org/aphub", secret="whsec_test",
                                   event_types=[WebhookEventType.PLACEMENT_STARTED.value])

    def event(marker: str) -> WebhookEvent:
        return WebhookEvent(event_id=f"evt_{uuid.uuid4().hex}", event_type=WebhookEventType.PLACEMENT_STARTED,
                            dedupe_key=marker, occurred_at=now(), payload={"marker": marker})

    def delivery(marker: str) -> WebhookDelivery:
        return WebhookDelivery(subscription=subscription(marker), event=event(marker), attempts=0,
                               last_error=marker)

    builds(WebhookSubscription, url_args=("subscription_id",))(subscription)
    builds(WebhookEvent)(event)
    builds(WebhookDelivery, url_args=("delivery_id",))(delivery)


_register_webhook_builders()

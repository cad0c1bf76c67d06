"""Who may do what, declared once. Routes say which permission they need; nothing else checks roles.

School permissions come from a user's roles in the school the URL names; trust permissions from their trust
roles. Every view function carries an `access` declaration (a test walks the URL map to prove it).
"""
from __future__ import annotations

import enum
from functools import wraps

from flask import abort, g
from flask_login import current_user

from app.extensions import login_manager
from app.roles import SchoolRoleName as R
from app.roles import TrustRoleName as T


class Permission(enum.StrEnum):
    # school
    SCHOOL_VIEW = "school.view"
    KEY_CONTACTS_VIEW = "school.key_contacts.view"
    CALENDAR_VIEW = "school.calendar.view"
    CALENDAR_EDIT = "school.calendar.edit"
    TASKS_VIEW = "school.tasks.view"
    EXTERNAL_NOTICES_VIEW = "school.external_notices.view"  # what was sent to the LA, VSH, social workers
    PROVIDERS_VIEW = "school.providers.view"  # the shared register (7.1)
    PROVIDERS_EDIT = "school.providers.edit"  # details, sites, contacts, material changes (7.9)
    PROVIDER_CHECKS_RECORD = "school.providers.checks.record"  # pre-placement checks (7.8)
    PROVIDER_RISK_APPROVE = "school.providers.risk.approve"  # the provider risk assessment (7.8)
    PROVIDER_CONCERN_RAISE = "school.providers.concern.raise"
    PROVIDER_SUSPEND = "school.providers.suspend"  # and lift a suspension
    PROVIDER_CONCERN_RESOLVE = "school.providers.concern.resolve"  # a concern the school raised
    PUPILS_VIEW = "school.pupils.view"  # pupil records: named pupils, so not governors or all staff
    PUPILS_EDIT = "school.pupils.edit"
    PUPILS_IMPORT = "school.pupils.import"  # CSV from the MIS
    PRE_PLACEMENT_RECORD = "school.pupils.pre_placement.record"  # referral, risk, consultation, involvement (4.3)
    PLACEMENTS_VIEW = "school.placements.view"  # placements, readiness, the pupil's week (7.3-7.12)
    PLACEMENTS_COMMISSION = "school.placements.commission"  # commission, start, end (4.3, 7.11, 8.7)
    DIRECTION_APPROVE = "school.placements.direction.approve"  # governing body approval recorded (6.4)
    ATTENDANCE_VIEW = "school.attendance.view"  # expected sessions, marks, the attendance picture (4.5)
    ATTENDANCE_RECORD = "school.attendance.record"  # confirm sessions (4.5, 7.8)
    ATTENDANCE_EXPORT = "school.attendance.export"  # the daily register-code CSV for the MIS
    PROVIDER_LINKS_MANAGE = "school.attendance.provider_links"  # issue, list and revoke providers' links
    WELFARE_CHECKS_VIEW = "school.welfare_checks.view"  # KCSIE: children missing education
    WELFARE_CHECKS_RECORD = "school.welfare_checks.record"
    REVIEWS_VIEW = "school.reviews.view"  # half-termly reviews (8.2, 8.3)
    REVIEWS_RECORD = "school.reviews.record"
    QA_VIEW = "school.qa.view"  # QA visits and activities, follow-up actions (8.1, 8.4-8.6)
    QA_RECORD = "school.qa.record"
    PROGRESS_RECORD = "school.pupils.progress.record"  # progress, achievements, the pupil's voice (8.7)
    REPORTS_VIEW = "school.reports.view"  # the headteacher's reports on the use of AP (4.2); aggregates only
    REPORTS_DRAFTS_VIEW = "school.reports.drafts.view"  # reports not yet presented to governors
    REPORTS_PRODUCE = "school.reports.produce"  # produce, mark presented to governors and sent to the trust
    CENSUS_VIEW = "school.census.view"  # the school census's AP placements rows and their CSV (named pupils)
    GOVERNORS_VIEW = "school.governors.view"  # presented reports and live aggregate figures (4.1)
    GOVERNORS_NOTES_RECORD = "school.governors.notes.record"  # questions asked and actions agreed (4.1)
    COMPLAINTS_RECORD = "school.complaints.record"  # any staff member takes a concern or complaint (11.1)
    COMPLAINTS_VIEW = "school.complaints.view"
    COMPLAINTS_MANAGE = "school.complaints.manage"  # the headteacher: stages and outcome (11.1)
    POLICY_MONITORING_RECORD = "school.policy_monitoring.record"  # the headteacher's monitoring (12.1)
    PART_TIME_VIEW = "school.part_time.view"  # part-time timetables (section 9)
    PART_TIME_PROPOSE = "school.part_time.propose"  # any member of staff may propose one (9.5)
    PART_TIME_RECORD = "school.part_time.record"  # agreement, involvement, reviews, the return to full time (9.6)
    PART_TIME_APPROVE = "school.part_time.approve"  # the headteacher only (9.5)
    PUPIL_READS_VIEW = "school.pupils.reads.view"  # who has opened a pupil's record (issue 19)
    SUBJECT_ACCESS = "school.pupils.subject_access"  # request and release a pupil's whole record (UK GDPR art. 15)
    FLEXI_VIEW = "school.flexi_schooling.view"  # requests, agreements, reviews (section 10)
    FLEXI_RECORD = "school.flexi_schooling.record"  # requests, meetings, agreements, reviews, withdrawals
    FLEXI_DECIDE = "school.flexi_schooling.decide"  # the headteacher only (10.4)
    STAFF_MANAGE = "school.staff.manage"  # who has access to the school; removing leavers (issue 13 item 7)
    # Least privilege per field (issue 13 item 3): a welfare check's notes and the parents' contacts, beyond its
    # status; and what an external notice said (names, UPNs, birth dates), beyond its date and recipient.
    WELFARE_CHECK_DETAILS_VIEW = "school.welfare_checks.details"
    EXTERNAL_NOTICE_BODIES_VIEW = "school.external_notices.bodies"
    # trust
    TRUST_VIEW = "trust.view"
    TRUST_ADMIN = "trust.admin"
    TRUST_PLACEMENTS_VIEW = "trust.placements.view"  # every school's planned and active placements
    TRUST_PROVIDER_SUSPEND = "trust.providers.suspend"  # and lift a suspension
    TRUST_PROVIDER_CONCERN_RESOLVE = "trust.providers.concern.resolve"  # any school's concern
    TRUST_ATTENDANCE_VIEW = "trust.attendance.view"  # every school's unconfirmed sessions, low attendance
    TRUST_MONITORING_VIEW = "trust.monitoring.view"  # every school's overdue reviews and QA visits
    TRUST_SAFEGUARDING_VIEW = "trust.safeguarding.view"  # every school's welfare checks, not-located cases (KCSIE)
    TRUST_REPORTS_VIEW = "trust.reports.view"  # the dashboard's figures and the trust report (4.2), aggregates
    TRUST_POLICY_REVIEW = "trust.policy_review.record"  # the policy's adoption and next review (12.2)

    @property
    def is_trust(self) -> bool:
        """Trust permissions come from trust roles; the others from roles in the school the URL names."""
        return self.value.startswith("trust.")


_EVERY_SCHOOL_ROLE = {
    Permission.SCHOOL_VIEW,
    Permission.KEY_CONTACTS_VIEW,
    Permission.CALENDAR_VIEW,
    Permission.TASKS_VIEW,
    Permission.PROVIDERS_VIEW,
}

# The AP leader vets providers (4.3, 7.8); any school leader with a safeguarding role may raise a concern.
_AP_LEADER_PROVIDERS = {
    Permission.PROVIDERS_EDIT, Permission.PROVIDER_CHECKS_RECORD, Permission.PROVIDER_RISK_APPROVE,
    Permission.PROVIDER_CONCERN_RAISE, Permission.PROVIDER_SUSPEND, Permission.PROVIDER_CONCERN_RESOLVE,
}

SCHOOL_ROLE_PERMISSIONS: dict[R, frozenset[Permission]] = {
    R.AP_LEADER: frozenset(_EVERY_SCHOOL_ROLE | {Permission.CALENDAR_EDIT, Permission.EXTERNAL_NOTICES_VIEW}
                           | _AP_LEADER_PROVIDERS),
    R.HEADTEACHER: frozenset(_EVERY_SCHOOL_ROLE | {Permission.EXTERNAL_NOTICES_VIEW, Permission.PROVIDER_CONCERN_RAISE}),
    R.DSL: frozenset(_EVERY_SCHOOL_ROLE | {Permission.EXTERNAL_NOTICES_VIEW, Permission.PROVIDER_CONCERN_RAISE,
                                           Permission.PROVIDER_CONCERN_RESOLVE}),
    R.ATTENDANCE_OFFICER: frozenset(_EVERY_SCHOOL_ROLE),
    R.DESIGNATED_GOVERNOR: frozenset(_EVERY_SCHOOL_ROLE | {Permission.EXTERNAL_NOTICES_VIEW}),
    R.STAFF: frozenset(_EVERY_SCHOOL_ROLE),
}

# Pupil records (issue 5). Governors monitor AP through aggregate reports (4.1), not named pupils' records; other
# staff see only what a task shows them. The AP leader and DSL record what precedes a placement (4.3, 4.4).
_PUPIL_PERMISSIONS = {
    R.AP_LEADER: {Permission.PUPILS_VIEW, Permission.PUPILS_EDIT, Permission.PUPILS_IMPORT,
                  Permission.PRE_PLACEMENT_RECORD},
    R.HEADTEACHER: {Permission.PUPILS_VIEW, Permission.PUPILS_EDIT},
    R.DSL: {Permission.PUPILS_VIEW, Permission.PUPILS_EDIT, Permission.PRE_PLACEMENT_RECORD},
    R.ATTENDANCE_OFFICER: {Permission.PUPILS_VIEW},
}
for _role, _granted in _PUPIL_PERMISSIONS.items():
    SCHOOL_ROLE_PERMISSIONS[_role] = SCHOOL_ROLE_PERMISSIONS[_role] | frozenset(_granted)

TRUST_ROLE_PERMISSIONS: dict[T, frozenset[Permission]] = {
    T.TRUST_SAFEGUARDING_LEAD: frozenset({Permission.TRUST_VIEW, Permission.TRUST_PROVIDER_SUSPEND,
                                          Permission.TRUST_PROVIDER_CONCERN_RESOLVE}),
    T.TRUST_SEND_LEAD: frozenset({Permission.TRUST_VIEW}),
    T.DESIGNATED_TRUSTEE: frozenset({Permission.TRUST_VIEW, Permission.TRUST_ADMIN, Permission.TRUST_PROVIDER_SUSPEND}),
}


# Placements (7.3-7.12, section 6). The AP leader commissions (4.3); the school's leaders and attendance
# officer see them. Off-site direction approval is the governing body's (6.4): the designated governor records
# it, or the headteacher on the governing body's behalf (both see the direction on the approval page only).
_PLACEMENT_PERMISSIONS = {
    R.AP_LEADER: {Permission.PLACEMENTS_VIEW, Permission.PLACEMENTS_COMMISSION},
    R.HEADTEACHER: {Permission.PLACEMENTS_VIEW, Permission.DIRECTION_APPROVE},
    R.DSL: {Permission.PLACEMENTS_VIEW},
    R.ATTENDANCE_OFFICER: {Permission.PLACEMENTS_VIEW},
    R.DESIGNATED_GOVERNOR: {Permission.DIRECTION_APPROVE},
}
for _role, _granted in _PLACEMENT_PERMISSIONS.items():
    SCHOOL_ROLE_PERMISSIONS[_role] = SCHOOL_ROLE_PERMISSIONS[_role] | _granted
for _trust_role in TRUST_ROLE_PERMISSIONS:
    TRUST_ROLE_PERMISSIONS[_trust_role] = TRUST_ROLE_PERMISSIONS[_trust_role] | {Permission.TRUST_PLACEMENTS_VIEW}


# Attendance and welfare (issue 6; 4.5, KCSIE). The attendance officer confirms sessions; the AP leader and DSL
# may too. Welfare checks are the DSL's (the headteacher deputises); the attendance officer and AP leader see
# that one is open, so nobody chases a pupil the DSL is already checking on.
# Monitoring (issue 7; section 8): the AP leader holds reviews and QA visits; the headteacher and DSL see them.
_ATTENDANCE_AND_MONITORING_PERMISSIONS = {
    R.AP_LEADER: {Permission.ATTENDANCE_VIEW, Permission.ATTENDANCE_RECORD, Permission.ATTENDANCE_EXPORT,
                  Permission.PROVIDER_LINKS_MANAGE, Permission.WELFARE_CHECKS_VIEW, Permission.REVIEWS_VIEW,
                  Permission.REVIEWS_RECORD, Permission.QA_VIEW, Permission.QA_RECORD, Permission.PROGRESS_RECORD},
    R.ATTENDANCE_OFFICER: {Permission.ATTENDANCE_VIEW, Permission.ATTENDANCE_RECORD, Permission.ATTENDANCE_EXPORT,
                           Permission.PROVIDER_LINKS_MANAGE, Permission.WELFARE_CHECKS_VIEW},
    R.DSL: {Permission.ATTENDANCE_VIEW, Permission.ATTENDANCE_RECORD, Permission.WELFARE_CHECKS_VIEW,
            Permission.WELFARE_CHECKS_RECORD, Permission.REVIEWS_VIEW, Permission.QA_VIEW, Permission.PROGRESS_RECORD},
    R.HEADTEACHER: {Permission.ATTENDANCE_VIEW, Permission.WELFARE_CHECKS_VIEW, Permission.WELFARE_CHECKS_RECORD,
                    Permission.REVIEWS_VIEW, Permission.REVIEWS_RECORD, Permission.QA_VIEW, Permission.QA_RECORD,
                    Permission.PROGRESS_RECORD},
}
for _role, _granted in _ATTENDANCE_AND_MONITORING_PERMISSIONS.items():
    SCHOOL_ROLE_PERMISSIONS[_role] = SCHOOL_ROLE_PERMISSIONS[_role] | _granted
for _trust_role in (T.TRUST_SAFEGUARDING_LEAD, T.DESIGNATED_TRUSTEE, T.TRUST_SEND_LEAD):
    TRUST_ROLE_PERMISSIONS[_trust_role] = TRUST_ROLE_PERMISSIONS[_trust_role] | {
        Permission.TRUST_ATTENDANCE_VIEW, Permission.TRUST_MONITORING_VIEW}

# Part-time timetables (issue 15; section 9). Any member of staff may propose one (9.5): they then see it as
# they see a task, through the timetable's page. Only the headteacher approves (9.5). The AP leader and DSL keep
# the records (agreement, involvement, reviews, 9.7); governors see none (aggregates only, 4.1).
_PART_TIME_PERMISSIONS = {
    R.AP_LEADER: {Permission.PART_TIME_VIEW, Permission.PART_TIME_PROPOSE, Permission.PART_TIME_RECORD},
    R.DSL: {Permission.PART_TIME_VIEW, Permission.PART_TIME_PROPOSE, Permission.PART_TIME_RECORD},
    R.HEADTEACHER: {Permission.PART_TIME_VIEW, Permission.PART_TIME_PROPOSE, Permission.PART_TIME_RECORD,
                    Permission.PART_TIME_APPROVE},
    R.ATTENDANCE_OFFICER: {Permission.PART_TIME_VIEW, Permission.PART_TIME_PROPOSE},
    R.STAFF: {Permission.PART_TIME_PROPOSE},
}
for _role, _granted in _PART_TIME_PERMISSIONS.items():
    SCHOOL_ROLE_PERMISSIONS[_role] = SCHOOL_ROLE_PERMISSIONS[_role] | _granted


# Reports (issue 16; 4.1, 4.2). The headteacher reports; the AP leader sees them; governors see the presented
# ones and aggregate figures (never a named pupil) and record their questions and actions.
_REPORT_PERMISSIONS = {
    R.HEADTEACHER: {Permission.REPORTS_VIEW, Permission.REPORTS_DRAFTS_VIEW, Permission.REPORTS_PRODUCE,
                    Permission.CENSUS_VIEW, Permission.GOVERNORS_VIEW, Permission.GOVERNORS_NOTES_RECORD},
    R.AP_LEADER: {Permission.REPORTS_VIEW, Permission.REPORTS_DRAFTS_VIEW, Permission.CENSUS_VIEW},
    R.DESIGNATED_GOVERNOR: {Permission.REPORTS_VIEW, Permission.GOVERNORS_VIEW, Permission.GOVERNORS_NOTES_RECORD},
}
# Complaints (11.1): any member of staff takes one; the headteacher runs the procedure; leaders see them.
for _role in (R.AP_LEADER, R.HEADTEACHER, R.DSL, R.ATTENDANCE_OFFICER, R.STAFF):
    _REPORT_PERMISSIONS.setdefault(_role, set()).add(Permission.COMPLAINTS_RECORD)
for _role in (R.AP_LEADER, R.HEADTEACHER, R.DSL):
    _REPORT_PERMISSIONS[_role] |= {Permission.COMPLAINTS_VIEW}
_REPORT_PERMISSIONS[R.HEADTEACHER] |= {Permission.COMPLAINTS_MANAGE, Permission.POLICY_MONITORING_RECORD}
for _role, _granted in _REPORT_PERMISSIONS.items():
    SCHOOL_ROLE_PERMISSIONS[_role] = SCHOOL_ROLE_PERMISSIONS[_role] | _granted

# Oversight (issue 16; 4.1, 4.2, KCSIE). Welfare-check detail across schools is the trust safeguarding lead's
# (least privilege: the other trust roles see the aggregate figures only).
TRUST_ROLE_PERMISSIONS[T.TRUST_SAFEGUARDING_LEAD] |= {Permission.TRUST_SAFEGUARDING_VIEW}
for _trust_role in TRUST_ROLE_PERMISSIONS:
    TRUST_ROLE_PERMISSIONS[_trust_role] |= {Permission.TRUST_REPORTS_VIEW}
TRUST_ROLE_PERMISSIONS[T.DESIGNATED_TRUSTEE] |= {Permission.TRUST_POLICY_REVIEW}

# Data protection (issue 19): the DSL sees who has looked at a pupil's record; subject access requests are
# recorded and released by the DSL or the headteacher.
SCHOOL_ROLE_PERMISSIONS[R.DSL] = SCHOOL_ROLE_PERMISSIONS[R.DSL] | {Permission.PUPIL_READS_VIEW,
                                                                     Permission.SUBJECT_ACCESS}
SCHOOL_ROLE_PERMISSIONS[R.HEADTEACHER] = SCHOOL_ROLE_PERMISSIONS[R.HEADTEACHER] | {Permission.SUBJECT_ACCESS}
# Flexi-schooling (section 10): the headteacher decides (10.4) and, with the AP leader, keeps the records; the
# DSL sees them (who is responsible for the pupil's welfare at home).
_FLEXI_PERMISSIONS = {
    R.HEADTEACHER: {Permission.FLEXI_VIEW, Permission.FLEXI_RECORD, Permission.FLEXI_DECIDE},
    R.AP_LEADER: {Permission.FLEXI_VIEW, Permission.FLEXI_RECORD},
    R.DSL: {Permission.FLEXI_VIEW},
}
for _role, _granted in _FLEXI_PERMISSIONS.items():
    SCHOOL_ROLE_PERMISSIONS[_role] = SCHOOL_ROLE_PERMISSIONS[_role] | _granted
# Leavers (issue 13 item 7): the headteacher removes a person's access to the school.
SCHOOL_ROLE_PERMISSIONS[R.HEADTEACHER] = SCHOOL_ROLE_PERMISSIONS[R.HEADTEACHER] | {Permission.STAFF_MANAGE}
# Welfare-check detail for the safeguarding roles only (KCSIE; the DSL, the headteacher as deputy): the
# attendance officer and AP leader see that a check is open and its status. The designated governor sees that
# notices went out, never what they said about a named pupil (4.1: governors get aggregates).
for _role in (R.DSL, R.HEADTEACHER):
    SCHOOL_ROLE_PERMISSIONS[_role] = SCHOOL_ROLE_PERMISSIONS[_role] | {Permission.WELFARE_CHECK_DETAILS_VIEW}
for _role in (R.AP_LEADER, R.HEADTEACHER, R.DSL):
    SCHOOL_ROLE_PERMISSIONS[_role] = SCHOOL_ROLE_PERMISSIONS[_role] | {Permission.EXTERNAL_NOTICE_BODIES_VIEW}


def permissions_for_school_roles(roles) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= SCHOOL_ROLE_PERMISSIONS[R(role)]
    return frozenset(granted)


def permissions_for_trust_roles(roles) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= TRUST_ROLE_PERMISSIONS[T(role)]
    return frozenset(granted)


def user_school_roles(user, school_id: int) -> list[R]:
    return [sr.role for sr in user.school_roles if sr.school_id == school_id]


def user_trust_permissions(user) -> frozenset[Permission]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return permissions_for_trust_roles(tr.role for tr in user.trust_roles)


def has_trust_permission(user, permission: Permission) -> bool:
    return permission in user_trust_permissions(user)


def may_read_across_schools(user) -> bool:
    """Who may enter the trust scope (design invariant 2): an active holder of a trust role that sees the trust."""
    return bool(getattr(user, "is_active", False)) and has_trust_permission(user, Permission.TRUST_VIEW)


# --- route declarations -------------------------------------------------------------------------------------


class Access(enum.StrEnum):
    PUBLIC = "public"  # sign-in page, health check
    SIGNED_IN = "signed_in"  # any signed-in user, about themselves
    SCHOOL = "school"  # a permission in the school the URL names
    TRUST = "trust"  # a trust permission
    TOKEN = "token"  # API: bearer token, then a school or trust permission checked in the resource
    OPS_TOKEN = "ops_token"  # a machine's bearer token from the settings (metrics), never a person's


def _declare(view, access: Access, permission: Permission | None):
    view.access = access
    view.permission = permission
    return view


def public(view):
    return _declare(view, Access.PUBLIC, None)


def signed_in(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return _declare(wrapped, Access.SIGNED_IN, None)


def school_permission(permission: Permission):
    """For routes under /<school>/. The resolver has already refused non-members with a 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if permission not in g.school_permissions:
                abort(403)
            return view(*args, **kwargs)

        return _declare(wrapped, Access.SCHOOL, permission)

    return decorator


def trust_permission(permission: Permission):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_trust_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return _declare(wrapped, Access.TRUST, permission)

    return decorator


def ops_token(view):
    """For monitoring endpoints: the view checks the operator's token from the settings itself."""
    return _declare(view, Access.OPS_TOKEN, None)


def token_route(view, permission: Permission | None = None):
    """API routes: a bearer token (app.api.auth.api_route declares this for them). `permission` is a school
    permission in the school the URL names, a trust permission, or None for any token holder."""
    return _declare(view, Access.TOKEN, permission)

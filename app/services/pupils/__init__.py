"""Pupils and everything that precedes a placement: the pupil record and carers, the referral and needs analysis
(4.3, 5.2), the individual risk assessment and its reviews (4.3), parents consulted (7.4), LA / VSH / social worker
involvement (7.5, 7.6, 8.8), continued belonging (5.4) and event risk (5.5).

Every function runs in a school scope (a request under /<school>/, or a job in `jobs.context.in_school`): the
scoping adds the school to each query, so another school's pupil is simply not found (404).

Writing: each `create_*` / `record_*` / `update_*` takes plain values (a dict; forms, the API and the CSV import
all build one), checks all of them first and returns a `Result`: the saved record, or the problems keyed by
field name — and then nothing was written. One commit per change.

Cut along those seams: `values` (UPN and small value checks), `record` (the pupil record, carers, reading a
pupil's records), `pre_placement` (referral, risk assessment, consultation, involvement, belonging, event risk), `corrections`
(putting those records right, issue 14 item 8).
The pupil's timeline is `app.services.timeline`. Callers keep `pupils.x`.
"""
from .corrections import (
    CORRECTABLE,
    access_record,
    archived_records,
    correct_carer,
    correct_consultation,
    correct_involvement,
    correct_referral,
    correct_risk_assessment,
)
from .pre_placement import (
    BELONGING_KINDS,
    CONSULTATION_METHODS,
    EVENT_DECISIONS,
    PARTY_LABELS,
    access_pupil_placement,
    access_risk_assessment,
    consultation_checked,
    involvement_checked,
    is_off_site_directed,
    record_belonging_action,
    record_consultation,
    record_event_risk_assessment,
    record_involvement,
    record_referral,
    record_risk_assessment,
    referral_checked,
    risk_assessment_checked,
)
from .record import (
    PAGE_SIZE,
    PUPIL_FIELDS,
    PUPIL_FLAGS,
    PUPIL_TEXT_FIELDS,
    YEAR_GROUPS,
    PupilPage,
    PupilRecords,
    SchoolAge,
    access_pupil,
    access_pupil_for_page,
    add_carer,
    archive_pupil,
    carer_checked,
    carers_of,
    clean_pupil_values,
    create_pupil,
    list_pupils,
    pre_placement_missing,
    pupil_problems,
    pupil_records,
    restore_pupil,
    school_age_of,
    school_pupils,
    search_pupils,
    update_pupil,
    year_group_label,
)
from .values import UPN_HINT, UPN_LETTERS, upn_check_letter, upn_problem

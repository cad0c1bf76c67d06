"""Commissioning placements (7.3-7.12), the readiness gate, starting (and telling the LA, 7.12), the pupil's
week, cost, off-site direction (section 6) and ending (8.7).

Everything runs in the current school's scope (a request under /<school>/ or a job in `in_school`). Each change
checks its input first and returns the problems by field; only a change with no problem is written, in one
commit (nothing half-saved). The rules themselves are in `app.policy.placement_readiness` and
`app.policy.off_site_direction`; this package gathers the facts they need and writes what they allow.

Cut along those seams: `records` (finding records), `commissioning` (create, agreement, weekly pattern, key
information), `readiness` (the facts for the gate), `lifecycle` (start, LA notices, end), `direction` (off-site
direction), `week` (the pupil's week, cost, the trust's view). Callers keep `placements.x`.
"""
from .base import NOON, OPEN_STATUSES, WEEKDAYS, Result
from .commissioning import (
    AGREEMENT_TEXT_FIELDS,
    PlacementInput,
    SessionInput,
    cancel_placement,
    create_placement,
    record_key_information,
    save_agreement,
    session_errors,
    set_weekly_pattern,
    update_placement,
    weekly_hours,
)
from .direction import (
    DirectionInput,
    direction_days,
    letter_due_by,
    record_direction_approval,
    record_letter_sent,
    save_direction,
    school_directions,
)
from .lifecycle import (
    EndInput,
    commissioned_dedupe_key,
    end_placement,
    la_recipients,
    needs_la_notice,
    notices_for,
    notify_la_of_placement,
    start_placement,
)
from .readiness import placement_facts, placement_readiness, registration_breach
from .records import (
    access_direction,
    access_placement,
    access_pupil,
    placements_of_pupil,
    placements_of_school,
    providers_offered,
    school_placements,
    school_pupils,
)
from .week import (
    CostSummary,
    PupilWeek,
    TrustPlacementLine,
    TrustPlacementsPage,
    WeekCell,
    placement_cost,
    pupil_week,
    trust_placements,
)

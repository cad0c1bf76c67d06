"""The trust's shared provider register and its due diligence (policy 7.1-7.9).

The register is trust-wide: every school sees every provider, its checks and risk assessments (due diligence done
once). Two exceptions, both about what belongs to one school: an on-site provider (a school's own inclusion
room) is seen only by the school that owns it; and a concern is seen by the school that raised it, by every school
using the provider (a planned or active placement there, or a check it made) and by the trust.

Services take the acting school and user explicitly and commit; views only parse and render. Rules come from
app.policy (provider_checks 7.8, provider_vetting 7.9, registration 7.2); nothing here re-implements them.

The package is cut along those seams: `register` (access, visibility, search, edit, sites, contacts), `status`
(status and badges), `vetting` (checks 7.8, risk assessment, material change), `suspension` (who uses a provider,
suspending and lifting), `concerns`. Callers keep `from app.services import providers` and `providers.x`.
"""
from .base import CONCERN_SUBJECT, SUBJECT, Result, reminder_window
from .concerns import (
    CONCERN_CATEGORIES,
    access_concern_for_trust,
    access_concern_raised_by,
    concerns_across_trust,
    concerns_visible_to,
    open_concerns_across_trust,
    raise_concern,
    resolve_concern,
    school_and_user_names,
    school_names,
    user_names,
)
from .register import (
    FirstContact,
    FirstSite,
    ProviderDetails,
    ProviderListing,
    StatusFilter,
    access_check,
    access_check_item,
    access_contact,
    access_evidence_file,
    access_provider,
    access_provider_for_trust,
    access_site,
    active_contacts,
    active_sites,
    add_contact,
    add_site,
    archive_record,
    create_provider,
    providers_seen,
    search_providers,
    update_provider,
    visible_to_school,
)
from .status import Badge, ProviderStatus, provider_status, statuses_for
from .suspension import (
    LIFT_REASON_MAX,
    SuspensionEvent,
    lift_suspension,
    school_uses_provider,
    suspend_provider,
    suspended_providers,
    suspension_history,
)
from .vetting import (
    CheckAnswer,
    ChecklistLine,
    approve_risk_assessment,
    checklist,
    checks_of,
    ensure_check_item,
    item_label,
    lapsed_task_key,
    missing_details,
    missing_items,
    record_check_answers,
    record_check_item,
    record_material_change,
    risk_assessments_of,
    start_check,
)

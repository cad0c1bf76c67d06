"""The trust's shared provider register and its due diligence (policy 7.1-7.9).

The register is trust-wide: every school sees every provider, its checks and risk assessments (due diligence done
once). Two exceptions, both about what belongs to one school: an on-site provider (a school's own inclusion
room) is seen only by the school that owns it; and a concern is seen by the school that raised it, by every school
using the provider (a planned or active placement there, or a check it made) and by the trust.

Services take the acting school and user explicitly and commit; views only parse and render. Rules come from
app.policy (provider_checks 7.8, provider_vetting 7.9, registration 7.2); nothing here re-implements them.
"""
from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import timedelta

from flask import abort, current_app
from sqlalchemy import exists, func, or_, select

from app import clock
from app.extensions import db
from app.input_edges import escape_like
from app.services import results
from app.models import (
    Audience,
    AuditEvent,
    Notification,
    CheckOutcome,
    CheckStatus,
    ConcernSeverity,
    ConcernStatus,
    Placement,
    PlacementStatus,
    Provider,
    ProviderCheck,
    ProviderCheckItem,
    ProviderConcern,
    ProviderContact,
    ProviderEvidenceFile,
    ProviderKind,
    ProviderRiskAssessment,
    ProviderSite,
    RegistrationStatus,
    RiskRating,
    School,
    Task,
    TaskStatus,
    User,
)
from app.audit import record_event
from app.policy.provider_checks import ITEMS_BY_CODE, CheckItem, item_problem, items_for, missing_check_items
from app.policy.provider_vetting import (
    DEFAULT_REMINDER_WINDOW,
    VettingStatus,
    vetted_until,
    vetting_status,
)
from app.policy.registration import RegistrationAssessment
from app.roles import SchoolRoleName, TrustRoleName
from app.services import evidence
from app.services import provider_governance
from app.services.notifications import queue_for_users
from app.services.registration import registration_assessments
from app.services.tasks import (
    END_OF_SCHOOL_DAY,
    TaskKind,
    complete_tasks_for,
    ensure_task,
    school_role_holders,
    trust_role_holders,
)
from tenants import require_school_id, school_scope, system_scope

SUBJECT = "provider"  # tasks about a provider name it so: ("provider", id)
CONCERN_SUBJECT = "provider_concern"  # tasks and emails about one concern: ("provider_concern", id)


@dataclass
class Result(results.Result):
    """What a change did: the record, or the problems by field (nothing is saved when there are any)."""

    missing: list[str] = field(default_factory=list)  # check items still stopping approval (7.8)
    schools_told: list[int] = field(default_factory=list)


def reminder_window() -> timedelta:
    """How long before vetting expires the reminders start (PROVIDER_VETTING_REMINDER_DAYS, default 30)."""
    days = current_app.config.get("PROVIDER_VETTING_REMINDER_DAYS")
    return timedelta(days=int(days)) if days else DEFAULT_REMINDER_WINDOW


# --- seeing providers ----------------------------------------------------------------------------------------


def visible_to_school(school_id: int):
    """The register is shared, except a school's own on-site provision, which only that school sees."""
    return or_(Provider.owning_school_id.is_(None), Provider.owning_school_id == school_id)


def access_provider(provider_id: int) -> Provider:
    """A provider the current school may see, or 404 (another school's own provision is not found)."""
    school_id = require_school_id()
    provider = db.session.get(Provider, provider_id)
    if provider is None or provider.is_archived or provider.owning_school_id not in (None, school_id):
        abort(404)
    return provider


def access_provider_for_trust(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None or provider.is_archived:
        abort(404)
    return provider


def _access_via_provider(model, record_id: int):
    record = db.session.get(model, record_id)
    if record is None or getattr(record, "archived_at", None) is not None:
        abort(404)
    access_provider(record.provider_id)
    return record


def access_check(check_id: int) -> ProviderCheck:
    return _access_via_provider(ProviderCheck, check_id)


def access_check_item(check_item_id: int) -> ProviderCheckItem:
    item = db.session.get(ProviderCheckItem, check_item_id)
    if item is None:
        abort(404)
    access_check(item.check_id)
    return item


def access_site(site_id: int) -> ProviderSite:
    return _access_via_provider(ProviderSite, site_id)


def access_contact(contact_id: int) -> ProviderContact:
    return _access_via_provider(ProviderContact, contact_id)


def access_evidence_file(evidence_file_id: int) -> ProviderEvidenceFile:
    return _access_via_provider(ProviderEvidenceFile, evidence_file_id)


# --- status and badges ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Badge:
    label: str
    tone: str  # good, warn, bad, neutral: the CSS class


@dataclass(frozen=True)
class ProviderStatus:
    vetting: VettingStatus
    approved_at: dt.datetime | None
    vetted_until: dt.date | None
    suspended: bool
    registration: RegistrationAssessment | None  # None: registered, the rule does not apply
    open_concerns: int

    @property
    def registration_risk(self) -> bool:
        return self.registration is not None and self.registration.at_or_near_threshold

    @property
    def must_be_reported(self) -> bool:
        return self.registration is not None and self.registration.must_report

    @property
    def allows_new_placements(self) -> bool:
        """7.2, 7.8, 7.9: vetted (or expiring), not suspended, not a provider that should be registered."""
        return self.vetting.allows_new_placements and not self.suspended and not self.must_be_reported

    @property
    def blocking_reasons(self) -> list[str]:
        """Why a new placement cannot be made here, in words for the placement page."""
        reasons = []
        if self.suspended:
            reasons.append("The provider is suspended.")
        elif not self.vetting.allows_new_placements:
            reasons.append({
                VettingStatus.NOT_VETTED: "The provider has no approved risk assessment (7.8).",
                VettingStatus.EXPIRED: "The provider's vetting has expired: renew the checks (7.9).",
                VettingStatus.LAPSED_MATERIAL_CHANGE: "A material change was recorded: a new risk assessment is "
                                                      "needed (7.9).",
            }.get(self.vetting, self.vetting.label))
        if self.must_be_reported:
            reasons.append("The provider should be registered as an independent school and is not (7.2).")
        return reasons

    @property
    def badges(self) -> list[Badge]:
        tone = {VettingStatus.VETTED: "good", VettingStatus.EXPIRING: "warn", VettingStatus.NOT_VETTED: "neutral"}
        badges = [Badge(self.vetting.label, tone.get(self.vetting, "bad"))]
        if self.must_be_reported:
            badges.append(Badge("Registration risk: to be reported", "bad"))
        elif self.registration_risk:
            badges.append(Badge("Registration risk: near the threshold", "warn"))
        if self.open_concerns:
            badges.append(Badge(f"{self.open_concerns} open concern{'s' if self.open_concerns != 1 else ''}", "warn"))
        return badges


def _latest_approvals(provider_ids: Sequence[int]) -> dict[int, dt.datetime]:
    if not provider_ids:
        return {}
    return dict(db.session.execute(
        select(ProviderRiskAssessment.provider_id, func.max(ProviderRiskAssessment.approved_at))
        .where(ProviderRiskAssessment.provider_id.in_(provider_ids), ProviderRiskAssessment.archived_at.is_(None),
               ProviderRiskAssessment.approved_at.is_not(None))
        .group_by(ProviderRiskAssessment.provider_id)).all())


def _open_concern_counts(provider_ids: Sequence[int]) -> dict[int, int]:
    if not provider_ids:
        return {}
    return dict(db.session.execute(
        select(ProviderConcern.provider_id, func.count(ProviderConcern.id))
        .where(ProviderConcern.provider_id.in_(provider_ids), ProviderConcern.status == ConcernStatus.OPEN,
               ProviderConcern.archived_at.is_(None))
        .group_by(ProviderConcern.provider_id)).all())


def _as_aware(instant: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back what was stored; the UTCDateTime type makes it aware, but a max() aggregate is raw.
    if instant is None or isinstance(instant, dt.datetime) and instant.tzinfo is not None:
        return instant
    if isinstance(instant, str):
        instant = dt.datetime.fromisoformat(instant)
    return instant.replace(tzinfo=dt.timezone.utc)


def _status(provider: Provider, approved_at, registration, open_concerns, today) -> ProviderStatus:
    approved_at = _as_aware(approved_at)
    return ProviderStatus(
        vetting=vetting_status(approved_at, provider.material_change_at, provider.suspended_at, today,
                               reminder_window()),
        approved_at=approved_at, vetted_until=vetted_until(approved_at) if approved_at else None,
        suspended=provider.is_suspended, registration=registration, open_concerns=open_concerns)


def provider_status(provider: Provider, today: dt.date | None = None) -> ProviderStatus:
    """Where the provider stands today: vetting (7.8, 7.9), suspension, the registration verdict across the trust
    (7.2; counts only, never other schools' pupils) and open concerns. The placement readiness gate asks
    `.allows_new_placements` and shows `.blocking_reasons`."""
    today = today or clock.today()
    return statuses_for([provider], today)[provider.id]


def statuses_for(providers: Sequence[Provider], today: dt.date | None = None) -> dict[int, ProviderStatus]:
    """provider_status for many providers in a handful of queries (the register's list)."""
    today = today or clock.today()
    ids = [p.id for p in providers]
    approvals = _latest_approvals(ids)
    concerns = _open_concern_counts(ids)
    registration = registration_assessments(
        [p.id for p in providers if p.registration_status == RegistrationStatus.UNREGISTERED], today)
    return {p.id: _status(p, approvals.get(p.id), registration.get(p.id), concerns.get(p.id, 0), today)
            for p in providers}


# --- the register: search, create, edit ----------------------------------------------------------------------


class StatusFilter(enum.StrEnum):
    VETTED = "vetted"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    NOT_VETTED = "not_vetted"
    LAPSED = "lapsed_material_change"
    SUSPENDED = "suspended"
    REGISTRATION_RISK = "registration_risk"

    @property
    def label(self) -> str:
        if self is StatusFilter.REGISTRATION_RISK:
            return "Registration risk"
        return VettingStatus(self.value).label


@dataclass(frozen=True)
class ProviderListing:
    provider: Provider
    status: ProviderStatus


def _matches(status: ProviderStatus, wanted: StatusFilter) -> bool:
    if wanted is StatusFilter.REGISTRATION_RISK:
        return status.registration_risk
    return status.vetting.value == wanted.value


def search_providers(school_id: int, text: str = "", status: StatusFilter | None = None,
                     kind: ProviderKind | None = None, registration: RegistrationStatus | None = None,
                     today: dt.date | None = None) -> list[ProviderListing]:
    """The register as one school sees it, by name, site address or postcode, with its badges."""
    query = select(Provider).where(visible_to_school(school_id), Provider.archived_at.is_(None))
    text = (text or "").strip()
    if text:
        like = f"%{escape_like(text.lower())}%"
        query = query.where(or_(
            func.lower(Provider.name).like(like, escape="\\"),
            exists().where(ProviderSite.provider_id == Provider.id, ProviderSite.archived_at.is_(None),
                           or_(func.lower(ProviderSite.address).like(like, escape="\\"),
                               func.lower(ProviderSite.postcode).like(like, escape="\\")))))
    if kind is not None:
        query = query.where(Provider.kind == kind)
    if registration is not None:
        query = query.where(Provider.registration_status == registration)
    providers = list(db.session.scalars(query.order_by(Provider.name, Provider.id)))
    statuses = statuses_for(providers, today)
    listings = [ProviderListing(p, statuses[p.id]) for p in providers]
    if status is not None:
        listings = [entry for entry in listings if _matches(entry.status, status)]
    return listings


@dataclass
class ProviderDetails:
    """What the provider form holds (7.1, 7.7)."""

    name: str
    kind: ProviderKind
    registration_status: RegistrationStatus
    ofsted_urn: str | None = None
    website: str | None = None
    social_media: str | None = None
    email: str | None = None
    phone: str | None = None
    latest_report_date: dt.date | None = None
    latest_report_judgement: str | None = None
    latest_report_by: str | None = None
    latest_report_url: str | None = None
    on_la_approved_list: bool = False
    notes: str | None = None

    @classmethod
    def of(cls, provider: Provider) -> ProviderDetails:
        return cls(**{f.name: getattr(provider, f.name) for f in fields(cls)})


def _details_problems(details: ProviderDetails, school_id: int, provider_id: int | None) -> dict[str, str]:
    errors = {}
    if details.registration_status == RegistrationStatus.REGISTERED_INDEPENDENT_SCHOOL and not details.ofsted_urn:
        errors["ofsted_urn"] = "Enter the Ofsted URN of a registered independent school."
    if details.latest_report_date and details.latest_report_date > clock.today():
        errors["latest_report_date"] = "The report date cannot be in the future."
    same_name = select(Provider.id).where(func.lower(Provider.name) == details.name.strip().lower(),
                                          Provider.archived_at.is_(None), visible_to_school(school_id))
    if provider_id is not None:
        same_name = same_name.where(Provider.id != provider_id)
    if db.session.scalar(same_name.limit(1)) is not None:
        errors["name"] = "A provider with this name is already on the register."
    return errors


def _apply(provider: Provider, details: ProviderDetails, school: School) -> None:
    for f in fields(ProviderDetails):
        value = getattr(details, f.name)
        setattr(provider, f.name, value.strip() if isinstance(value, str) else value)
    for name in ("ofsted_urn", "website", "social_media", "email", "phone", "latest_report_judgement",
                 "latest_report_by", "latest_report_url", "notes"):
        if getattr(provider, name) == "":
            setattr(provider, name, None)
    # A school's own on-site room belongs to that school; other providers serve the whole trust. An edit never
    # takes a provider from another school (app/policy/provider_governance.py).
    provider.owning_school_id = provider_governance.owner_after_edit(
        provider, details.kind == ProviderKind.ON_SITE, school, creating=provider.id is None)
    provider.approved_list_local_authority_id = school.local_authority_id if details.on_la_approved_list else None


def create_provider(details: ProviderDetails, school: School, user: User) -> Result:
    """A new provider on the shared register (first contact). Commits."""
    errors = _details_problems(details, school.id, None)
    if errors:
        return Result(errors=errors)
    provider = Provider(name=details.name, kind=details.kind, registration_status=details.registration_status,
                        created_by_school_id=school.id)
    _apply(provider, details, school)
    db.session.add(provider)
    db.session.commit()
    return Result(record=provider)


def update_provider(provider: Provider, details: ProviderDetails, school: School, user: User) -> Result:
    errors = _details_problems(details, school.id, provider.id)
    on_site_problem = provider_governance.kind_problem(provider, details.kind == ProviderKind.ON_SITE, school)
    if on_site_problem:
        errors["kind"] = on_site_problem
    if errors:
        return Result(errors=errors)
    _apply(provider, details, school)
    db.session.commit()
    return Result(record=provider)


def add_site(provider: Provider, name: str, address: str, postcode: str | None) -> Result:
    site = ProviderSite(provider_id=provider.id, name=name.strip(), address=address.strip(),
                        postcode=(postcode or "").strip().upper() or None)
    db.session.add(site)
    db.session.commit()
    return Result(record=site)


def add_contact(provider: Provider, name: str, role: str | None, email: str | None, phone: str | None) -> Result:
    contact = ProviderContact(provider_id=provider.id, name=name.strip(), role=(role or "").strip() or None,
                              email=(email or "").strip().lower() or None, phone=(phone or "").strip() or None)
    db.session.add(contact)
    db.session.commit()
    return Result(record=contact)


def archive_record(record, user: User) -> Result:
    """Sites and contacts are archived, never deleted (design invariant 7)."""
    record.archived_at = clock.now()
    record.archived_by_id = user.id
    db.session.commit()
    return Result(record=record)


def active_sites(provider: Provider) -> list[ProviderSite]:
    return [s for s in provider.sites if s.archived_at is None]


def active_contacts(provider: Provider) -> list[ProviderContact]:
    return [c for c in provider.contacts if c.archived_at is None]


# --- pre-placement checks (7.8) ------------------------------------------------------------------------------


def checks_of(provider: Provider) -> list[ProviderCheck]:
    """Every round of checks on the provider, newest first, whichever school made it."""
    return list(db.session.scalars(select(ProviderCheck).where(
        ProviderCheck.provider_id == provider.id, ProviderCheck.archived_at.is_(None))
        .order_by(ProviderCheck.created_at.desc(), ProviderCheck.id.desc())))


def start_check(provider: Provider, school: School, user: User) -> ProviderCheck:
    """A round of pre-placement checks (7.8) with one item per policy item for the provider's kind. Due
    diligence is shared: when a round is already in progress (by any school) it is that round. Commits."""
    current = db.session.scalar(select(ProviderCheck).where(
        ProviderCheck.provider_id == provider.id, ProviderCheck.status == CheckStatus.IN_PROGRESS,
        ProviderCheck.archived_at.is_(None)).order_by(ProviderCheck.id.desc()).limit(1))
    if current is not None:
        return current
    check = ProviderCheck(provider_id=provider.id, made_by_school_id=school.id, started_by_id=user.id,
                          status=CheckStatus.IN_PROGRESS)
    check.items = [ProviderCheckItem(item=item.code) for item in items_for(provider.kind)]
    db.session.add(check)
    db.session.commit()
    return check


@dataclass(frozen=True)
class ChecklistLine:
    item: CheckItem
    row: ProviderCheckItem | None
    problem: str | None  # None when done
    files: list[ProviderEvidenceFile]


def checklist(check: ProviderCheck) -> list[ChecklistLine]:
    """Every item for the provider's kind, in the policy's order, with what was recorded and its files."""
    rows = {row.item: row for row in check.items}
    row_ids = [row.id for row in check.items]
    files: dict[int, list[ProviderEvidenceFile]] = {}
    if row_ids:
        for f in db.session.scalars(select(ProviderEvidenceFile).where(
                ProviderEvidenceFile.check_item_id.in_(row_ids), ProviderEvidenceFile.archived_at.is_(None))
                .order_by(ProviderEvidenceFile.id)):
            files.setdefault(f.check_item_id, []).append(f)
    return [ChecklistLine(item, rows.get(item.code), item_problem(rows.get(item.code)),
                          files.get(rows[item.code].id, []) if item.code in rows else [])
            for item in items_for(check.provider.kind)]


def ensure_check_item(check: ProviderCheck, code: str) -> ProviderCheckItem:
    """The row for an item (made when the provider's kind changed after the round began)."""
    for row in check.items:
        if row.item == code:
            return row
    row = ProviderCheckItem(check_id=check.id, item=code)
    check.items.append(row)
    db.session.flush()
    return row


def record_check_item(row: ProviderCheckItem, *, outcome: CheckOutcome | None, not_applicable_reason: str | None,
                      evidence_note: str | None, checked_on: dt.date | None, uploads: Sequence[tuple[str, bytes]],
                      school: School, user: User) -> Result:
    """Record one check item (7.8): outcome, the reason when not applicable, evidence (a note and files), who and
    when. All or nothing: a refused file saves nothing. Commits."""
    errors: dict[str, str] = {}
    check = row.check
    if check.status != CheckStatus.IN_PROGRESS:
        errors["outcome"] = "This round of checks is complete: start a new round to record checks again."
    if outcome is None:
        errors["outcome"] = "Choose met, not met or not applicable."
    if outcome == CheckOutcome.NOT_APPLICABLE and not (not_applicable_reason or "").strip():
        errors["not_applicable_reason"] = "Say why this check does not apply to this provider."
    if checked_on is not None and checked_on > clock.today():
        errors["checked_on"] = "The date checked cannot be in the future."
    checked = []
    for name, data in uploads:
        try:
            checked.append(evidence.check_upload(name, data))
        except evidence.EvidenceRefused as refused:
            errors["files"] = str(refused)
            break
    if errors:
        return Result(errors=errors)
    row.outcome = outcome
    row.not_applicable_reason = (not_applicable_reason or "").strip() or None \
        if outcome == CheckOutcome.NOT_APPLICABLE else None
    row.evidence_note = (evidence_note or "").strip() or None
    row.checked_by_id = user.id
    row.checked_on = checked_on or clock.today()
    for upload in checked:
        evidence.store_evidence(upload, provider_id=check.provider_id, user_id=user.id, school_id=school.id,
                                check_item_id=row.id)
    db.session.commit()
    return Result(record=row)


def missing_items(check: ProviderCheck) -> list[str]:
    """The item codes still stopping approval (7.8)."""
    return missing_check_items({row.item: row for row in check.items}, check.provider.kind)


def item_label(code: str) -> str:
    return ITEMS_BY_CODE[code].label if code in ITEMS_BY_CODE else code


# --- the risk assessment and its approval (7.8, 7.9) ---------------------------------------------------------


def risk_assessments_of(provider: Provider) -> list[ProviderRiskAssessment]:
    return list(db.session.scalars(select(ProviderRiskAssessment).where(
        ProviderRiskAssessment.provider_id == provider.id, ProviderRiskAssessment.archived_at.is_(None))
        .order_by(ProviderRiskAssessment.created_at.desc(), ProviderRiskAssessment.id.desc())))


def approve_risk_assessment(check: ProviderCheck, *, rating: RiskRating | None, risks: str | None,
                            mitigations: str | None, school: School, user: User) -> Result:
    """The provider risk assessment made from a complete round of checks, approved by an AP leader (7.8). Refused,
    with the missing items listed, while any item is not done. Approval vets the provider for 12 months (7.9),
    completes the round, and closes this school's renewal tasks. Commits."""
    errors: dict[str, str] = {}
    if check.status != CheckStatus.IN_PROGRESS:
        errors["rating"] = "This round of checks already has an approved risk assessment."
        return Result(errors=errors)
    missing = missing_items(check)
    if missing:
        errors["items"] = "These checks are not done yet: " + "; ".join(item_label(c) for c in missing) + "."
    if rating is None:
        errors["rating"] = "Choose the risk rating."
    if rating in (RiskRating.MEDIUM, RiskRating.HIGH) and not (mitigations or "").strip():
        errors["mitigations"] = "Say how the risks will be mitigated."
    if errors:
        return Result(errors=errors, missing=missing)
    assessment = ProviderRiskAssessment(
        provider_id=check.provider_id, check_id=check.id, made_by_school_id=school.id, rating=rating,
        risks=(risks or "").strip() or None, mitigations=(mitigations or "").strip() or None,
        approved_by_id=user.id, approved_at=clock.now())
    db.session.add(assessment)
    check.status = CheckStatus.COMPLETE
    complete_tasks_for(SUBJECT, check.provider_id, [TaskKind.PROVIDER_CHECK_EXPIRING], user)
    db.session.commit()
    return Result(record=assessment)


def lapsed_task_key(provider: Provider) -> str:
    """The dedupe key of a school's "vetting has lapsed" task for the provider's latest material change. The
    vetting sweep makes the same task for schools with an active placement, so both name it this way (one task
    per provider per change, whoever makes it first)."""
    return f"provider-{VettingStatus.LAPSED_MATERIAL_CHANGE.value}:{provider.id}:" \
           f"{clock.to_local(provider.material_change_at).date()}"


def record_material_change(provider: Provider, note: str, school: School, user: User) -> Result:
    """7.9: a material change in provision or circumstances lapses the vetting until a new risk assessment is
    approved. Every school with a planned or active placement there is told at once: its AP leader(s) and DSL(s)
    are emailed and its AP leader gets a renewal task (urgent where pupils are there now). Commits."""
    if not (note or "").strip():
        return Result(errors={"note": "Describe what has changed."})
    provider.material_change_at = clock.now()
    provider.material_change_note = f"{note.strip()} (recorded by {user.full_name}, {school.name})"
    db.session.flush()
    using = _schools_with_placements(provider.id, (PlacementStatus.PLANNED, PlacementStatus.ACTIVE))
    active = _schools_with_placements(provider.id, (PlacementStatus.ACTIVE,))
    key = lapsed_task_key(provider)
    for school_id in sorted(using):
        with school_scope(school_id):
            now_there = school_id in active
            people = (school_role_holders(school_id, SchoolRoleName.AP_LEADER)
                      + school_role_holders(school_id, SchoolRoleName.DSL))
            queue_for_users(people, dedupe_key=f"{key}:school:{school_id}", template="provider_material_change",
                            context={"provider_name": provider.name, "note": provider.material_change_note,
                                     "placements": using[school_id], "link": _provider_url(school_id, provider.id)},
                            urgent=now_there, about_type=SUBJECT, about_id=provider.id,
                            about_label=provider.name[:200], school_id=school_id)
            due = clock.now() if now_there else clock.local_datetime(clock.today() + timedelta(days=1),
                                                                      END_OF_SCHOOL_DAY)
            ensure_task(TaskKind.PROVIDER_CHECK_EXPIRING, key,
                        f"{provider.name}: vetting has lapsed (a material change was recorded). Renew the checks "
                        "for your placements there (no new placements)", due,
                        assigned_role=SchoolRoleName.AP_LEADER, subject=(SUBJECT, provider.id),
                        link=("providers.show", {"provider_id": provider.id}), urgent=now_there,
                        detail=provider.material_change_note[:500])
            db.session.flush()  # inside this school's scope: its rows are written as its own
    db.session.commit()
    return Result(record=provider, schools_told=sorted(using))


# --- who uses a provider -------------------------------------------------------------------------------------


def _schools_with_placements(provider_id: int, statuses) -> dict[int, int]:
    """{school id: number of placements in these statuses} — across schools, so in a system scope, by columns."""
    with system_scope("provider register: which schools have placements at a provider"):
        return dict(db.session.execute(
            select(Placement.school_id, func.count(Placement.id))
            .where(Placement.provider_id == provider_id, Placement.status.in_(list(statuses)),
                   Placement.archived_at.is_(None))
            .group_by(Placement.school_id)).all())


def school_uses_provider(provider_id: int, school_id: int) -> bool:
    """A school uses a provider when it has a planned or active placement there, or has checked it."""
    if school_id in _schools_with_placements(provider_id, (PlacementStatus.PLANNED, PlacementStatus.ACTIVE)):
        return True
    return db.session.scalar(select(ProviderCheck.id).where(
        ProviderCheck.provider_id == provider_id, ProviderCheck.made_by_school_id == school_id).limit(1)) is not None


# --- suspension ----------------------------------------------------------------------------------------------


def suspend_provider(provider: Provider, user: User, reason: str, school: School | None = None) -> Result:
    """Suspend a provider: no new placements; every school with an ACTIVE placement there is told at once — an
    urgent email to its AP leader(s) and DSL(s), and a task for its AP leader to review those placements.
    `school` is the acting school (None for a trust role). Commits."""
    if not (reason or "").strip():
        return Result(errors={"reason": "Say why the provider is suspended."})
    if provider.is_suspended:
        return Result(errors={"reason": "This provider is already suspended."})
    provider.suspended_at = clock.now()
    provider.suspended_by_id = user.id
    provider.suspension_reason = reason.strip()
    db.session.flush()
    active = _schools_with_placements(provider.id, (PlacementStatus.ACTIVE,))
    stamp = provider.suspended_at.strftime("%Y%m%dT%H%M%S")
    by = f"{user.full_name} ({school.name})" if school is not None else user.full_name
    for school_id, count in sorted(active.items()):
        with school_scope(school_id):
            context = {"provider_name": provider.name, "reason": provider.suspension_reason, "by": by,
                       "active_placements": count, "link": _provider_url(school_id, provider.id)}
            people = (school_role_holders(school_id, SchoolRoleName.AP_LEADER)
                      + school_role_holders(school_id, SchoolRoleName.DSL))
            queue_for_users(people, dedupe_key=f"provider-suspended:{provider.id}:{stamp}:school:{school_id}",
                            template="provider_suspended", context=context, urgent=True, about_type=SUBJECT,
                            about_id=provider.id, about_label=provider.name[:200], school_id=school_id)
            ensure_task(TaskKind.PROVIDER_SUSPENDED, f"provider-suspended:{provider.id}:{stamp}",
                        f"{provider.name} is suspended: review the {count} active placement"
                        f"{'s' if count != 1 else ''} there", clock.now() + timedelta(hours=4),
                        assigned_role=SchoolRoleName.AP_LEADER, subject=(SUBJECT, provider.id),
                        link=("providers.show", {"provider_id": provider.id}),
                        detail=f"Reason: {provider.suspension_reason}")
            db.session.flush()  # inside this school's scope: its rows are written as its own
    db.session.commit()
    return Result(record=provider, schools_told=sorted(active))


LIFT_REASON_MAX = 500  # kept in the audit trail's detail column


def lift_suspension(provider: Provider, user: User, reason: str | None, school: School | None = None) -> Result:
    """Lift a provider's suspension (a trust role, or an AP leader with the suspend permission). The provider
    takes new placements again only if its vetting still holds: provider_status decides, as for any provider.
    Every school with a planned or active placement there is told (AP leader(s) and DSL(s)); the suspension tasks
    about it are completed in every school that has one. The reason is kept in the audit trail (see
    suspension_history). `school` is the acting school (None for a trust role). Commits."""
    reason = (reason or "").strip()
    if not provider.is_suspended:
        return Result(errors={"reason": "This provider is not suspended."})
    if not reason:
        return Result(errors={"reason": "Say why the suspension is lifted."})
    if len(reason) > LIFT_REASON_MAX:
        return Result(errors={"reason": f"Keep the reason to {LIFT_REASON_MAX} characters or fewer."})
    stamp = provider.suspended_at.strftime("%Y%m%dT%H%M%S")  # names the suspension being lifted
    provider.suspended_at = None
    provider.suspended_by_id = None
    provider.suspension_reason = None
    record_event(db.session, "suspension_lifted", "Provider", provider.id, detail=reason, actor_id=user.id)
    db.session.flush()
    status = provider_status(provider)
    using = _schools_with_placements(provider.id, (PlacementStatus.PLANNED, PlacementStatus.ACTIVE))
    with system_scope("provider register: which schools have a suspension task about a provider"):
        with_tasks = set(db.session.scalars(select(Task.school_id).where(
            Task.kind == TaskKind.PROVIDER_SUSPENDED.value, Task.status == TaskStatus.OPEN,
            Task.subject_type == SUBJECT, Task.subject_id == provider.id)))
    by = f"{user.full_name} ({school.name})" if school is not None else user.full_name
    for school_id in sorted(set(using) | with_tasks):
        with school_scope(school_id):
            if school_id in using:
                people = (school_role_holders(school_id, SchoolRoleName.AP_LEADER)
                          + school_role_holders(school_id, SchoolRoleName.DSL))
                key = f"provider-suspension-lifted:{provider.id}:{stamp}:school:{school_id}"
                queue_for_users(people, dedupe_key=key,
                                template="provider_suspension_lifted",
                                context={"provider_name": provider.name, "reason": reason, "by": by,
                                         "placements": using[school_id],
                                         "takes_placements": status.allows_new_placements,
                                         "blocking_reasons": status.blocking_reasons,
                                         "link": _provider_url(school_id, provider.id)},
                                about_type=SUBJECT, about_id=provider.id, about_label=provider.name[:200],
                                school_id=school_id)
            complete_tasks_for(SUBJECT, provider.id, [TaskKind.PROVIDER_SUSPENDED], user)
            db.session.flush()  # inside this school's scope: its rows are written as its own
    db.session.commit()
    return Result(record=provider, schools_told=sorted(using))


@dataclass(frozen=True)
class SuspensionEvent:
    at: dt.datetime
    lifted: bool  # False: suspended
    by_id: int | None
    reason: str | None


def suspension_history(provider: Provider) -> list[SuspensionEvent]:
    """Every suspension of the provider and every lifting, newest first, read from the audit trail: a suspension
    from the changes to the provider's row (one change may be written in more than one flush, so they are read in
    order and merged), a lifting from its own event, which holds the reason."""
    rows = db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "Provider", AuditEvent.record_id == str(provider.id),
        AuditEvent.action.in_(("create", "update", "suspension_lifted")))
        .order_by(AuditEvent.at, AuditEvent.id))
    history: list[dict] = []
    for row in rows:
        after = row.after or {}
        if row.action == "suspension_lifted":
            history.append({"at": row.at, "lifted": True, "by_id": row.actor_id, "reason": row.detail})
        elif after.get("suspended_at"):
            history.append({"at": row.at, "lifted": False, "by_id": after.get("suspended_by_id") or row.actor_id,
                            "reason": after.get("suspension_reason")})
        elif history and not history[-1]["lifted"] and "suspended_at" not in after:
            # the rest of the same suspension, written by a later flush
            if after.get("suspended_by_id"):
                history[-1]["by_id"] = after["suspended_by_id"]
            if after.get("suspension_reason"):
                history[-1]["reason"] = after["suspension_reason"]
    return [SuspensionEvent(**event) for event in reversed(history)]


def suspended_providers() -> list[Provider]:
    return list(db.session.scalars(select(Provider).where(
        Provider.suspended_at.is_not(None), Provider.archived_at.is_(None)).order_by(Provider.name)))


def _provider_url(school_id: int, provider_id: int) -> str:
    from app.services.tasks import _external_url

    slug = db.session.scalar(select(School.slug).where(School.id == school_id))
    return _external_url("providers.show", {"school_slug": slug, "provider_id": provider_id})


# --- concerns ------------------------------------------------------------------------------------------------

CONCERN_CATEGORIES = {
    "safeguarding": "Safeguarding",
    "attendance": "Attendance",
    "quality_of_education": "Quality of education",
    "health_and_safety": "Health and safety",
    "behaviour": "Behaviour",
    "communication": "Communication",
    "other": "Other",
}
_URGENT_SEVERITIES = (ConcernSeverity.HIGH, ConcernSeverity.CRITICAL)


def raise_concern(provider: Provider, school: School, user: User, category: str | None,
                  severity: ConcernSeverity | None, details: str | None) -> Result:
    """A concern about a provider (issue 4, item 6). It is seen by every school using the provider and by the
    trust. Tasks are a school's own, so: the raising school's DSL gets the task to follow it up; the trust
    safeguarding lead(s) are emailed (and see it on /trust/providers/concerns); the AP leaders and DSLs of the
    other schools using the provider are emailed. High and critical concerns go at once. Commits."""
    errors = {}
    if category not in CONCERN_CATEGORIES:
        errors["category"] = "Choose what the concern is about."
    if severity is None:
        errors["severity"] = "Choose how serious the concern is."
    if not (details or "").strip():
        errors["details"] = "Describe the concern."
    if errors:
        return Result(errors=errors)
    concern = ProviderConcern(provider_id=provider.id, made_by_school_id=school.id, raised_by_id=user.id,
                              category=category, severity=severity, details=details.strip(),
                              status=ConcernStatus.OPEN)
    db.session.add(concern)
    db.session.flush()
    urgent = severity in _URGENT_SEVERITIES
    label = CONCERN_CATEGORIES[category]
    context = {"provider_name": provider.name, "category": label, "severity": severity.value,
               "details": concern.details, "school_name": school.name, "raised_by": user.full_name}
    ensure_task(TaskKind.PROVIDER_CONCERN, f"provider-concern:{concern.id}",
                f"Follow up the {severity.value} {label.lower()} concern about {provider.name}",
                clock.local_datetime(clock.today() + timedelta(days=1 if urgent else 5), END_OF_SCHOOL_DAY),
                assigned_role=SchoolRoleName.DSL, subject=(CONCERN_SUBJECT, concern.id),
                link=("providers.show", {"provider_id": provider.id}), urgent=urgent, detail=concern.details[:500])
    from app.services.tasks import _external_url

    queue_for_users(trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD),
                    dedupe_key=f"provider-concern:{concern.id}:trust", template="provider_concern",
                    context={**context, "link": _external_url("trust_providers.concerns", {})},
                    audience=Audience.TRUST, urgent=urgent, about_type="provider_concern", about_id=concern.id,
                    about_label=provider.name[:200], school_id=school.id)
    using = _schools_with_placements(provider.id, (PlacementStatus.PLANNED, PlacementStatus.ACTIVE))
    for other_id in sorted(set(using) - {school.id}):
        with school_scope(other_id):
            people = (school_role_holders(other_id, SchoolRoleName.AP_LEADER)
                      + school_role_holders(other_id, SchoolRoleName.DSL))
            queue_for_users(people, dedupe_key=f"provider-concern:{concern.id}:school:{other_id}",
                            template="provider_concern",
                            context={**context, "link": _provider_url(other_id, provider.id)}, urgent=urgent,
                            about_type="provider_concern", about_id=concern.id, about_label=provider.name[:200],
                            school_id=other_id)
            db.session.flush()
    db.session.commit()
    return Result(record=concern, schools_told=sorted(set(using) - {school.id}))


def concerns_visible_to(provider: Provider, school_id: int) -> list[ProviderConcern]:
    """The concerns a school sees: its own, and every school's when it uses the provider."""
    query = select(ProviderConcern).where(ProviderConcern.provider_id == provider.id,
                                          ProviderConcern.archived_at.is_(None))
    if not school_uses_provider(provider.id, school_id):
        query = query.where(ProviderConcern.made_by_school_id == school_id)
    return list(db.session.scalars(query.order_by(ProviderConcern.created_at.desc(), ProviderConcern.id.desc())))


def access_concern_raised_by(concern_id: int, school_id: int) -> ProviderConcern:
    """A concern the school raised, or 404: only the raising school resolves a concern from its pages (another
    school using the provider sees it, but the follow-up is the raiser's or the trust's)."""
    concern = db.session.get(ProviderConcern, concern_id)
    if concern is None or concern.archived_at is not None or concern.made_by_school_id != school_id:
        abort(404)
    access_provider(concern.provider_id)
    return concern


def access_concern_for_trust(concern_id: int) -> ProviderConcern:
    concern = db.session.get(ProviderConcern, concern_id)
    if concern is None or concern.archived_at is not None:
        abort(404)
    return concern


def resolve_concern(concern: ProviderConcern, user: User, resolution: str | None,
                    school: School | None = None) -> Result:
    """Record how a concern was resolved (the raising school's AP leader or DSL, or the trust safeguarding lead):
    it stays on the provider's page as resolved, with who and when. Everyone told of it is told it is resolved:
    the raising school's AP leader(s) and DSL(s), each school emailed when it was raised and the trust
    safeguarding lead(s) — not the person resolving it. The raising school's follow-up task is completed.
    `school` is the acting school (None for a trust role). Commits."""
    resolution = (resolution or "").strip()
    if concern.status == ConcernStatus.RESOLVED:
        return Result(errors={"resolution": "This concern is already resolved."})
    if not resolution:
        return Result(errors={"resolution": "Say how the concern was resolved."})
    concern.status = ConcernStatus.RESOLVED
    concern.resolution = resolution
    concern.resolved_at = clock.now()
    concern.resolved_by_id = user.id
    db.session.flush()
    provider = concern.provider
    raiser = concern.made_by_school_id
    with system_scope("provider register: which schools were told of a concern"):
        told = db.session.execute(select(Notification.school_id, Notification.audience).where(
            Notification.about_type == CONCERN_SUBJECT, Notification.about_id == concern.id,
            Notification.template == "provider_concern")).all()
    schools = {raiser} | {sid for sid, audience in told if sid is not None and audience == Audience.STAFF}
    by = f"{user.full_name} ({school.name})" if school is not None else user.full_name
    context = {"provider_name": provider.name,
               "category": CONCERN_CATEGORIES.get(concern.category, concern.category),
               "severity": concern.severity.value,
               "raised_on": clock.to_local(concern.created_at).strftime("%-d %B %Y"),
               "school_name": school_names([raiser]).get(raiser, ""), "resolution": resolution, "by": by}
    key = f"provider-concern-resolved:{concern.id}"
    from app.services.tasks import _external_url

    for school_id in sorted(schools):
        with school_scope(school_id):
            people = [u for u in school_role_holders(school_id, SchoolRoleName.AP_LEADER)
                      + school_role_holders(school_id, SchoolRoleName.DSL) if u.id != user.id]
            queue_for_users(people, dedupe_key=key, template="provider_concern_resolved",
                            context={**context, "link": _provider_url(school_id, provider.id) + "#concerns"},
                            about_type=CONCERN_SUBJECT, about_id=concern.id, about_label=provider.name[:200],
                            school_id=school_id)
            if school_id == raiser:
                queue_for_users([u for u in trust_role_holders(TrustRoleName.TRUST_SAFEGUARDING_LEAD)
                                 if u.id != user.id], dedupe_key=key, template="provider_concern_resolved",
                                context={**context, "link": _external_url("trust_providers.concerns", {})},
                                audience=Audience.TRUST, about_type=CONCERN_SUBJECT, about_id=concern.id,
                                about_label=provider.name[:200], school_id=raiser)
                complete_tasks_for(CONCERN_SUBJECT, concern.id, [TaskKind.PROVIDER_CONCERN], user)
            db.session.flush()  # inside this school's scope: its rows are written as its own
    db.session.commit()
    return Result(record=concern, schools_told=sorted(schools))


def concerns_across_trust() -> list[ProviderConcern]:
    """Every concern about any provider, open ones first (newest first), then resolved ones (most recently
    resolved first): resolved concerns stay as history."""
    return list(db.session.scalars(select(ProviderConcern).where(ProviderConcern.archived_at.is_(None))
        .order_by((ProviderConcern.status == ConcernStatus.RESOLVED), ProviderConcern.resolved_at.desc(),
                  ProviderConcern.created_at.desc(), ProviderConcern.id.desc())))


def open_concerns_across_trust() -> list[ProviderConcern]:
    """Every open concern about any provider (a trust scope, or the trust pages)."""
    return list(db.session.scalars(select(ProviderConcern).where(
        ProviderConcern.status == ConcernStatus.OPEN, ProviderConcern.archived_at.is_(None))
        .order_by(ProviderConcern.created_at.desc(), ProviderConcern.id.desc())))


def school_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(School.id, School.name).where(School.id.in_(ids))).all())


def user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())

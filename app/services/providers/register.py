"""The register: seeing providers (access, visibility), search, create, edit, sites and contacts."""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, fields

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from app import clock
from app.extensions import db
from app.input_edges import escape_like
from app.models import (
    Provider,
    ProviderCheck,
    ProviderCheckItem,
    ProviderContact,
    ProviderEvidenceFile,
    ProviderKind,
    ProviderSite,
    RegistrationStatus,
    School,
    User,
)
from app.policy.provider_vetting import VettingStatus
from app.services import provider_governance
from tenants import require_school_id
from tenants.access import RecordNotFound, record_label

from .base import Result
from .status import ProviderStatus, statuses_for

# --- seeing providers ----------------------------------------------------------------------------------------


def visible_to_school(school_id: int):
    """The register is shared, except a school's own on-site provision, which only that school sees. In a school's
    scope the kernel applies this itself (`SharedOrSchoolOwnedMixin`); this says it for a check that may run in
    the trust's scope on a school's behalf."""
    return or_(Provider.owning_school_id.is_(None), Provider.owning_school_id == school_id)


def providers_seen() -> list[Provider]:
    """Every provider the current school sees (the shared register and its own on-site provision), not archived,
    by name: the choices of a provider on the forms."""
    return list(db.session.scalars(select(Provider).where(visible_to_school(require_school_id()),
                                                          Provider.archived_at.is_(None)).order_by(Provider.name)))


def access_provider(provider_id: int, *, with_sites_and_contacts: bool = False) -> Provider:
    """A provider the current school may see, or 404 (another school's own provision is not found). With
    `with_sites_and_contacts` (the provider's page), its sites and contacts come in the same query."""
    school_id = require_school_id()
    options = [joinedload(Provider.sites), joinedload(Provider.contacts)] if with_sites_and_contacts else []
    provider = db.session.get(Provider, provider_id, options=options)
    if provider is None or provider.is_archived or provider.owning_school_id not in (None, school_id):
        raise RecordNotFound("provider")
    return provider


def access_provider_for_trust(provider_id: int) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None or provider.is_archived:
        raise RecordNotFound("provider")
    return provider


def _access_via_provider(model, record_id: int):
    record = db.session.get(model, record_id)
    if record is None or getattr(record, "archived_at", None) is not None:
        raise RecordNotFound(record_label(model))
    access_provider(record.provider_id)
    return record


def access_check(check_id: int) -> ProviderCheck:
    return _access_via_provider(ProviderCheck, check_id)


def access_check_item(check_item_id: int) -> ProviderCheckItem:
    item = db.session.get(ProviderCheckItem, check_item_id)
    if item is None:
        raise RecordNotFound("check item")
    access_check(item.check_id)
    return item


def access_site(site_id: int) -> ProviderSite:
    return _access_via_provider(ProviderSite, site_id)


def access_contact(contact_id: int) -> ProviderContact:
    return _access_via_provider(ProviderContact, contact_id)


def access_evidence_file(evidence_file_id: int) -> ProviderEvidenceFile:
    return _access_via_provider(ProviderEvidenceFile, evidence_file_id)


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
    """The register as one school sees it (in its scope: the kernel hides other schools' own provision), by name,
    site address or postcode, with its badges."""
    query = select(Provider).where(Provider.archived_at.is_(None))
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


@dataclass
class FirstSite:
    """The site given with a new provider (the pupils go there; vetting needs one, 7.8)."""

    name: str | None = None
    address: str | None = None
    postcode: str | None = None


@dataclass
class FirstContact:
    """The contact given with a new provider (the school calls them each day, 4.5)."""

    name: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None


def _given(record) -> bool:
    return record is not None and any((getattr(record, f.name) or "").strip() for f in fields(record))


def _first_record_problems(site: FirstSite | None, contact: FirstContact | None) -> dict[str, str]:
    errors = {}
    if _given(site):
        if not (site.name or "").strip():
            errors["site_name"] = "Enter the site's name (or leave the site empty and add it later)."
        if not (site.address or "").strip():
            errors["site_address"] = "Enter the site's address (or leave the site empty and add it later)."
    if _given(contact) and not (contact.name or "").strip():
        errors["contact_name"] = "Enter the contact's name (or leave the contact empty and add it later)."
    return errors


def create_provider(details: ProviderDetails, school: School, user: User, *, site: FirstSite | None = None,
                    contact: FirstContact | None = None) -> Result:
    """A new provider on the shared register (first contact), with its first site and contact when given, all in
    one (nothing half-saved). Commits."""
    errors = _details_problems(details, school.id, None) | _first_record_problems(site, contact)
    if errors:
        return Result(errors=errors)
    provider = Provider(name=details.name, kind=details.kind, registration_status=details.registration_status,
                        created_by_school_id=school.id)
    _apply(provider, details, school)
    db.session.add(provider)
    db.session.flush()
    if _given(site):
        _new_site(provider, site.name, site.address, site.postcode)
    if _given(contact):
        _new_contact(provider, contact.name, contact.role, contact.email, contact.phone)
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


def _new_site(provider: Provider, name: str, address: str, postcode: str | None) -> ProviderSite:
    site = ProviderSite(provider_id=provider.id, name=name.strip(), address=address.strip(),
                        postcode=(postcode or "").strip().upper() or None)
    db.session.add(site)
    return site


def _new_contact(provider: Provider, name: str, role: str | None, email: str | None,
                 phone: str | None) -> ProviderContact:
    contact = ProviderContact(provider_id=provider.id, name=name.strip(), role=(role or "").strip() or None,
                              email=(email or "").strip().lower() or None, phone=(phone or "").strip() or None)
    db.session.add(contact)
    return contact


def add_site(provider: Provider, name: str, address: str, postcode: str | None) -> Result:
    site = _new_site(provider, name, address, postcode)
    db.session.commit()
    return Result(record=site)


def add_contact(provider: Provider, name: str, role: str | None, email: str | None, phone: str | None) -> Result:
    contact = _new_contact(provider, name, role, email, phone)
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

"""Demo providers for the shared register: fictional names, example.org addresses, 01632 (drama) phone numbers.

A vetted registered independent school, a vetted unregistered farm, an online-only tutor (with the 7.3 note), one
whose vetting expires soon, and one suspended — each with sites, contacts and a complete round of checks.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import (
    CheckOutcome,
    CheckStatus,
    Provider,
    ProviderCheck,
    ProviderCheckItem,
    ProviderContact,
    ProviderKind,
    ProviderRiskAssessment,
    ProviderSite,
    RegistrationStatus,
    RiskRating,
    SchoolRole,
)
from app.policy.provider_checks import items_for
from app.roles import SchoolRoleName

U, R_IND, R_OTHER = RegistrationStatus.UNREGISTERED, RegistrationStatus.REGISTERED_INDEPENDENT_SCHOOL, \
    RegistrationStatus.OTHER_REGISTERED

# name, kind, registration, URN, days since approval (None: not vetted), suspended, extra fields, site, contact
DEMO_PROVIDERS = (
    ("Larkspur House School", ProviderKind.OFF_SITE, R_IND, "999101", 60, False,
     {"latest_report_by": "Ofsted", "latest_report_judgement": "Good", "website": "https://larkspur.example.org"},
     ("Larkspur House", "12 Larkspur Road, Trentham", "TE1 4LH"), ("Morag Pennycook", "Head of centre")),
    ("Hawthorn Farm Learning", ProviderKind.OFF_SITE, U, None, 120, False,
     {"website": "https://hawthorn-farm.example.org", "notes": "Land-based learning: animal care and horticulture."},
     ("Hawthorn Farm", "Hawthorn Lane, Little Marston", "TE7 2HF"), ("Owen Threlfall", "Designated safeguarding lead")),
    ("Brightpath Online Tutoring", ProviderKind.ONLINE_ONLY, U, None, 90, False,
     {"website": "https://brightpath.example.org",
      "notes": "Online only: used only where there is no appropriate alternative (7.3), for example a pupil unable "
               "to attend in person on medical advice; each placement records its justification."},
     None, ("Priya Castellan", "Tutor lead")),
    ("Kestrel Motor Skills", ProviderKind.OFF_SITE, U, None, 350, False,
     {"notes": "Vocational motor vehicle course; vetting due for renewal."},
     ("Kestrel Workshop", "Unit 4, Mill Trading Estate, Marston", "TE3 9KM"), ("Dale Ormerod", "Centre manager")),
    ("Riverside Outdoor Centre", ProviderKind.OFF_SITE, R_OTHER, None, 200, True,
     {"notes": "Outdoor education and Duke of Edinburgh's Award."},
     ("Riverside Centre", "Weir Road, Trentham", "TE2 6RC"), ("Lorna Beckwith", "Director")),
)


def seed_providers(trust) -> None:
    """Called by app.demo_extensions inside the demo seed's system scope (after calendars)."""
    if db.session.scalar(select(Provider.id).limit(1)) is not None:
        return
    school = sorted(trust.schools, key=lambda s: s.id)[0]
    leader_id = db.session.scalar(select(SchoolRole.user_id).where(
        SchoolRole.school_id == school.id, SchoolRole.role == SchoolRoleName.AP_LEADER).order_by(SchoolRole.id))
    now = clock.now()
    for number, (name, kind, registration, urn, days, suspended, extra, site, contact) in enumerate(DEMO_PROVIDERS):
        provider = Provider(name=name, kind=kind, registration_status=registration, ofsted_urn=urn,
                            email=f"office@{name.split()[0].lower()}.example.org", phone=f"01632 9602{number:02d}",
                            **extra)
        if extra.get("latest_report_by"):
            provider.latest_report_date = clock.today() - timedelta(days=400)
        if site:
            provider.sites = [ProviderSite(name=site[0], address=site[1], postcode=site[2])]
        provider.contacts = [ProviderContact(name=contact[0], role=contact[1],
                                             email=f"{contact[0].split()[0].lower()}@{name.split()[0].lower()}"
                                                   ".example.org", phone=f"01632 9603{number:02d}")]
        db.session.add(provider)
        db.session.flush()
        if days is None or leader_id is None:
            continue
        approved_at = now - timedelta(days=days)
        check = ProviderCheck(provider_id=provider.id, made_by_school_id=school.id, started_by_id=leader_id,
                              status=CheckStatus.COMPLETE, created_at=approved_at - timedelta(days=14))
        check.items = [ProviderCheckItem(item=item.code, outcome=CheckOutcome.MET, checked_by_id=leader_id,
                                         checked_on=(approved_at - timedelta(days=2)).date(),
                                         evidence_note="Seen and recorded during the pre-placement checks")
                       for item in items_for(kind)]
        db.session.add(check)
        db.session.flush()
        db.session.add(ProviderRiskAssessment(
            provider_id=provider.id, check_id=check.id, made_by_school_id=school.id, rating=RiskRating.LOW,
            risks="Travel to and from the provision", mitigations="Taxi with a named escort; arrival call by 09:30",
            approved_by_id=leader_id, approved_at=approved_at))
        if suspended:
            provider.suspended_at = now - timedelta(days=3)
            provider.suspended_by_id = leader_id
            provider.suspension_reason = "Staff safeguarding checks could not be confirmed in writing (KCSIE)"

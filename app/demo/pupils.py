"""Demo pupils: six fictional pupils across the demo schools — one with an EHCP, one looked after with a social
worker, one with a social worker, two on SEN support — with carers, and for some a referral, a risk assessment,
a consultation and involvement records, so the pupil pages and the readiness list have something to show.
Every name, UPN, email and phone number is invented (example.org, Ofcom drama numbers)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.models import (
    BelongingAction,
    Carer,
    Involvement,
    InvolvementParty,
    ParentConsultation,
    Pupil,
    PupilRiskAssessment,
    Referral,
    SchoolRole,
)
from app.roles import SchoolRoleName
from app.services.pupils import upn_check_letter


def demo_upn(serial: int) -> str:
    """A valid fictional UPN (its check letter worked out by the DfE algorithm in app.services.pupils): LA code
    999 is not a real authority. Every demo pupil's UPN comes from here, each with its own serial."""
    body = f"99900{serial:07d}"
    return upn_check_letter("?" + body) + body


def born_in(year_group: int, month: int, day: int) -> dt.date:
    """A birthday that puts the pupil in `year_group` this school year."""
    now = today()
    start = now.year if now.month >= 9 else now.year - 1  # the September this school year began
    year = start - year_group - 5 if month >= 9 else start - year_group - 4
    return dt.date(year, month, day)


_PUPILS = (
    # school slug, first, last, year group, birthday (month, day), flags, carer (name, relationship, email, phone)
    ("millbrook", "Kai", "Thornbury", 10, (11, 14), {"has_ehcp": True, "fsm_eligible": True,
                                                  "medical_needs": "Epilepsy: care plan with the school nurse"},
     ("Dana Thornbury", "Mother", "dana.thornbury@example.org", "07700 900101")),
    ("millbrook", "Leah", "Marchetti", 9, (3, 2), {"is_looked_after": True, "has_social_worker": True,
                                                "social_worker_name": "Corin Hale",
                                                "social_worker_email": "corin.hale@example.org",
                                                "social_worker_phone": "01632 960410"},
     ("Frances Oyelaran", "Foster carer", "frances.oyelaran@example.org", "07700 900102")),
    ("millbrook", "Owen", "Pask", 11, (6, 21), {"sen_support": True, "fsm_eligible": True},
     ("Lee Pask", "Father", None, "07700 900103")),
    ("millbrook", "Ruby", "Calder", 8, (9, 30), {}, ("Jess Calder", "Mother", "jess.calder@example.org", None)),
    ("hollin", "Mia", "Fairweather", 5, (1, 9), {"has_social_worker": True, "social_worker_name": "Ade Brook",
                                               "social_worker_email": "ade.brook@example.org"},
     ("Sol Fairweather", "Grandparent", "sol.fairweather@example.org", "07700 900105")),
    ("ashbrook-junior", "Theo", "Brannigan", 4, (5, 5), {"sen_support": True},
     ("Nia Brannigan", "Mother", "nia.brannigan@example.org", "07700 900106")),
)


def _ap_leader_id(school) -> int | None:
    return db.session.scalar(select(SchoolRole.user_id).where(SchoolRole.school_id == school.id,
                                                              SchoolRole.role == SchoolRoleName.AP_LEADER).limit(1))


def seed_pupils(trust) -> None:
    """Runs in the demo seed's system scope: every row names its school."""
    schools = {s.slug: s for s in trust.schools}
    day = today()
    for serial, (slug, first, last, year_group, (month, dom), flags, carer) in enumerate(_PUPILS, start=1):
        school = schools.get(slug)
        if school is None:
            continue
        leader = _ap_leader_id(school)
        pupil = Pupil(school_id=school.id, upn=demo_upn(serial), first_name=first, last_name=last,
                      date_of_birth=born_in(year_group, month, dom), year_group=year_group, **flags)
        db.session.add(pupil)
        db.session.flush()
        name, relationship, email, phone = carer
        carer_row = Carer(school_id=school.id, pupil_id=pupil.id, name=name, relationship_to_pupil=relationship,
                          email=email, phone=phone, lives_with=True, has_parental_responsibility=relationship != "Foster carer")
        db.session.add(carer_row)
        db.session.flush()
        if leader is None or serial in (4,):
            continue  # Ruby has nothing yet: a pupil the school has only just started to think about
        db.session.add(Referral(
            school_id=school.id, pupil_id=pupil.id, proposed_by_id=leader, proposed_on=day - dt.timedelta(days=21),
            academic_needs=f"{first} is working well below age-related expectations in English and maths.",
            personal_needs="Low self-esteem; finds transitions between lessons hard.",
            social_needs="Few settled friendships; conflict at unstructured times.",
            reasons=["mainstream_demands"] + (["ehcp_requirements"] if flags.get("has_ehcp") else []),
            on_site_options_considered="Two terms of Hive room sessions with a key adult.",
            options_considered="Hive room full time; a registered AP provider; a vocational land-based provider."))
        if serial in (3, 6):
            if serial == 6:
                db.session.add(BelongingAction(school_id=school.id, pupil_id=pupil.id, kind="newsletter",
                                               on=day - dt.timedelta(days=7), recorded_by_id=leader,
                                               note="Added to the class newsletter list"))
            continue  # referral only: the readiness list shows what is still to do
        db.session.add(PupilRiskAssessment(
            school_id=school.id, pupil_id=pupil.id, assessed_on=day - dt.timedelta(days=14), assessed_by_id=leader,
            risks="Travel to the provider alone; dysregulation when plans change.",
            control_measures="Escorted transport for the first half-term; visual timetable shared with the provider.",
            review_due_on=day + dt.timedelta(days=60)))
        db.session.add(ParentConsultation(
            school_id=school.id, pupil_id=pupil.id, carer_id=carer_row.id, consulted_on=day - dt.timedelta(days=10),
            method="meeting", carer_views="Supportive, keen for a practical course; worried about travel.",
            school_decision="Part-time placement alongside school, reviewed each half-term.",
            decision_reason="Meets the needs analysis; travel risk is controlled.", recorded_by_id=leader))
        if flags.get("has_ehcp"):
            db.session.add(Involvement(school_id=school.id, pupil_id=pupil.id,
                                       party=InvolvementParty.LOCAL_AUTHORITY_SEND, person_name="SEND casework team",
                                       involved_on=day - dt.timedelta(days=9), ehcp_review_needed=False,
                                       recorded_by_id=leader, notes="Named setting unchanged: AP is part-time."))
        if flags.get("is_looked_after"):
            db.session.add(Involvement(school_id=school.id, pupil_id=pupil.id,
                                       party=InvolvementParty.VIRTUAL_SCHOOL_HEAD, person_name="Virtual School Head",
                                       involved_on=day - dt.timedelta(days=8), recorded_by_id=leader))
        if flags.get("has_social_worker"):
            db.session.add(Involvement(school_id=school.id, pupil_id=pupil.id, party=InvolvementParty.SOCIAL_WORKER,
                                       person_name=flags.get("social_worker_name", "Social worker"),
                                       involved_on=day - dt.timedelta(days=8), recorded_by_id=leader))

"""A fictional demo trust: four schools, a person for every role, and what later capabilities add.

Every name, address and phone number here is invented; email addresses use example.org (RFC 2606).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.demo.seeders import SEEDERS
from app.extensions import db
from app.models import (
    LAContact,
    LAContactKind,
    LocalAuthority,
    School,
    SchoolPhase,
    SchoolRole,
    Trust,
    TrustRole,
    User,
)
from app.roles import SchoolRoleName as R
from app.roles import TrustRoleName as T
from tenants import system_scope

DEMO_PASSWORD = "demo-password-1"


@dataclass
class DemoSignIn:
    email: str
    roles: str


def _user(email: str, name: str, phone: str | None = None) -> User:
    user = User(email=email, full_name=name, phone=phone)
    user.set_password(DEMO_PASSWORD)
    db.session.add(user)
    return user


def demo_exists() -> bool:
    return db.session.scalar(select(Trust.id).limit(1)) is not None


def seed_demo() -> list[DemoSignIn]:
    """Create the demo trust. Refuses to run on a database that already has a trust."""
    if demo_exists():
        raise RuntimeError("the database already holds a trust; the demo is only seeded into an empty one")
    with system_scope("seeding the demo trust"):
        trust, *schools = _trust_and_schools()
        sign_ins = _people(*schools)
        for seeder in SEEDERS:
            seeder(trust)
        db.session.commit()
    return sign_ins


def _trust_and_schools():
    """The trust, its two local authorities with their contacts, and its four schools (infant, junior,
    secondary, primary)."""
    trust = Trust(name="Kingfisher Valley Education Trust (demo)", address="1 Example Row, Trentham Vale",
                  website="https://trust.example.org")
    db.session.add(trust)
    county = LocalAuthority(name="Trentshire County Council (demo)", code="991")
    city = LocalAuthority(name="Marston City Council (demo)", code="992")
    db.session.add_all([county, city])
    for la, slug in ((county, "trentshire"), (city, "marston")):
        la.contacts = [
            LAContact(kind=LAContactKind.APPROVED_PROVIDER_LIST, name="In-Year Fair Access team",
                      email=f"fair-access@{slug}.example.org", phone="01632 960001"),
            LAContact(kind=LAContactKind.VIRTUAL_SCHOOL_HEAD, name="Morgan Ellery",
                      email=f"virtual-school@{slug}.example.org", phone="01632 960002"),
            LAContact(kind=LAContactKind.AP_NOTIFICATIONS, name="Alternative provision team",
                      email=f"ap-notices@{slug}.example.org"),
            LAContact(kind=LAContactKind.SEND, name="SEND casework team", email=f"send@{slug}.example.org"),
        ]
    infant = School(trust=trust, name="Ashbrook Infant School", slug="ashbrook-infant", urn="990001",
                    phase=SchoolPhase.INFANT, local_authority=city, address="Ashbrook Lane, Marston")
    junior = School(trust=trust, name="Ashbrook Junior School", slug="ashbrook-junior", urn="990002",
                    phase=SchoolPhase.JUNIOR, local_authority=city, address="Ashbrook Lane, Marston")
    secondary = School(trust=trust, name="Millbrook Academy", slug="millbrook", urn="990003",
                       phase=SchoolPhase.SECONDARY, local_authority=county, address="Mill Road, Trentham Vale")
    primary = School(trust=trust, name="Hollin Primary School", slug="hollin", urn="990004",
                     phase=SchoolPhase.PRIMARY, local_authority=county, address="Hollin Street, Oakby")
    db.session.add_all([infant, junior, secondary, primary])
    db.session.flush()
    return trust, infant, junior, secondary, primary


def _person(sign_ins: list[DemoSignIn], email, name, school_roles=(), trust_roles=(), phone=None):
    user = _user(email, name, phone)
    for school, role, covers in school_roles:
        user.school_roles.append(SchoolRole(school_id=school.id, role=role, covers=covers))
    for role in trust_roles:
        user.trust_roles.append(TrustRole(role=role))
    described = [f"{role.label} ({school.name}{', ' + covers if covers else ''})"
                 for school, role, covers in school_roles] + [role.label for role in trust_roles]
    sign_ins.append(DemoSignIn(email, "; ".join(described)))
    return user


def _people(infant, junior, secondary, primary) -> list[DemoSignIn]:
    """A person for every role in every school and the trust's roles; their sign-ins, in order."""
    sign_ins: list[DemoSignIn] = []

    def person(*args, **kwargs):
        return _person(sign_ins, *args, **kwargs)

    # The infant and junior schools share their AP leader (who is also their DSL), as the policy's do.
    person("ap.leader@ashbrook.example.org", "Priya Lang", [
        (infant, R.AP_LEADER, None), (junior, R.AP_LEADER, None), (infant, R.DSL, None), (junior, R.DSL, None)],
        phone="01632 960101")
    person("head@ashbrook.example.org", "Tomasz Reeve", [
        (infant, R.HEADTEACHER, None), (junior, R.HEADTEACHER, None)])
    person("attendance.infant@ashbrook.example.org", "Kerry Oduya", [
        (infant, R.ATTENDANCE_OFFICER, "EYFS/KS1")], phone="01632 960102")
    person("attendance.junior@ashbrook.example.org", "Dev Hallam", [
        (junior, R.ATTENDANCE_OFFICER, "KS2")], phone="01632 960103")
    person("governor@ashbrook.example.org", "Ruth Abernethy", [
        (infant, R.DESIGNATED_GOVERNOR, None), (junior, R.DESIGNATED_GOVERNOR, None)])
    person("teacher@ashbrook.example.org", "Sam Whitlow", [(junior, R.STAFF, None)])

    person("ap.leader@millbrook.example.org", "Nadia Fenwick", [(secondary, R.AP_LEADER, None)])
    person("head@millbrook.example.org", "Gareth Pryce", [(secondary, R.HEADTEACHER, None)])
    person("dsl@millbrook.example.org", "Imogen Castell", [(secondary, R.DSL, None)])
    person("attendance@millbrook.example.org", "Leon Marsh", [(secondary, R.ATTENDANCE_OFFICER, "KS3/KS4")])
    person("governor@millbrook.example.org", "Beatrice Onley", [(secondary, R.DESIGNATED_GOVERNOR, None)])
    person("teacher@millbrook.example.org", "Owen Tarrant", [(secondary, R.STAFF, None)])

    person("ap.leader@hollin.example.org", "Yusuf Arkwright", [(primary, R.AP_LEADER, None)])
    person("head@hollin.example.org", "Carys Bellamy", [(primary, R.HEADTEACHER, None)])
    person("dsl@hollin.example.org", "Fern Ashdown", [(primary, R.DSL, None)])
    person("attendance@hollin.example.org", "Mina Patel-Shaw", [(primary, R.ATTENDANCE_OFFICER, None)])
    person("governor@hollin.example.org", "Hugh Lindley", [(primary, R.DESIGNATED_GOVERNOR, None)])

    person("safeguarding@trust.example.org", "Adaeze Kirkland", trust_roles=[T.TRUST_SAFEGUARDING_LEAD],
           phone="01632 960201")
    person("send@trust.example.org", "Rhys Calloway", trust_roles=[T.TRUST_SEND_LEAD])
    person("trustee@trust.example.org", "Margot Vesey", trust_roles=[T.DESIGNATED_TRUSTEE])
    return sign_ins

"""A small fictional trust for tests: two schools (A and B) plus a third sharing an AP leader with A.

Tenancy is always on: everything is created inside an explicit scope, as the app does.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.extensions import db
from app.models import LAContact, LAContactKind, LocalAuthority, School, SchoolPhase, SchoolRole, Trust, TrustRole, User
from app.roles import SchoolRoleName, TrustRoleName
from tenants import system_scope

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    trust: Trust
    la: LocalAuthority
    schools: dict[str, School] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    @property
    def a(self) -> School:
        return self.schools["a"]

    @property
    def b(self) -> School:
        return self.schools["b"]


def make_user(email: str, name: str, password: str = PASSWORD) -> User:
    user = User(email=email, full_name=name)
    user.set_password(password)
    db.session.add(user)
    return user


def build_world() -> World:
    """Schools a, b and c; a user per school role in a and b (key "a.ap_leader"), an AP leader of a and c
    ("ac.ap_leader"), and one user per trust role ("trust.designated_trustee")."""
    with system_scope("test world"):
        trust = Trust(name="Test Valley Trust")
        la = LocalAuthority(name="Testshire Council", code="999")
        la.contacts = [
            LAContact(kind=LAContactKind.APPROVED_PROVIDER_LIST, name="Fair Access Team", email="fa@la.example.org"),
            LAContact(kind=LAContactKind.VIRTUAL_SCHOOL_HEAD, name="Vivian Head", email="vsh@la.example.org",
                      phone="01632 960900"),
            LAContact(kind=LAContactKind.AP_NOTIFICATIONS, name="AP Team", email="ap@la.example.org"),
            LAContact(kind=LAContactKind.SEND, name="SEND Team", email="send@la.example.org"),
        ]
        db.session.add_all([trust, la])
        world = World(trust=trust, la=la)
        for key, name, phase in (("a", "Alder School", SchoolPhase.SECONDARY), ("b", "Birch School", SchoolPhase.PRIMARY),
                                 ("c", "Cedar Infant School", SchoolPhase.INFANT)):
            school = School(trust=trust, name=name, slug=f"{name.split()[0].lower()}", urn=f"8000{len(world.schools)}",
                            phase=phase, local_authority=la)
            db.session.add(school)
            world.schools[key] = school
        db.session.flush()
        for key in ("a", "b"):
            for role in SchoolRoleName:
                user = make_user(f"{key}.{role.value}@test.example.org", f"{key.upper()} {role.label}")
                user.school_roles.append(SchoolRole(school_id=world.schools[key].id, role=role,
                                                    covers="KS3" if role is SchoolRoleName.ATTENDANCE_OFFICER else None))
                world.users[f"{key}.{role.value}"] = user
        shared = make_user("shared.ap_leader@test.example.org", "Shared AP Leader")
        for key in ("a", "c"):
            shared.school_roles.append(SchoolRole(school_id=world.schools[key].id, role=SchoolRoleName.AP_LEADER))
        world.users["ac.ap_leader"] = shared
        for role in TrustRoleName:
            user = make_user(f"{role.value}@trust.example.org", role.label)
            user.trust_roles.append(TrustRole(role=role))
            world.users[f"trust.{role.value}"] = user
        nobody = make_user("no.roles@test.example.org", "No Roles")
        world.users["none"] = nobody
        db.session.commit()
    return world

"""Which schools a person can enter, and the key contacts each school shows (policy, first page)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import LAContact, LAContactKind, LocalAuthority, School, SchoolRole, Trust, TrustRole, User
from app.roles import KEY_CONTACT_ROLES, SchoolRoleName, TrustRoleName

# The LA lines of the policy's key contacts page. The LA's other contacts (AP notices, SEND casework) are
# where notifications go; the trustee keeps them in the admin.
KEY_CONTACT_LA_KINDS = (LAContactKind.APPROVED_PROVIDER_LIST, LAContactKind.VIRTUAL_SCHOOL_HEAD)


def schools_for_user(user: User) -> list[School]:
    ids = {sr.school_id for sr in user.school_roles}
    if not ids:
        return []
    return list(db.session.scalars(select(School).where(School.id.in_(ids), School.is_active.is_(True))
                                   .order_by(School.name)))


def the_trust() -> Trust | None:
    """The trust this deployment serves (one per deployment)."""
    return db.session.scalar(select(Trust).order_by(Trust.id).limit(1))


def school_by_id(school_id: int) -> School | None:
    return db.session.get(School, school_id)


def all_schools() -> list[School]:
    return list(db.session.scalars(select(School).where(School.is_active.is_(True)).order_by(School.name)))


@dataclass
class ContactLine:
    label: str
    people: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (name and cover, email, phone)


@dataclass
class KeyContacts:
    school: School
    school_lines: list[ContactLine]
    la_name: str
    la_lines: list[ContactLine]
    trust_name: str
    trust_lines: list[ContactLine]


def _holders_by_school(school_ids: list[int], roles: list[SchoolRole] | None = None
                       ) -> dict[int, dict[SchoolRoleName, list[SchoolRole]]]:
    if roles is None:
        roles = list(db.session.scalars(
            select(SchoolRole).where(SchoolRole.school_id.in_(school_ids)).options(joinedload(SchoolRole.user))))
    out: dict[int, dict[SchoolRoleName, list[SchoolRole]]] = {}
    for sr in roles:
        if sr.school_id in school_ids and sr.user.is_active:
            out.setdefault(sr.school_id, {}).setdefault(sr.role, []).append(sr)
    return out


def trust_contact_lines() -> list[ContactLine]:
    rows = db.session.scalars(select(TrustRole).options(joinedload(TrustRole.user)))
    by_role: dict[TrustRoleName, list[User]] = {}
    for tr in rows:
        if tr.user.is_active:
            by_role.setdefault(tr.role, []).append(tr.user)
    return [
        ContactLine(role.label, [(u.full_name, u.email, u.phone) for u in by_role.get(role, [])])
        for role in TrustRoleName
    ]


def key_contacts_for(school: School) -> KeyContacts:
    return key_contacts_for_schools([school])[0]


def key_contacts_for_schools(schools: list[School], roles: list[SchoolRole] | None = None) -> list[KeyContacts]:
    """Each school's key contacts, loaded together: the role holders of every school in one query (or from
    `roles`, every school role with its user, when the caller has them), the LAs with their contacts in one,
    the trust's lines once (the trust pages list fifty schools: issue 18)."""
    if not schools:
        return []
    holders = _holders_by_school([s.id for s in schools], roles)
    las = {la.id: la for la in db.session.scalars(
        select(LocalAuthority).where(LocalAuthority.id.in_({s.local_authority_id for s in schools}))
        .options(joinedload(LocalAuthority.contacts))).unique()}
    trusts = {t.id: t for t in db.session.scalars(select(Trust).where(Trust.id.in_({s.trust_id for s in schools})))}
    trust_lines = trust_contact_lines()
    return [_key_contacts(s, holders.get(s.id, {}), las[s.local_authority_id], trusts[s.trust_id].name,
                          trust_lines) for s in schools]


def _key_contacts(school: School, holders, la: LocalAuthority, trust_name: str,
                  trust_lines: list[ContactLine]) -> KeyContacts:
    school_lines = []
    for role in KEY_CONTACT_ROLES:
        people = []
        for sr in sorted(holders.get(role, []), key=lambda r: (r.covers or "", r.user.full_name)):
            name = f"{sr.user.full_name} ({sr.covers})" if sr.covers else sr.user.full_name
            people.append((name, sr.user.email, sr.user.phone))
        school_lines.append(ContactLine(role.label, people))
    la_lines = []
    for kind in KEY_CONTACT_LA_KINDS:
        contacts: list[LAContact] = [c for c in la.contacts if c.kind == kind and not c.is_archived]
        la_lines.append(ContactLine(kind.label, [(c.name, c.email, c.phone) for c in contacts]))
    return KeyContacts(school=school, school_lines=school_lines, la_name=la.name, la_lines=la_lines,
                       trust_name=trust_name, trust_lines=list(trust_lines))

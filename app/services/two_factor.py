"""Two-factor sign-in (issue 13 item 8): a code from an authenticator app (TOTP, pyotp) after the password, with
one-time recovery codes for a lost phone. Mandatory for everyone who sees safeguarding detail (the trust roles,
the designated trustee, DSLs, headteachers and AP leaders), optional for everyone else."""
from __future__ import annotations

import hashlib
import secrets

import pyotp
import segno
from flask import current_app
from sqlalchemy import func, select, update

from app.audit import record_event
from app.clock import now
from app.extensions import db
from app.models import RecoveryCode, TwoFactor, User
from app.roles import SchoolRoleName
from app.services.passkeys import has_passkey

ISSUER = "AP Hub"
RECOVERY_CODES = 10
# Roles that see safeguarding detail: their accounts must have a second factor. Every trust role counts.
MANDATORY_SCHOOL_ROLES = frozenset({SchoolRoleName.DSL, SchoolRoleName.HEADTEACHER, SchoolRoleName.AP_LEADER})
STEP_SECONDS = 30


def required(user: User) -> bool:
    if not current_app.config.get("TWO_FACTOR_MANDATORY", True):
        return False
    return bool(user.trust_roles) or any(sr.role in MANDATORY_SCHOOL_ROLES for sr in user.school_roles)


def _row(user: User) -> TwoFactor | None:
    return db.session.scalar(select(TwoFactor).where(TwoFactor.user_id == user.id))


def enrolled(user: User) -> bool:
    """Whether the person has an authenticator app (a confirmed TOTP secret)."""
    row = _row(user)
    return row is not None and row.confirmed_at is not None


def has_second_factor(user: User) -> bool:
    """An authenticator app or a passkey: either satisfies the mandatory rule (app.services.passkeys)."""
    return enrolled(user) or has_passkey(user)


def pending_secret(user: User) -> str:
    """The secret being enrolled (made on first asking, kept until confirmed, so a reload shows the same QR)."""
    row = _row(user)
    if row is None:
        row = TwoFactor(user_id=user.id, totp_secret=pyotp.random_base32())
        db.session.add(row)
        db.session.commit()
    return row.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg_data_uri(uri: str) -> str:
    """The QR code of the enrolment URI as an SVG data: URI (an <img>, no script, allowed by the CSP)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#0b0c0c", light="#ffffff")


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _accept_totp(row: TwoFactor, code: str) -> bool:
    """A code of the current step or either neighbour (clock drift), once: a conditional update moves
    `last_step` forward, so the same code, or an older one, never works twice even in a race."""
    digits = _normalise(code)
    if not digits.isdigit() or len(digits) != 6:
        return False
    totp = pyotp.TOTP(row.totp_secret)
    moment = now()
    current = int(moment.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), digits):
            claimed = db.session.execute(
                update(TwoFactor).where(TwoFactor.id == row.id,
                                        (TwoFactor.last_step.is_(None)) | (TwoFactor.last_step < step))
                .values(last_step=step)).rowcount
            return claimed == 1
    return False


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=now()))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    for code in codes:
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_hash(_normalise(code))))
    return codes


def confirm_enrolment(user: User, code: str) -> list[str] | None:
    """The first code from the app confirms it; returns the recovery codes (shown once), or None."""
    row = _row(user)
    if row is None or not _accept_totp(row, code):
        db.session.rollback()
        return None
    row.confirmed_at = now()
    codes = _new_recovery_codes(user)
    record_event(db.session, "two_factor_enrolled", "User", user.id, actor_id=user.id)
    db.session.commit()
    return codes


def verify(user: User, code: str) -> bool:
    """The second step of signing in: an app code, or an unused recovery code (then used up). A person with
    only passkeys has recovery codes too (first_recovery_codes)."""
    row = _row(user)
    if row is not None and row.confirmed_at is not None and _accept_totp(row, code):
        db.session.commit()
        return True
    normalised = _normalise(code)
    if normalised:
        used = db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                             RecoveryCode.code_hash == _hash(normalised),
                                                             RecoveryCode.used_at.is_(None))
                                  .values(used_at=now())).rowcount
        if used == 1:
            record_event(db.session, "recovery_code_used", "User", user.id, actor_id=user.id)
            db.session.commit()
            return True
    db.session.rollback()
    return False


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def first_recovery_codes(user: User) -> list[str] | None:
    """Recovery codes for a person whose first second factor is a passkey (an app's enrolment makes its own);
    None when they already have some."""
    if recovery_codes_left(user):
        return None
    codes = _new_recovery_codes(user)
    record_event(db.session, "recovery_codes_issued", "User", user.id, actor_id=user.id)
    db.session.commit()
    return codes


def renew_recovery_codes(user: User) -> list[str]:
    """New recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    record_event(db.session, "recovery_codes_renewed", "User", user.id, actor_id=user.id)
    db.session.commit()
    return codes

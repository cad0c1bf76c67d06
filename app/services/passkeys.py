"""Passkeys (WebAuthn, py_webauthn) as a second way to give the second factor (issue 13 item 8): a person
registers one or more from their two-factor page and, after the password, may use one instead of an app code.

Each ceremony's challenge is held on the server (`PasskeyChallenge`); the browser's cookie names only a random
handle. A challenge is taken once, by a conditional update, and only within CHALLENGE_LIFETIME, so a replayed
answer or a replayed cookie finds it spent. The relying party (RP ID, origin) comes from the settings
(docs/production.md); user verification is required; the authenticator's signature counter must go forward.
Every registration, removal, use and refusal is in the audit trail."""
from __future__ import annotations

import json
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    generate_challenge,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app.audit import record_event
from app.clock import now
from app.extensions import db
from app.models import Passkey, PasskeyChallenge, PasskeyChallengePurpose, User

RP_NAME = "AP Hub"
CHALLENGE_LIFETIME = timedelta(minutes=5)
CEREMONY_TIMEOUT_MS = 120_000  # what the browser is told; the server's own limit is CHALLENGE_LIFETIME
CREDENTIAL_JSON_MAX = 20_000  # a browser's answer is a few kilobytes


class PasskeyRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def relying_party() -> tuple[str, str]:
    """(RP ID, origin): PASSKEY_RP_ID and PASSKEY_ORIGIN, else BASE_URL's host name and scheme://host:port."""
    base = urlsplit(current_app.config["BASE_URL"])
    rp_id = current_app.config.get("PASSKEY_RP_ID") or base.hostname
    origin = current_app.config.get("PASSKEY_ORIGIN") or f"{base.scheme}://{base.netloc}"
    return rp_id, origin.rstrip("/")


def for_user(user: User) -> list[Passkey]:
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)))


def has_passkey(user: User) -> bool:
    return db.session.scalar(select(Passkey.id).where(Passkey.user_id == user.id).limit(1)) is not None


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(key.credential_id),
        transports=[AuthenticatorTransport(t) for t in (key.transports or "").split(",")
                    if t in AuthenticatorTransport._value2member_map_] or None)
        for key in for_user(user)]


def _new_challenge(user: User, purpose: PasskeyChallengePurpose) -> tuple[str, bytes]:
    moment = now()
    # This person's spent or lapsed challenges go as a new one is made: the table stays a handful of rows each.
    db.session.execute(delete(PasskeyChallenge).where(
        PasskeyChallenge.user_id == user.id,
        (PasskeyChallenge.used_at.is_not(None)) | (PasskeyChallenge.expires_at <= moment)))
    challenge, handle = generate_challenge(), secrets.token_urlsafe(32)
    db.session.add(PasskeyChallenge(user_id=user.id, handle=handle, purpose=purpose,
                                    challenge=bytes_to_base64url(challenge), expires_at=moment + CHALLENGE_LIFETIME))
    return handle, challenge


def _take_challenge(user: User, purpose: PasskeyChallengePurpose, handle: str | None) -> bytes:
    """The challenge this handle names, spent now; refused when unknown, someone else's, used or lapsed."""
    if not handle:
        raise PasskeyRefused("Start again: AP Hub did not ask this browser for a passkey.")
    moment = now()
    taken = db.session.execute(update(PasskeyChallenge).where(
        PasskeyChallenge.handle == handle, PasskeyChallenge.user_id == user.id, PasskeyChallenge.purpose == purpose,
        PasskeyChallenge.used_at.is_(None), PasskeyChallenge.expires_at > moment).values(used_at=moment)).rowcount
    if taken != 1:
        raise PasskeyRefused("That passkey request has lapsed or was already used: try again.")
    return base64url_to_bytes(db.session.scalar(select(PasskeyChallenge.challenge)
                                                .where(PasskeyChallenge.handle == handle)))


def _refuse(user: User, what: str, reason: str, message: str) -> PasskeyRefused:
    """Audit a refusal (committed with the spent challenge) and return the error to raise."""
    record_event(db.session, f"passkey_{what}_refused", "User", user.id, actor_id=user.id, detail=reason[:500])
    db.session.commit()
    return PasskeyRefused(message)


def registration_options(user: User) -> tuple[str, str]:
    """(handle, options as JSON) for navigator.credentials.create(); the passkeys already registered are
    excluded, so one authenticator is not registered twice."""
    handle, challenge = _new_challenge(user, PasskeyChallengePurpose.REGISTER)
    rp_id, _ = relying_party()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_name=user.email, user_display_name=user.full_name,
        user_id=f"aphub-user-{user.id}".encode(), challenge=challenge, timeout=CEREMONY_TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=_descriptors(user))
    db.session.commit()
    return handle, options_to_json(options)


def register(user: User, handle: str | None, name: str, credential_json: str) -> Passkey:
    """Check the browser's answer to registration_options and keep the passkey."""
    challenge = _take_challenge(user, PasskeyChallengePurpose.REGISTER, handle)
    rp_id, origin = relying_party()
    try:
        if len(credential_json or "") > CREDENTIAL_JSON_MAX:
            raise WebAuthnException("answer too long")
        verified = verify_registration_response(credential=credential_json, expected_challenge=challenge,
                                                expected_rp_id=rp_id, expected_origin=origin,
                                                require_user_verification=True)
    except (WebAuthnException, ValueError, TypeError, KeyError) as refused:
        raise _refuse(user, "registration", str(refused), "The passkey could not be checked, so it was not "
                      "added. Try again, or use another passkey.") from None
    transports = _transports(credential_json)
    key = Passkey(user_id=user.id, name=name.strip(), credential_id=bytes_to_base64url(verified.credential_id),
                  public_key=verified.credential_public_key, sign_count=verified.sign_count, transports=transports)
    db.session.add(key)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise PasskeyRefused("That passkey is already registered.") from None
    record_event(db.session, "passkey_registered", "User", user.id, actor_id=user.id, detail=key.name)
    db.session.commit()
    return key


def _transports(credential_json: str) -> str | None:
    try:
        listed = json.loads(credential_json).get("response", {}).get("transports") or []
    except (ValueError, AttributeError):
        return None
    kept = [t for t in listed if isinstance(t, str) and t in AuthenticatorTransport._value2member_map_]
    return ",".join(kept)[:200] or None


def sign_in_options(user: User) -> tuple[str, str]:
    """(handle, options as JSON) for navigator.credentials.get(), allowing only this person's passkeys."""
    handle, challenge = _new_challenge(user, PasskeyChallengePurpose.SIGN_IN)
    rp_id, _ = relying_party()
    options = generate_authentication_options(rp_id=rp_id, challenge=challenge, timeout=CEREMONY_TIMEOUT_MS,
                                              allow_credentials=_descriptors(user),
                                              user_verification=UserVerificationRequirement.REQUIRED)
    db.session.commit()
    return handle, options_to_json(options)


def verify_sign_in(user: User, handle: str | None, credential_json: str) -> Passkey:
    """The second step of signing in with a passkey: raises PasskeyRefused, else the passkey used."""
    challenge = _take_challenge(user, PasskeyChallengePurpose.SIGN_IN, handle)
    rp_id, origin = relying_party()
    refusal = "That passkey was not accepted. Try again, or type a code from your app or a recovery code."
    try:
        if len(credential_json or "") > CREDENTIAL_JSON_MAX:
            raise WebAuthnException("answer too long")
        credential = parse_authentication_credential_json(credential_json)
    except (WebAuthnException, ValueError, TypeError, KeyError) as refused:
        raise _refuse(user, "sign_in", str(refused), refusal) from None
    key = db.session.scalar(select(Passkey).where(Passkey.user_id == user.id,
                                                  Passkey.credential_id == credential.id))
    if key is None:
        raise _refuse(user, "sign_in", "not a passkey of this account", refusal)
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=key.public_key, credential_current_sign_count=key.sign_count,
            require_user_verification=True)
    except (WebAuthnException, ValueError, TypeError) as refused:
        raise _refuse(user, "sign_in", f"{key.name}: {refused}", refusal) from None
    # Conditional: two answers racing with the same counter move it once.
    moved = db.session.execute(update(Passkey).where(Passkey.id == key.id, Passkey.sign_count == key.sign_count)
                               .values(sign_count=verified.new_sign_count, last_used_at=now())).rowcount
    if moved != 1:
        raise _refuse(user, "sign_in", f"{key.name}: counter moved meanwhile", refusal)
    record_event(db.session, "passkey_used", "User", user.id, actor_id=user.id, detail=key.name)
    db.session.commit()
    return key


def remove(user: User, passkey_id: int) -> Passkey | None:
    """Remove one of this person's passkeys (someone else's is not found); it no longer signs in."""
    key = db.session.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id))
    if key is None:
        return None
    db.session.delete(key)
    record_event(db.session, "passkey_removed", "User", user.id, actor_id=user.id, detail=key.name)
    db.session.commit()
    return key

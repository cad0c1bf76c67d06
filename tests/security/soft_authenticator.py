"""A software passkey for the ceremonies' unit tests: an ES256 key pair that answers WebAuthn options exactly as
an authenticator and browser do (the "none" attestation, the client data, the signed authenticator data with its
counter). The browser journey uses Chromium's own virtual authenticator instead (tests/browser)."""
from __future__ import annotations

import hashlib
import json
import secrets

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import bytes_to_base64url

USER_PRESENT, USER_VERIFIED, ATTESTED = 0x01, 0x04, 0x40


class SoftAuthenticator:
    def __init__(self, rp_id: str, origin: str):
        self.rp_id, self.origin = rp_id, origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.sign_count = 0

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _authenticator_data(self, flags: int, attested: bool = False) -> bytes:
        data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + self.sign_count.to_bytes(4, "big")
        if attested:
            data += bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self._cose_key()
        return data

    def _client_data(self, kind: str, options_json: str, origin: str | None) -> bytes:
        challenge = json.loads(options_json)["challenge"]
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def create(self, options_json: str, origin: str | None = None) -> str:
        """The browser's answer to navigator.credentials.create() with these options, as JSON."""
        client_data = self._client_data("webauthn.create", options_json, origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {},
                                   "authData": self._authenticator_data(USER_PRESENT | USER_VERIFIED | ATTESTED,
                                                                        attested=True)})
        credential_id = bytes_to_base64url(self.credential_id)
        return json.dumps({"id": credential_id, "rawId": credential_id, "type": "public-key",
                           "clientExtensionResults": {},
                           "response": {"clientDataJSON": bytes_to_base64url(client_data),
                                        "attestationObject": bytes_to_base64url(attestation),
                                        "transports": ["internal"]}})

    def get(self, options_json: str, origin: str | None = None, sign_count: int | None = None) -> str:
        """The answer to navigator.credentials.get(): the counter goes up by one unless told otherwise."""
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        client_data = self._client_data("webauthn.get", options_json, origin)
        authenticator_data = self._authenticator_data(USER_PRESENT | USER_VERIFIED)
        signature = self.key.sign(authenticator_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        credential_id = bytes_to_base64url(self.credential_id)
        return json.dumps({"id": credential_id, "rawId": credential_id, "type": "public-key",
                           "clientExtensionResults": {},
                           "response": {"clientDataJSON": bytes_to_base64url(client_data),
                                        "authenticatorData": bytes_to_base64url(authenticator_data),
                                        "signature": bytes_to_base64url(signature)}})

"""Passwords as the NCSC advises: long enough (at least 12 characters), not one of the commonest or breached
passwords (a list shipped with the project: app/data/README.md), and no composition rules (no "one capital,
one digit", which only makes passwords harder to remember and no harder to guess)."""
from __future__ import annotations

import functools
import gzip
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200  # long passphrases welcome; past this is not a password but an upload
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
# Words that make a password easy to guess for this service in particular.
_SERVICE_WORDS = ("aphub", "ap hub", "alternativeprovision", "alternative provision")


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def password_problem(password: str, *, email: str = "", full_name: str = "") -> str | None:
    """What is wrong with a new password, in words a person can act on; None when it will do."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters. Three random words are easy to remember and hard to guess."
    if len(password) > MAX_LENGTH:
        return f"Use {MAX_LENGTH} characters or fewer."
    folded = password.strip().lower()
    squeezed = "".join(folded.split())
    if folded in common_passwords() or squeezed in common_passwords() or len(set(folded)) <= 2:
        return "That password is too common: it is on a list of passwords that attackers try first. Choose another."
    personal = {email.lower(), email.lower().split("@")[0], "".join(full_name.lower().split())} - {""}
    if squeezed in personal or any(squeezed == word.replace(" ", "") for word in _SERVICE_WORDS):
        return "That password is too easy to guess from your name or email address. Choose another."
    return None

"""Checking values: the UPN (DfE "Unique pupil numbers" guidance), small value checks, one commit per change."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.services.results import Result

# --- results ------------------------------------------------------------------------------------------------


def _commit(record, errors_on: str, message: str) -> Result:
    try:
        db.session.commit()
    except IntegrityError:
        # Two people saving the same UPN at once: the database keeps the first.
        db.session.rollback()
        return Result(errors={errors_on: message})
    return Result(record=record)


# --- UPN (DfE "Unique pupil numbers" guidance) --------------------------------------------------------------

# The check letter alphabet: A-Z without I, O and S; a letter's value is its index.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_UPN_SHAPE = re.compile(r"^[A-Z]\d{11}[0-9A-Z]$")


# The pupil form's hint: how the check letter works, said once, next to the algorithm it describes.
UPN_HINT = ("13 characters, as in the MIS: a check letter, then 12 more (11 digits, and a last digit, or a letter "
            "for a temporary UPN). The check letter comes from the other 12: multiply each by its position (2 to "
            "13; a letter counts as its place in the list below, from 0), add them up, divide by 23, and the "
            f"remainder picks the letter from {' '.join(UPN_LETTERS)} (0 is A). A mistyped digit gives another "
            "letter, so AP Hub can tell.")


def upn_check_letter(upn: str) -> str:
    """The DfE check letter for characters 2-13 of a UPN: each character times its position (2..13), summed,
    modulo 23, looked up in UPN_LETTERS. Character 13 may be a letter (a temporary UPN): its value is its index."""
    total = 0
    for position, char in enumerate(upn[1:13], start=2):
        total += (int(char) if char.isdigit() else UPN_LETTERS.index(char)) * position
    return UPN_LETTERS[total % 23]


def upn_problem(upn: str | None) -> str | None:
    """What is wrong with a UPN, or None: 13 characters, a check letter, 11 digits, a last digit or letter
    (temporary UPNs end in a letter), and the DfE check letter must match."""
    if not upn:
        return "Enter the UPN (unique pupil number)."
    if len(upn) != 13:
        return f"A UPN has 13 characters; this has {len(upn)}."
    if not _UPN_SHAPE.match(upn) or upn[0] not in UPN_LETTERS or upn[12] in "IOS":
        return "A UPN is a letter, 11 digits, then a digit or a letter (for example A123456789012)."
    if upn_check_letter(upn) != upn[0]:
        return "This UPN's check letter does not match its digits: check it against the MIS."
    return None


# --- small value checks -------------------------------------------------------------------------------------


def _text(values: Mapping, name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _bool(values: Mapping, name: str) -> bool:
    return bool(values.get(name))


def _email_problem(email: str | None) -> str | None:
    if email is None:
        return None
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "Enter an email address like name@example.org."
    return None


def _required(cleaned: dict, errors: dict, name: str, message: str, max_length: int | None = None) -> None:
    if cleaned.get(name) is None:
        errors[name] = message
    elif max_length is not None and len(cleaned[name]) > max_length:
        errors[name] = f"Keep this to {max_length} characters or fewer."


def _not_future(cleaned: dict, errors: dict, name: str, what: str) -> None:
    day = cleaned.get(name)
    if day is None:
        errors.setdefault(name, f"Enter {what}.")
    elif not isinstance(day, dt.date):
        errors[name] = f"Enter {what} as a real date."
    elif day > clock.today():
        errors[name] = f"{what[0].upper()}{what[1:]} cannot be in the future."

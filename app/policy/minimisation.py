"""Data minimisation in what AP Hub sends (UK GDPR Article 5(1)(c); issue 19, item 5): an email carries no more
personal data than its purpose needs. No Flask, no database.

A pupil's UPN and date of birth identify them beyond doubt to another organisation: the local authority told of a
placement (7.12), of a part-time timetable or a flexi-schooling arrangement (9.6, 10.7), the virtual school head or
social worker given key information after a review (8.8). Inside the trust a first name and surname initial, with a
link to the record behind sign-in, is enough: attendance prompts, welfare checks, tasks and digests never carry
them (a forwarded or misdirected staff email then reveals as little as possible).
"""
from __future__ import annotations

# The statutory recipients outside the trust whose notices may identify the pupil fully (values of
# app.models.Audience; kept as strings so this module needs nothing of the models).
IDENTIFYING_AUDIENCES = frozenset({"local_authority", "virtual_school", "social_worker"})


def may_identify_pupil(audience: str) -> bool:
    """Whether an email to this audience may carry the pupil's UPN and date of birth: only the LA, the virtual
    school head and the social worker, whose notices the policy requires (7.5, 7.6, 7.12, 8.8, 9.6, 10.7). Staff,
    the trust and parents (who know their own child) get neither."""
    return str(audience) in IDENTIFYING_AUDIENCES


def date_of_birth_forms(born) -> tuple[str, ...]:
    """The ways a date of birth is written in what AP Hub sends, for checking that one is absent."""
    return (born.isoformat(), f"{born:%-d %B %Y}", f"{born:%d/%m/%Y}", f"{born:%-d %b %Y}")

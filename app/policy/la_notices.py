"""Who is told about a pupil's alternative provision, outside the school: the LA, the Virtual School Head, the
LA's SEND team and the social worker.

- 7.12: the LA's AP notifications contact hears of every off-site placement commissioned; 7.6: the Virtual School
  Head, for a looked-after pupil; 7.5: the LA SEND team, for a pupil with an EHCP.
- 8.8: who receives the key information from a half-termly review.

Plain functions: given a pupil's facts, they name the recipients (stored values, no model import here); the
services look up the contacts and queue the notices.
"""
from __future__ import annotations

from dataclasses import dataclass

# --- notices of a placement commissioned (7.5, 7.6, 7.12) -------------------------------------------------------

# As stored: app.models.trust.LAContactKind values.
AP_NOTIFICATIONS = "ap_notifications"


def commissioning_recipients(pupil_facts) -> list[tuple[str, str]]:
    """7.12: the LA's AP notifications contact; 7.6: the Virtual School Head for a looked-after pupil; 7.5, 8.8:
    the LA SEND team for a pupil with an EHCP. Each as (dedupe suffix, LAContactKind value). `pupil_facts` is
    anything with is_looked_after and has_ehcp (a Pupil row)."""
    recipients = [("la", AP_NOTIFICATIONS)]
    if pupil_facts.is_looked_after:
        recipients.append(("vsh", "virtual_school_head"))
    if pupil_facts.has_ehcp:
        recipients.append(("send", "send"))
    return recipients


# --- information sharing after a review (8.8) ----------------------------------------------------------------

# As stored: app.models.pupils.InvolvementParty and app.models.trust.LAContactKind values (no model import here).
LA_SEND = "local_authority_send"
VIRTUAL_SCHOOL_HEAD = "virtual_school_head"
SOCIAL_WORKER = "social_worker"
_LA_CONTACT_KIND = {LA_SEND: "send", VIRTUAL_SCHOOL_HEAD: "virtual_school_head", SOCIAL_WORKER: None}


@dataclass(frozen=True)
class InformationRecipient:
    party: str  # LA_SEND, VIRTUAL_SCHOOL_HEAD or SOCIAL_WORKER
    because: str  # the pupil fact that makes them a recipient, for the record

    @property
    def la_contact_kind(self) -> str | None:
        """Where the school's LA holds this contact (LAContactKind value); None for the pupil's social worker,
        whose details are on the pupil's involvement record."""
        return _LA_CONTACT_KIND[self.party]


def information_sharing_recipients(pupil_facts) -> list[InformationRecipient]:
    """8.8: who receives the key information from a review. A pupil with an EHCP: the LA's SEND point of contact;
    an allocated social worker: the social worker; looked after: the Virtual School Head and the social worker.
    Anyone else: nobody (LA procedures for other pupils are the 7.12 notices). `pupil_facts` is anything with
    has_ehcp, has_social_worker and is_looked_after (app.policy.pre_placement.PupilFacts, a Pupil row)."""
    recipients: list[InformationRecipient] = []
    if getattr(pupil_facts, "has_ehcp", False):
        recipients.append(InformationRecipient(LA_SEND, "has an EHCP"))
    if getattr(pupil_facts, "is_looked_after", False):
        recipients.append(InformationRecipient(VIRTUAL_SCHOOL_HEAD, "is looked after"))
        recipients.append(InformationRecipient(SOCIAL_WORKER, "is looked after"))
    elif getattr(pupil_facts, "has_social_worker", False):
        recipients.append(InformationRecipient(SOCIAL_WORKER, "has an allocated social worker"))
    return recipients

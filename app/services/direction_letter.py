"""The written confirmation to parents of an off-site direction (6.5), as a printable PDF (fpdf2).

What it says comes from reference/statutory-facts.md: the provision's address, who to report to, the number of
days, the reasons and objectives, the session times, the parents' duty under section 444(1) of the Education
Act 1996 as if the provision were the school, and that their consent is not required.
"""
from __future__ import annotations

from app.extensions import db
from app.models import OffSiteDirection, ProviderSite, School
from app.services import letters
from app.services.placements import WEEKDAYS, direction_days, letter_due_by

DUTY_444 = ("You remain under the duty set out in section 444(1) of the Education Act 1996 to make sure that "
            "{name} attends this provision regularly, as if it were {school}. An absence from the provision is "
            "treated as an absence from school.")
NO_CONSENT = ("The governing body has made this direction under its powers to improve behaviour. We will always "
              "try to work closely with you, but your consent is not required for the arrangement to go ahead.")


def letter_paragraphs(direction: OffSiteDirection) -> list[tuple[str | None, str]]:
    """The letter as (heading, text) pairs: shown on the page and written into the PDF."""
    placement = direction.placement
    pupil, provider = placement.pupil, placement.provider
    school = db.session.get(School, placement.school_id)
    site = db.session.get(ProviderSite, placement.provider_site_id) if placement.provider_site_id else None
    name = f"{pupil.first_name} {pupil.last_name}"
    address = f"{provider.name}, {site.address}" if site else f"{provider.name} (address to follow from the school)"
    days = direction_days(direction)
    days_text = (f"{days} school days, from {placement.start_date:%A %-d %B %Y} until {direction.ends_by:%A %-d %B %Y} "
                 "at the latest" if days is not None else
                 f"from {placement.start_date:%A %-d %B %Y} until {direction.ends_by:%A %-d %B %Y} at the latest")
    sessions = "; ".join(f"{WEEKDAYS[s.weekday]} {s.session.value.upper()}: {s.starts_at:%H:%M} to {s.ends_at:%H:%M}"
                         for s in placement.weekly_sessions) or "to be confirmed by the school"
    approved = direction.governing_body_approved_on
    return [
        (None, f"Dear parent or carer of {name},"),
        (None, f"The governing body of {school.name} has directed that {name} attends education off the school site "
               f"to improve their behaviour{f', approved on {approved:%-d %B %Y}' if approved else ''}."),
        ("Where", address),
        ("Who to report to", direction.report_to or "the member of staff who meets pupils on arrival"),
        ("How long", f"{days_text}. The direction will be reviewed on {direction.review_on:%A %-d %B %Y}."),
        ("Why, and what we want to achieve", direction.reasons_and_objectives),
        ("Session times", sessions),
        ("Your duty", DUTY_444.format(name=name, school=school.name)),
        ("Your consent", NO_CONSENT),
        (None, "You may ask the school in writing for a review of the direction. If you have any questions, please "
               f"contact {school.name}."),
    ]


def letter_pdf(direction: OffSiteDirection) -> bytes:
    """The letter as a PDF, dated today (the school prints it, sends it and records the date it was sent)."""
    school = db.session.get(School, direction.placement.school_id)
    due = letter_due_by(direction)
    return letters.letter_pdf(
        school_name=school.name, title="Off-site direction: letter to parents",
        heading="Off-site direction to improve behaviour", paragraphs=letter_paragraphs(direction),
        notes=[f"To be sent by {due:%-d %B %Y}, 2 school days before the start."] if due is not None else [],
        sign_off=school.name)

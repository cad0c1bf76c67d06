"""The headteacher's decision on a flexi-schooling request, in writing (policy 10.4: "The school's decision will
be communicated in writing. There is no right of appeal to the decision"), as a printable PDF in the layout of
every letter to parents (app.services.letters)."""
from __future__ import annotations

from app.extensions import db
from app.models import FlexiRequest, FlexiRequestStatus, School
from app.policy.flexi_schooling import NO_APPEAL, describe_pattern
from app.services import letters


def letter_paragraphs(request: FlexiRequest) -> list[tuple[str | None, str]]:
    """The letter as (heading, text) pairs: shown on the page and written into the PDF."""
    pupil = request.pupil
    school = db.session.get(School, request.school_id)
    name = f"{pupil.first_name} {pupil.last_name}"
    approved = request.status is FlexiRequestStatus.APPROVED
    decided = f"{request.decided_on:%-d %B %Y}" if request.decided_on else "(not yet decided)"
    meeting = (f"Thank you for meeting us on {request.meeting_held_on:%-d %B %Y} to discuss it."
               if request.meeting_held_on else
               f"We offered to meet you on {request.meeting_offered_on:%-d %B %Y} to discuss it."
               if request.meeting_offered_on else "")
    paragraphs = [
        (None, f"Dear {request.requested_by},"),
        (None, f"Thank you for your written request, received on {request.received_on:%-d %B %Y}, for {name} to be "
               f"flexi-schooled. {meeting}".strip()),
        ("The decision", f"The headteacher has carefully considered your request, {name}'s age, progress and needs, "
                         f"the proposed pattern of attendance and the home education provision, and on {decided} "
                         f"{'approved' if approved else 'did not approve'} it."),
        ("Reasons", request.decision_reasons or ""),
    ]
    if approved:
        paragraphs.append(("What happens next", "The school will draw up a flexi-schooling agreement with you (policy "
                           "10.5), setting out when the arrangement begins, the times in school and at home ("
                           + "; ".join(describe_pattern(request.proposed_home_sessions)) + " as proposed), the "
                           "education at home and at school, and who is responsible for your child's welfare at home. "
                           "It will be reviewed every term, and either of us may withdraw from it with reasonable "
                           "notice, usually at least four weeks (policy 10.6)."))
    paragraphs += [("Appeal", NO_APPEAL),
                   (None, f"If you have any questions, please contact {school.name}.")]
    return paragraphs


def letter_pdf(request: FlexiRequest) -> bytes:
    """The letter as a PDF, dated today (the school sends it and records the date it was sent)."""
    school = db.session.get(School, request.school_id)
    return letters.letter_pdf(school_name=school.name, title="Flexi-schooling request: the decision",
                              heading="Your request for flexi-schooling", paragraphs=letter_paragraphs(request),
                              sign_off=f"Headteacher, {school.name}")

"""The headteacher's decision on a flexi-schooling request, in writing (policy 10.4: "The school's decision will
be communicated in writing. There is no right of appeal to the decision"), as a printable PDF (fpdf2), written
as the off-site direction letter is (app.services.direction_letter)."""
from __future__ import annotations

from fpdf import FPDF

from app import clock
from app.extensions import db
from app.models import FlexiRequest, FlexiRequestStatus, School
from app.policy.flexi_schooling import NO_APPEAL, describe_pattern
from app.services.direction_letter import _plain


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
    pdf = FPDF(format="A4")
    pdf.set_compression(False)  # plain text inside: a search of the file finds what it says
    pdf.set_title(_plain(f"Flexi-schooling request: the decision - {school.name}"))
    pdf.set_author(_plain(school.name))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 8, _plain(school.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    pdf.multi_cell(0, 6, _plain(f"{clock.today():%-d %B %Y}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 12)
    pdf.multi_cell(0, 7, "Your request for flexi-schooling", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for heading, text in letter_paragraphs(request):
        if heading:
            pdf.set_font("helvetica", "B", 11)
            pdf.multi_cell(0, 6, _plain(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 11)
        pdf.multi_cell(0, 6, _plain(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.multi_cell(0, 6, _plain(f"Yours sincerely,\n\nHeadteacher, {school.name}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

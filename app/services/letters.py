"""Letters to parents as printable PDFs (fpdf2): one layout for every letter AP Hub writes (the off-site direction's
written confirmation, 6.5; the flexi-schooling decision, 10.4). The school prints it, sends it and records the date
it was sent; what each letter says is its own module's (letter_paragraphs)."""
from __future__ import annotations

from collections.abc import Iterable

from fpdf import FPDF

from app import clock

# The core PDF fonts are Latin-1: typographic punctuation is written plainly.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                        "\u2026": "...", "\u00a0": " "})


def plain(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def letter_pdf(*, school_name: str, title: str, heading: str, paragraphs: Iterable[tuple[str | None, str]],
               notes: Iterable[str] = (), sign_off: str) -> bytes:
    """The letter, dated today, from the school: `notes` are small lines under the date (e.g. when it must be
    sent by), `paragraphs` (heading or None, text) the body, `sign_off` whose name closes it."""
    pdf = FPDF(format="A4")
    pdf.set_compression(False)  # plain text inside: a search of the file finds what it says
    pdf.set_title(plain(f"{title} - {school_name}"))
    pdf.set_author(plain(school_name))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 8, plain(school_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    for line in (f"{clock.today():%-d %B %Y}", *notes):
        pdf.multi_cell(0, 6, plain(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 12)
    pdf.multi_cell(0, 7, plain(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for subheading, text in paragraphs:
        if subheading:
            pdf.set_font("helvetica", "B", 11)
            pdf.multi_cell(0, 6, plain(subheading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 11)
        pdf.multi_cell(0, 6, plain(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.multi_cell(0, 6, plain(f"Yours sincerely,\n\n{sign_off}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

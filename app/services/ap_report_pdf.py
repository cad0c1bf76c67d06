"""The headteacher's report (4.2) and the trust report as PDFs (fpdf2): the same sections, tables and bar charts as
the pages, from the same app.services.ap_report data. Aggregates only, as the pages."""
from __future__ import annotations

from fpdf import FPDF

from app import clock
from app.services.ap_report import ReportData, charts_for
from app.services.letters import plain as _plain
from app.services.report_charts import value_text


def _new_pdf(title: str, author: str) -> FPDF:
    pdf = FPDF(format="A4", orientation="landscape")
    pdf.set_compression(False)  # plain text inside: a search of the file finds what it says
    pdf.set_title(_plain(title))
    pdf.set_author(_plain(author))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    return pdf


def _table(pdf: FPDF, headers: list[str], rows: list[list[str]], first_width: float = 80) -> None:
    other = (pdf.w - pdf.l_margin - pdf.r_margin - first_width) / max(len(headers) - 1, 1)
    widths = [first_width, *[other] * (len(headers) - 1)]
    _row(pdf, widths, headers, "B", right_from=len(headers))
    for row in rows:
        _row(pdf, widths, row, "", right_from=1)
    pdf.ln(2)


def _row(pdf: FPDF, widths: list[float], values: list, style: str, right_from: int) -> None:
    """One row of bordered cells, drawn as text in boxes: fpdf's cell() lays out each value as styled text
    (the trust report's 2,700 cells took 90 ms that way, a third of it like this)."""
    if pdf.will_page_break(6):
        pdf.add_page()
    pdf.set_font("helvetica", style, 9)
    x, y = pdf.l_margin, pdf.get_y()
    for i, (width, value) in enumerate(zip(widths, values, strict=False)):
        text = _plain(str(value))[:48]
        if style:  # a heading too long for its column: smaller, inside it
            pdf.set_font_size(9)
            while pdf.font_size_pt > 6 and pdf.get_string_width(text) > width - 2:
                pdf.set_font_size(pdf.font_size_pt - 0.5)
        pdf.text(x + width - 1 - pdf.get_string_width(text) if i >= right_from else x + 1, y + 4.2, text)
        pdf.rect(x, y, width, 6)
        x += width
    pdf.set_xy(pdf.l_margin, y + 6)


def _bars(pdf: FPDF, chart) -> None:
    """The section's bar chart, scaled into a 100 x 40 mm box."""
    if chart is None or pdf.will_page_break(50):
        if chart is not None:
            pdf.add_page()
        else:
            return
    x0, y0 = pdf.l_margin, pdf.get_y()
    sx, sy = 100 / chart.width, 40 / chart.height
    pdf.set_draw_color(11, 12, 12)
    pdf.line(x0, y0 + chart.baseline * sy, x0 + chart.width * sx, y0 + chart.baseline * sy)
    pdf.set_font("helvetica", "", 7)
    for i, bar in enumerate(chart.bars):
        pdf.set_fill_color(*((29, 112, 184) if i == len(chart.bars) - 1 else (142, 184, 220)))
        if bar.height:
            pdf.rect(x0 + bar.x * sx, y0 + bar.y * sy, chart.bar_width * sx, bar.height * sy, style="F")
        pdf.text(x0 + bar.x * sx, y0 + (chart.baseline + 9) * sy, _plain(bar.label[:20]))
        pdf.text(x0 + bar.x * sx, y0 + (bar.y - 2) * sy, _plain(bar.value_text))
    pdf.set_y(y0 + 44)


def _sections(pdf: FPDF, data: ReportData) -> None:
    charts = charts_for(data)
    periods = [w.key for w in data.periods]
    for section in data.sections:
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.set_font("helvetica", "B", 12)
        pdf.cell(0, 8, _plain(f"{section.title} (policy {section.policy})"), new_x="LMARGIN", new_y="NEXT")
        if section.not_recorded:
            pdf.set_font("helvetica", "", 10)
            pdf.multi_cell(0, 6, _plain(section.not_recorded), new_x="LMARGIN", new_y="NEXT")
            continue
        _bars(pdf, charts.get(section.key))
        _table(pdf, ["Measure", *periods], [[r.label, *[value_text(v, r.kind) for v in r.values]]
                                            for r in section.rows])
        for b in section.breakdowns:
            pdf.set_font("helvetica", "I", 9)
            pdf.cell(0, 6, _plain(b.caption), new_x="LMARGIN", new_y="NEXT")
            rows = [[row[0], *[value_text(v, "money" if b.headers[i + 1].startswith("Cost") else "count")
                               for i, v in enumerate(row[1:])]] for row in b.rows] or [["None this period."]]
            _table(pdf, b.headers, rows)


def report_pdf(data: ReportData, presented: str | None = None) -> bytes:
    pdf = _new_pdf(f"Headteacher's report on the use of AP: {data.label} - {data.school.name}", data.school.name)
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 9, _plain(f"{data.school.name}: the use of alternative provision"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    period = data.periods[-1]
    pdf.multi_cell(0, 6, _plain(f"The headteacher's report to the governing body and the trust (policy 4.2): "
                                f"{data.label}, {period.first_day:%-d %B %Y} to {period.last_day:%-d %B %Y}. "
                                f"Made {clock.today():%-d %B %Y}. Figures only: no pupil is named."),
                   new_x="LMARGIN", new_y="NEXT")
    if presented:
        pdf.multi_cell(0, 6, _plain(presented), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _sections(pdf, data)
    return bytes(pdf.output())


def trust_report_pdf(report) -> bytes:
    """The trust report: per section, one row per school and the trust's total (app.services.trust_report)."""
    pdf = _new_pdf(f"Trust report on the use of AP: {report.label}", "AP Hub")
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 9, _plain(f"The use of alternative provision across the trust: {report.label}"),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    pdf.multi_cell(0, 6, _plain(f"{report.first_day:%-d %B %Y} to {report.last_day:%-d %B %Y}; "
                                f"{len(report.schools)} schools. Figures only: no pupil is named."),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    for section, rows in report.sections:
        if pdf.will_page_break(30):
            pdf.add_page()
        pdf.set_font("helvetica", "B", 12)
        pdf.cell(0, 8, _plain(f"{section.title} (policy {section.policy})"), new_x="LMARGIN", new_y="NEXT")
        if section.not_recorded:
            pdf.set_font("helvetica", "", 10)
            pdf.multi_cell(0, 6, _plain(section.not_recorded), new_x="LMARGIN", new_y="NEXT")
            continue
        _table(pdf, ["School", *[r.label for r in section.rows]],
               [[name, *[value_text(v, r.kind) for v, r in zip(values, section.rows, strict=True)]] for name, values in rows],
               first_width=60)
    return bytes(pdf.output())

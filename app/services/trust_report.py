"""The trust report (issue 16 item 6; policy 4.2): the headteacher's report's measures for every school side by side
for one period, with the trust's total, for the trust central team and the designated trustee; the same figures
as a PDF. One app.services.ap_figures call for every school: a fixed number of queries. Aggregates only."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.models import School
from app.services.ap_figures import PeriodFigures, Window, period_figures
from app.services.ap_report import Section, build_sections
from app.services.schools import all_schools


@dataclass
class TrustReport:
    label: str
    first_day: dt.date
    last_day: dt.date
    schools: list[School]
    sections: list[tuple[Section, list[tuple[str, list]]]]  # (section, [(school or "The trust", row values)])


def trust_report(label: str, first_day: dt.date, last_day: dt.date,
                 schools: list[School] | None = None) -> TrustReport:
    """`schools`: the active schools when the caller has read them already (all of them, by name)."""
    schools = all_schools() if schools is None else schools
    window = Window(label, first_day, last_day)
    figures = period_figures({s.id: [window] for s in schools})
    per_school = [(s.name, build_sections([figures[(s.id, label)]])) for s in schools]
    trust = build_sections([PeriodFigures.merged([figures[(s.id, label)] for s in schools])])
    sections = []
    for i, section in enumerate(trust):
        if section.not_recorded:
            sections.append((section, []))
            continue
        rows = [(name, [r.values[0] for r in built[i].rows]) for name, built in per_school]
        rows.append(("The trust", [r.values[0] for r in section.rows]))
        sections.append((section, rows))
    return TrustReport(label, first_day, last_day, schools, sections)

"""The trust report (issue 16 item 6; policy 4.2): every school side by side with the trust's total for a term, as a
page and a PDF, naming no pupil, in a number of queries that does not grow with the schools."""
from __future__ import annotations

import datetime as dt
import re

from app.services.trust_report import trust_report
from tenants import trust_scope
from tests.helpers import fresh_client, school_time, sign_in
from tests.oversight.history import add_history, add_school, enter_years
from tests.oversight.test_trust_dashboard import count_queries, lead_id
from tests.placements.conftest import vetted_provider

TERM = "2025-09-04|2025-12-19|Autumn term 2025-26"


def test_schools_side_by_side_with_the_trust_total(app, world):
    provider = vetted_provider(world, name="Willow Tutors")
    leader = world.users["a.ap_leader"].id
    for school in (world.a.id, world.b.id):
        enter_years(school)
    add_history(world.a.id, provider, leader, "Zebedee", dt.date(2025, 9, 8), dt.date(2025, 12, 12))
    add_history(world.b.id, provider, leader, "Quillon", dt.date(2025, 9, 15), None)
    add_history(world.b.id, provider, leader, "Yarrow", dt.date(2025, 10, 6), None)
    client = fresh_client(app)
    with school_time("2026-01-20 10:00"):
        sign_in(client, "designated_trustee@trust.example.org")
        page = client.get(f"/trust/report?term={TERM}").get_data(as_text=True)
        pdf = client.get("/trust/report.pdf?from=2025-09-04&to=2025-12-19&label=Autumn")
    use = page.split('id="t-use"', 1)[1].split("</table>", 1)[0]

    def cells(name):
        return re.findall(r">(\d+)<", re.search(rf">{name}</th>(.*?)</tr>", use, re.S).group(1))

    assert cells("Alder School")[0] == "1" and cells("Birch School")[0] == "2" and cells("The trust")[0] == "3"
    assert pdf.status_code == 200 and b"Birch School" in pdf.data and b"The trust" in pdf.data
    for name in ("Zebedee", "Quillon", "Yarrow"):
        assert name not in page and name.encode() not in pdf.data


def test_the_query_count_does_not_grow_with_schools(app, world):
    provider = vetted_provider(world, name="Willow Tutors")
    leader = world.users["a.ap_leader"].id
    lead = lead_id(world)

    def measure():
        with school_time("2026-01-20 10:00"), trust_scope(lead, "test: the trust report's queries"):
            return count_queries(lambda: trust_report("Autumn", dt.date(2025, 9, 4), dt.date(2025, 12, 19)))

    enter_years(world.a.id)
    add_history(world.a.id, provider, leader, "Ash", dt.date(2025, 9, 8), None)
    small = measure()
    for n in range(3):
        school = add_school(world, f"oak{n}", f"Oak {n} Academy")
        enter_years(school)
        add_history(school, provider, leader, f"P{n}", dt.date(2025, 9, 8), dt.date(2025, 11, 28))
    assert measure() == small

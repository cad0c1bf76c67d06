"""The demo has two terms of history (issue 16 'Also'): the trust dashboard's trends and the headteacher's report
show figures on first run; last term's report is presented, noted by governors and sent to the trust."""
from __future__ import annotations

import re

from sqlalchemy import select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.models.oversight import HeadteacherReport
from tenants import system_scope
from tests.helpers import fresh_client, school_time, sign_in

SEEDED_ON = "2026-01-20 08:00"


def test_the_demo_shows_history_in_the_trends_and_a_presented_report(app):
    with school_time(SEEDED_ON):
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    with system_scope("test: the demo's reports"):
        reports = db.session.scalars(select(HeadteacherReport)).all()
        assert {r.label for r in reports} == {"Autumn term 2025-26"} and len(reports) == 2
        assert all(r.presented_on and r.sent_to_trust_at and r.notes for r in reports)
        report_id = next(r.id for r in reports if r.school_id == _school_id("millbrook"))
    lead = fresh_client(app)
    with school_time("2026-01-20 09:00"):
        sign_in(lead, "safeguarding@trust.example.org", DEMO_PASSWORD)
        page = lead.get("/trust/").get_data(as_text=True)
    pupils = page.split('id="trend-pupils_in_ap"', 1)[1].split("</table>", 1)[0]
    millbrook = re.search(r">Millbrook Academy</th>(.*?)</tr>", pupils, re.S).group(1)
    assert sum(int(v) for v in re.findall(r">(\d+)<", millbrook)) >= 4  # two terms of placements
    head = fresh_client(app)
    with school_time("2026-01-20 09:00"):
        sign_in(head, "head@millbrook.example.org", DEMO_PASSWORD)
        report = head.get(f"/millbrook/reports/{report_id}").get_data(as_text=True)
        home = head.get("/millbrook/").get_data(as_text=True)
        census = head.get("/millbrook/census/").get_data(as_text=True)
    assert "Full governing body" in report and "Why was one review late" in report
    cost = re.search(r"Cost of placements</th>(.*?)</tr>", report, re.S).group(1)
    assert re.findall(r"£([\d,.]+)", cost)[-1] != "0.00"
    assert "Tobin" not in report and "Ravensworth" not in report
    assert "Approvals waiting" in home
    part_time = re.search(r"Pupils on a part-time timetable</th>(.*?)</tr>", report, re.S).group(1)
    # The two terms before: each has at least the history seeder's one (the demo made relative to today may add
    # the current pupils' timetable to the later term).
    assert all(int(v) >= 1 for v in re.findall(r">(\d+)<", part_time)[-2:])
    assert "Ottilie" not in report and "Brackenbury" not in report
    assert "School census: alternative provision placements" in census and "Sessions per week" in census


def _school_id(slug: str) -> int:
    from app.models import School

    return db.session.scalar(select(School.id).where(School.slug == slug))

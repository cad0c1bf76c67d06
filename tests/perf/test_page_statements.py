"""Every page's SQL statement count: the same with ten times the history, and at most 12 (issue 18).

The world is the benchmark's generated trust (bench/large_trust.py) at a small size; the tenfold history is
added to the same trust (older years of sent notifications, done tasks and confirmed attendance), so the only
thing that changes between the two walks is how much history there is. A count, not a timing.
"""
from __future__ import annotations

import pytest

from bench.large_trust import Sizes, add_history, generate
from bench.page_walk import table, walk
from tests.helpers import school_time

MAX_STATEMENTS = 12
# Pages still over the target, with their count on this world: each figure may only go down (lower it when a
# page gets cheaper, drop the line at 12). None is over now: the school dashboard reads its cards' counts as one
# UNION ALL (app.services.school_dashboard), the pupil's record its kinds of record (app.services.record_kinds).
OVER_TARGET: dict[str, int] = {}
SMALL = Sizes(schools=2, placements=6, pupils=20, providers=6, history=1, history_items_per_placement_year=3)


@pytest.fixture
def walk_as_signed_in(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)  # the walk signs in by posting the form
    return lambda: {p.endpoint: p for p in walk(app, requests=1)}


def test_every_page_has_the_same_statement_count_at_1x_and_10x_history_and_at_most_12(app, walk_as_signed_in):
    with school_time("2026-03-11 09:10"):  # a Wednesday in term
        generate(SMALL, log=lambda _m: None)
        at_1x = walk_as_signed_in()
        add_history(SMALL, 10, log=lambda _m: None)
        at_10x = walk_as_signed_in()
    measured = [p for p in at_10x.values() if p.statements]
    report = table(list(at_10x.values()))
    assert len(measured) > 100, report
    grew = {e: (at_1x[e].statements, p.statements) for e, p in at_10x.items()
            if p.statements and at_1x[e].statements != p.statements}
    assert not grew, f"statement counts that changed with history: {grew}\n{report}"
    over = {p.endpoint: (max(p.statements), OVER_TARGET.get(p.endpoint, MAX_STATEMENTS)) for p in measured
            if max(p.statements) > OVER_TARGET.get(p.endpoint, MAX_STATEMENTS)}
    assert not over, f"pages over their statement budget (count, budget): {over}\n{report}"
    cheaper = {e: (max(at_10x[e].statements), budget) for e, budget in OVER_TARGET.items()
               if e in at_10x and at_10x[e].statements and max(at_10x[e].statements) < budget}
    assert not cheaper, f"pages now cheaper than OVER_TARGET says: lower their figures {cheaper}"

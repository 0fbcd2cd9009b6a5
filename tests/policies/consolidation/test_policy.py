"""The consolidation policy as a whole: directions of effect, hooks, what it publishes."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from policies.consolidation.runs import FAST
from sim.policies.consolidation import Consolidation, Decision, Nominee, policy
from sim.state import OPEN, PLANNED, PRIMARY, VILLAGE_TIER


def _model(overrides, seed=0):
    return sim.EducationModel(sim.load_scenario("small_county", overrides), seed=seed)


def _policy(m) -> Consolidation:
    return next(p for p in m.policies if isinstance(p, Consolidation))


def test_consolidation_closes_schools_and_lengthens_commutes():
    years = ["years=6"]
    base = sim.run(sim.load_scenario("small_county", years), seed=0, replicates=3).county
    cons_run = sim.run(sim.load_scenario("small_county", [*years, *FAST]), seed=0,
                       replicates=3).county
    last = base["year"].max()
    b, c = base[base.year == last], cons_run[cons_run.year == last]
    assert c["schools_open"].mean() < b["schools_open"].mean()
    assert c["mean_commute_min"].mean() > b["mean_commute_min"].mean()


def test_a_school_a_plan_builds_is_planned_until_its_year_then_opens():
    m = _model({"policies.consolidation.plan": [
        {"action": "build", "year": 2026, "name": "New Junior", "settlement": "County Town",
         "level": "junior", "classrooms": 12}]})
    row = m.schools.name.index("New Junior")
    assert m.schools.status[row] == PLANNED and m.schools.opened_year[row] == -1
    assert not m.schools.serves(7)[row]
    assert m.schools.classrooms[row] == 12  # not resized to a roll it does not have
    while m.year < 2025:  # the step of 2025 is the last before it opens
        m.step()
        assert m.schools.status[row] == PLANNED
        assert not (m.children.school == row).any()
        assert not (m.teachers.school == row).any()
    m.step()
    assert m.schools.status[row] == OPEN and m.schools.opened_year[row] == 2026
    assert m.schools.classrooms[row] == 12
    assert (m.children.school == row).any()


def test_the_hooks_run_in_force_in_the_withdrawal_year_and_when_a_restore_is_due():
    m = _model({"policies.consolidation.start_year": 2026, "policies.consolidation.end_year": 2027,
                "policies.consolidation.plan": [{"action": "restore", "year": 2030}]})
    p = _policy(m)
    years = (2025, 2026, 2027, 2028, 2029, 2030)
    assert [p.acts_in(y) for y in years] == [False, True, True, True, False, True]
    assert not p.in_force(2028) and p.withdraws_in(2028)


def _village_primary(m) -> int:
    s = m.schools
    ids = np.flatnonzero((s.status == OPEN) & (s.level == PRIMARY) & (s.tier == VILLAGE_TIER))
    return int(ids[0])


@pytest.mark.parametrize(("free", "build_first", "decision", "event"), [
    (True, True, Decision.SCHEDULED, "closure_scheduled"),
    (False, True, Decision.BUILDS, "build_first"),
    (False, False, Decision.WAITS, "closure_waits"),
])
def test_a_nominee_is_scheduled_built_for_or_left_waiting(free, build_first, decision, event):
    m = _model({"policies.consolidation.build_before_closing": build_first})
    m.step()
    p, school = _policy(m), _village_primary(m)
    capacity = policy.receiving_capacity(m)
    if not free:
        capacity.seats[:] = 0
    before = len(m.events)
    assert p._decide(m, Nominee(school, "close", None, "rule"), capacity) is decision
    assert [e[1] for e in m.events[before:]] == [event]
    scheduled = [a for a in p.queue if a.kind == "close" and a.target == school]
    assert bool(scheduled) == (decision is Decision.SCHEDULED)
    if scheduled:
        assert scheduled[0].year == m.year + 1 and school in capacity.departing

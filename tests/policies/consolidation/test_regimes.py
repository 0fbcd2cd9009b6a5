"""Regimes (issue 13, item 8) and receiving schools not below the closure threshold (item 5).

The 2012 regime of ``china_2001_2020`` follows 国办发〔2012〕48号: a pause, then closures under
its procedures (k = 2, access check, lower grades kept near home) and teaching points restored
where needed. Tests assert the rules, not post-2011 counts (the next issue's out-of-sample test).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from policies.consolidation.runs import FAST, SEEDS, events
from sim.behaviour.schools import pupils_by_grade
from sim.policies.consolidation import Consolidation
from sim.policies.consolidation import policy as policy_module
from sim.policies.consolidation.rule import below_in_scope

REGIMES = {"policies.consolidation.regimes": [
    {"year": 2026, "max_closures_per_year": 0},
    {"year": 2027, "max_closures_per_year": 3, "consecutive_years": 2, "check_access": True,
     "lower_grades_stay": True, "young_max_commute_min": 30,
     "restore_where_needed": {"select": {"min_far_pupils": 1, "max_commute_min": 30}}},
]}


def _policy(m) -> Consolidation:
    return next(p for p in m.policies if isinstance(p, Consolidation))


def test_each_regime_replaces_only_the_fields_it_sets_from_its_year():
    m = sim.EducationModel(sim.load_scenario("small_county", {
        "policies.consolidation.rule.consecutive_years": 1,
        "policies.consolidation.max_closures_per_year": 5, **REGIMES}), seed=0)
    p = _policy(m)
    before, pause, after = p._regime(2025), p._regime(2026), p._regime(2030)
    assert (before.max_closures_per_year, before.rule.consecutive_years) == (5, 1)
    assert pause.max_closures_per_year == 0 and pause.rule.consecutive_years == 1
    assert (after.max_closures_per_year, after.rule.consecutive_years) == (3, 2)
    assert after.rule.min_pupils == before.rule.min_pupils  # thresholds stay
    assert after.young_max_commute_min == 30 and after.check_access and after.lower_grades_stay
    assert p.config.max_closures_per_year == 5  # the scenario's block is never changed


@pytest.mark.parametrize("seed", SEEDS)
def test_a_pause_closes_nothing_and_the_regime_restores_where_needed(seed):
    m = sim.EducationModel(sim.load_scenario("small_county", {
        "years": 6, "policies.consolidation.rule.consecutive_years": 1,
        "policies.consolidation.max_closures_per_year": 5, **REGIMES}), seed=seed)
    for _ in range(6):
        m.step()
    closed = [e[0] for e in events(m, "school_closed")]
    scheduled = [e[0] for e in events(m, "closure_scheduled")]
    assert 2026 not in closed  # decided at the end of 2025 for the pause year: none
    assert 2025 not in scheduled
    restored = [e for e in events(m, "school_restored") if e[0] >= 2027]
    assert all(e[0] >= 2027 for e in events(m, "school_restored"))
    # A restored school teaches the young grades only, as a teaching point.
    for e in restored:
        assert m.schools.grade_max[e[2]] == 3


def test_receiving_schools_are_not_below_the_closure_threshold():
    m = sim.EducationModel(sim.load_scenario("small_county", [*FAST, "years=3"]), seed=0)
    m.step()
    p = _policy(m)
    capacity = p._receiving(m, m.classes)
    pupils = pupils_by_grade(m).sum(axis=1)
    small = set(np.flatnonzero(below_in_scope(m.schools, pupils, m.classes.classes,
                                              p.config.rule)).tolist())
    assert small  # the fast rule finds small schools in the small county
    assert small - p.protected <= capacity.departing


@pytest.mark.parametrize("seed", SEEDS)
def test_no_closure_sends_its_pupils_to_a_school_the_rule_would_close(seed, monkeypatch):
    sent: list[tuple[bool, int]] = []
    original = policy_module.send_as_allocated

    def record(model, school, pupils, allocation, entry_grade):
        rule = _policy(model).config.rule
        small = below_in_scope(model.schools, pupils_by_grade(model).sum(axis=1),
                               model.classes.classes, rule)
        sent.extend((bool(small[a.school]), a.pupils) for a in allocation)
        original(model, school, pupils, allocation, entry_grade)

    monkeypatch.setattr(policy_module, "send_as_allocated", record)
    m = sim.EducationModel(sim.load_scenario("small_county", [*FAST, "years=5"]), seed=seed)
    for _ in range(5):
        m.step()
    assert sum(n for _, n in sent) > 0
    assert not any(to_small for to_small, _ in sent)


def test_china_2001_2020_closes_under_the_2012_opinion_after_a_pause():
    s = sim.load_scenario("china_2001_2020")
    block = s.policies.consolidation
    assert block.end_year is None  # closures continue after 2011
    years = [r.year for r in block.regimes]
    assert years == [2012, 2013]
    later = block.regimes[1]
    assert later.check_access and later.lower_grades_stay
    assert later.young_max_commute_min == 30 and later.restore_where_needed is not None
    assert "国办发〔2012〕48号" in s.description

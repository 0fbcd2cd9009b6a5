"""The rule mode: thresholds held for k years, at most n closures a year, protected schools."""

from __future__ import annotations

import numpy as np

import sim
from policies.consolidation.runs import events, run_steps
from sim.policies.consolidation import Nominee, review_rule
from sim.scenario.policies import ConsolidationRule
from sim.state import (
    CLOSED,
    NINE_YEAR,
    OPEN,
    PRIMARY,
    TEACHING_POINT,
    TOWNSHIP_TIER,
    VILLAGE_TIER,
    Schools,
)


def test_at_most_n_closures_a_year_and_protected_schools_stay():
    probe = sim.EducationModel(sim.load_scenario("small_county", ["years=1"]), seed=1)
    small = [i for i in range(probe.schools.n) if probe.schools.level[i] == TEACHING_POINT]
    protected = probe.schools.name[small[0]]
    m = run_steps(["policies.consolidation.rule.consecutive_years=1",
                   "policies.consolidation.max_closures_per_year=2",
                   f'policies.consolidation.protected=["{protected}"]'], seed=1, years=6)
    per_year = {}
    for e in events(m, "school_closed") + events(m, "school_downgraded"):
        per_year[e[0]] = per_year.get(e[0], 0) + 1
    assert per_year and max(per_year.values()) <= 2
    assert m.schools.status[m.schools.name.index(protected)] == OPEN


def test_schools_close_only_after_k_years_below_threshold():
    m = run_steps(["policies.consolidation.rule.consecutive_years=3",
                   "policies.consolidation.max_closures_per_year=9"], seed=0, years=5)
    first = min(e[0] for e in events(m, "school_closed") + events(m, "school_downgraded"))
    assert first >= m.scenario.start_year + 3


def _schools():
    """0: village teaching point, 1: village primary, 2: township nine-year, 3: closed primary."""
    s = Schools()
    s.add(4, level=np.array([TEACHING_POINT, PRIMARY, NINE_YEAR, PRIMARY]),
          tier=np.array([VILLAGE_TIER, VILLAGE_TIER, TOWNSHIP_TIER, VILLAGE_TIER]),
          grade_max=np.array([3, 6, 9, 6]), status=np.array([OPEN, OPEN, OPEN, CLOSED]))
    return s


def test_schools_count_years_below_and_are_nominated_smallest_first():
    rule = ConsolidationRule(consecutive_years=2, downgrade=["nine_year"],
                             tiers={"nine_year": ["township"]})
    pupils = np.array([40, 20, 300, 0])
    classes = np.zeros(4, dtype=np.int64)
    review = review_rule(_schools(), pupils, classes, np.array([1, 1, 0, 5]), rule, set())
    # All three open ones are below threshold; the closed one's count resets.
    assert review.years_below.tolist() == [2, 2, 1, 0]
    assert review.nominees == [Nominee(1, "close", None, "rule"), Nominee(0, "close", None, "rule")]
    # A year on the nine-year school is due too: it loses its junior grades.
    again = review_rule(_schools(), pupils, classes, review.years_below, rule, excluded={1})
    assert again.nominees == [Nominee(0, "close", None, "rule"), Nominee(2, "downgrade", 6, "rule")]


def test_a_school_at_or_above_threshold_starts_counting_again():
    rule = ConsolidationRule(consecutive_years=1)
    pupils = np.array([150, 20, 900, 0])
    review = review_rule(_schools(), pupils, np.zeros(4, dtype=np.int64), np.array([3, 3, 3, 3]),
                         rule, set())
    assert review.years_below.tolist() == [0, 4, 0, 0]
    assert [n.school for n in review.nominees] == [1]


def test_village_primaries_listed_in_downgrade_become_teaching_points():
    rule = ConsolidationRule(consecutive_years=1, downgrade=["primary"], downgrade_grade_max=3)
    review = review_rule(_schools(), np.array([150, 20, 900, 0]), np.zeros(4, dtype=np.int64),
                         np.zeros(4, dtype=np.int64), rule, set())
    assert review.nominees == [Nominee(1, "downgrade", 3, "rule")]


def test_small_classes_count_as_below_threshold_when_asked():
    rule = ConsolidationRule(consecutive_years=1, min_class_size=30,
                             min_pupils={"teaching_point": 0, "primary": 0, "junior": 0,
                                         "nine_year": 0})
    classes = np.array([1, 6, 18, 0])
    review = review_rule(_schools(), np.array([40, 120, 900, 0]), classes,
                         np.zeros(4, dtype=np.int64), rule, set())
    assert review.years_below.tolist() == [0, 1, 0, 0]  # 120 pupils in 6 classes: 20 a class

"""The ``rule`` mode: close or downgrade schools that stay below size thresholds for k years.

A school is below threshold in a year when its pupils are under ``min_pupils[level]`` (a
threshold of 0 never applies) or, with ``min_class_size``, its pupils per class average
below it. After ``consecutive_years`` such years in a row it is nominated at the year end,
smallest first: a primary listed in ``downgrade`` becomes a teaching point keeping grades
1..``downgrade_grade_max``, a nine-year school listed there loses its junior grades, any other
closes. Only the tiers ``tiers[level]`` of each level are in scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.policies.common import tier_codes
from sim.policies.consolidation.actions import Nominee
from sim.scenario.policies import ConsolidationRule
from sim.scenario.schema import LEVELS
from sim.state import NINE_YEAR, OPEN, PRIMARY, PRIMARY_TOP_GRADE, Schools


@dataclass(frozen=True)
class RuleReview:
    """The rule's year-end review.

    Attributes
    ----------
    years_below : ndarray of int
        Per school, years in a row below the thresholds, this year included.
    nominees : list of Nominee
        Smallest school first.
    """

    years_below: np.ndarray
    nominees: list[Nominee]


def review_rule(schools: Schools, pupils: np.ndarray, classes: np.ndarray,
                years_below: np.ndarray, rule: ConsolidationRule,
                excluded: set[int]) -> RuleReview:
    """Count another year below the thresholds and nominate the schools the rule closes.

    Parameters
    ----------
    schools : Schools
        The school table.
    pupils : ndarray of int, (n_schools,)
        This year's pupils per school.
    classes : ndarray of int, (n_schools,)
        This year's classes per school (for ``min_class_size``; ignored unless one per school).
    years_below : ndarray of int, (n_schools,)
        Years in a row below the thresholds, up to last year.
    rule : ConsolidationRule
        ``policies.consolidation.rule``.
    excluded : set of int
        Schools never nominated (protected, or already scheduled or nominated).

    Returns
    -------
    RuleReview
        The updated counts (0 for schools not open or not below) and the nominees.
    """
    below = _below_threshold(schools, pupils, classes, rule)
    counted = np.where((schools.status == OPEN) & below, years_below + 1, 0)
    in_scope = np.zeros(schools.n, dtype=bool)
    for level, name in enumerate(LEVELS):
        tiers = tier_codes(getattr(rule.tiers, name))
        in_scope |= (schools.level == level) & np.isin(schools.tier, tiers)
    due = np.flatnonzero((schools.status == OPEN) & in_scope & (counted >= rule.consecutive_years))
    smallest_first = [int(i) for i in due[np.argsort(pupils[due], kind="stable")]
                      if i not in excluded]
    return RuleReview(counted, [_nominee(schools, i, rule) for i in smallest_first])


def below_in_scope(schools: Schools, pupils: np.ndarray, classes: np.ndarray,
                   rule: ConsolidationRule) -> np.ndarray:
    """Mark the open schools the rule could close: in scope and below a threshold now.

    They receive no displaced pupils: a closure does not send its pupils to a school the
    same rule would close next (bool per school).
    """
    in_scope = np.zeros(schools.n, dtype=bool)
    for level, name in enumerate(LEVELS):
        tiers = tier_codes(getattr(rule.tiers, name))
        in_scope |= (schools.level == level) & np.isin(schools.tier, tiers)
    return (schools.status == OPEN) & in_scope & _below_threshold(schools, pupils, classes, rule)


def _below_threshold(schools: Schools, pupils: np.ndarray, classes: np.ndarray,
                     rule: ConsolidationRule) -> np.ndarray:
    """Schools below the size thresholds this year (bool per school)."""
    minimum = np.array([getattr(rule.min_pupils, name) for name in LEVELS])[schools.level]
    small = (pupils < minimum) & (minimum > 0)
    if rule.min_class_size is not None and classes.size == schools.n:
        mean = np.divide(pupils, classes, out=np.zeros(schools.n), where=classes > 0)
        small |= (classes > 0) & (mean < rule.min_class_size)
    return small


def _nominee(schools: Schools, school: int, rule: ConsolidationRule) -> Nominee:
    """Close, or downgrade the levels the rule downgrades."""
    level = schools.level[school]
    if (level == PRIMARY and "primary" in rule.downgrade
            and schools.grade_max[school] > rule.downgrade_grade_max):
        return Nominee(school, "downgrade", rule.downgrade_grade_max, "rule")
    if level == NINE_YEAR and "nine_year" in rule.downgrade:
        return Nominee(school, "downgrade", PRIMARY_TOP_GRADE, "rule")
    return Nominee(school, "close", None, "rule")

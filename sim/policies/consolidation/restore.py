"""Restoring closed schools where they are needed (plan action ``restore``; 恢复教学点).

国办发〔2012〕48号 asked counties to restore teaching points where needed.

A closed school (of the selector's levels and tiers, its building idle) is needed when at
least ``min_far_pupils`` young pupils (grades 1..``grade_max``, enrolled) living in its
settlement commute beyond the limit (a day pupil's commute, a boarder's trip home) and no
open school of the settlement teaches grade 1. The most needed come first: most far young
pupils, or the longest mean commute of the settlement's young pupils (``order``); at most one
school per settlement (the one closed last), up to ``count``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.behaviour.layout import IDLE
from sim.policies.common import level_codes, tier_codes
from sim.scenario.policies import RestoreSelector
from sim.state import CLOSED, FIRST_GRADE, GRADES, Schools


@dataclass(frozen=True)
class YoungPupils:
    """The enrolled young pupils of a county (one entry per pupil).

    Attributes
    ----------
    home : ndarray of int
        Settlement each lives in.
    grade : ndarray of int
        Grade (1..the restored school's top grade).
    commute_min : ndarray of float
        Commute (minutes): a day pupil's commute, a boarder's trip home.
    """

    home: np.ndarray
    grade: np.ndarray
    commute_min: np.ndarray


@dataclass(frozen=True)
class NeededSchool:
    """A closed school that is needed, and the young pupils of its settlement who need it.

    Attributes
    ----------
    school, settlement : int
        The school row and its settlement.
    far_pupils : int
        Young pupils commuting beyond the limit.
    young_pupils : int
        All young pupils living in the settlement.
    mean_commute_min : float
        Mean commute of the young pupils (minutes).
    most_in_a_grade : int
        Young pupils of the settlement in its largest grade.
    """

    school: int
    settlement: int
    far_pupils: int
    young_pupils: int
    mean_commute_min: float
    most_in_a_grade: int

    def classrooms(self, grade_max: int, class_cap: int) -> int:
        """Count the rooms for the settlement's young pupils at the class cap (at least one).

        The grades 1..``grade_max`` share the rooms (multigrade classes).
        """
        return max(1, math.ceil(self.most_in_a_grade * grade_max / class_cap))


def needed_schools(young: YoungPupils, schools: Schools, n_settlements: int,
                   selector: RestoreSelector, limit_min: float) -> list[NeededSchool]:
    """Find the closed schools where a school is needed, most needed first.

    Parameters
    ----------
    young : YoungPupils
        The enrolled pupils of the grades a restored school would teach.
    schools : Schools
        The school table.
    n_settlements : int
        Settlements of the county.
    selector : RestoreSelector
        Levels, tiers, ``order``, ``count`` and ``min_far_pupils``.
    limit_min : float
        Commute above which a young pupil counts as far (minutes).

    Returns
    -------
    list of NeededSchool
        At most ``selector.count`` schools, one per settlement, each with at least
        ``min_far_pupils`` far young pupils, ordered by ``selector.order``.
    """
    s = schools
    far = np.bincount(young.home[young.commute_min > limit_min], minlength=n_settlements)
    count = np.bincount(young.home, minlength=n_settlements)
    total = np.bincount(young.home, weights=young.commute_min, minlength=n_settlements)
    mean = np.divide(total, count, out=np.zeros(n_settlements), where=count > 0)
    per_grade = np.zeros((n_settlements, GRADES + 1), dtype=np.int64)
    np.add.at(per_grade, (young.home, young.grade), 1)
    served = np.zeros(n_settlements, dtype=bool)
    served[s.settlement[s.serves(FIRST_GRADE)]] = True
    ids = np.flatnonzero((s.status == CLOSED) & (s.building_use == IDLE)
                         & np.isin(s.level, level_codes(selector.levels))
                         & np.isin(s.tier, tier_codes(selector.tiers)))
    # One school per settlement: the one closed last (then the lowest row).
    ids = ids[np.lexsort((ids, -s.closed_year[ids].astype(np.int64)))]
    needs, seen = [], set()
    for i in ids:
        home = int(s.settlement[i])
        if home in seen or served[home] or far[home] < selector.min_far_pupils:
            continue
        seen.add(home)
        needs.append(NeededSchool(int(i), home, int(far[home]), int(count[home]),
                                  float(mean[home]), int(per_grade[home].max())))
    if selector.order == "far_pupils":
        needs.sort(key=lambda n: (-n.far_pupils, -n.mean_commute_min, n.school))
    else:
        needs.sort(key=lambda n: (-n.mean_commute_min, -n.far_pupils, n.school))
    return needs if selector.count is None else needs[: selector.count]

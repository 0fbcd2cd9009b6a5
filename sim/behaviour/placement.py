"""Placement: who needs a school this year (DESIGN §5, step 4)."""

from __future__ import annotations

import numpy as np

from sim.state import ENROLLED, OPEN


def needing_placement(model, entrants: np.ndarray, movers: np.ndarray) -> np.ndarray:
    """Children who choose a school this year, sorted and unique.

    Grade-1 ``entrants``; pupils whose school closed or does not teach their new grade (grade 7
    entrants, pupils leaving a teaching point); children of families that moved (``movers``);
    and a share ``choice.voluntary_switch_share`` of the other pupils, who reconsider.
    """
    c, s = model.children, model.schools
    enrolled = np.flatnonzero(c.status == ENROLLED)
    school = c.school[enrolled]
    grade = c.grade[enrolled]
    safe = np.maximum(school, 0)
    keeps = (school >= 0) & (s.status[safe] == OPEN) & (s.grade_min[safe] <= grade) & (s.grade_max[safe] >= grade)
    displaced = enrolled[~keeps]
    staying = enrolled[keeps]
    switchers = staying[model.rng.random(staying.size) < model.scenario.choice.voluntary_switch_share]
    return np.unique(np.concatenate([entrants, displaced, switchers, movers]).astype(np.int64))

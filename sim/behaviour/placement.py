"""Placement: who needs a school this year (DESIGN §5, step 4)."""

from __future__ import annotations

import numpy as np

from sim.state import ENROLLED, GRADES, OPEN, POOLS_PER_SCHOOL, PRESCHOOL, seat_capacity


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
    over = _over_capacity(model, staying)
    displaced = np.concatenate([displaced, over])
    staying = np.setdiff1d(staying, over, assume_unique=True)
    switchers = staying[model.rng.random(staying.size) < model.scenario.choice.voluntary_switch_share]
    return np.unique(np.concatenate([entrants, displaced, switchers, movers]).astype(np.int64))


def _over_capacity(model, staying: np.ndarray) -> np.ndarray:
    """Pupils beyond the seats of their (school, grade): repeaters staying in a grade the
    cohort below moves into can overfill it; a lottery picks who must choose again."""
    c = model.children
    pools = c.school[staying].astype(np.int64) * POOLS_PER_SCHOOL + c.grade[staying]
    seats = seat_capacity(model.schools, model.scenario.schools.max_class_size)
    if not (np.bincount(pools, minlength=seats.size) > seats).any():
        return staying[:0]
    order = np.lexsort((model.rng.random(staying.size), pools))
    sorted_pools = pools[order]
    rank = np.arange(staying.size) - np.searchsorted(sorted_pools, sorted_pools, side="left")
    return staying[order[rank >= seats[sorted_pools]]]


def next_year_pupils(model) -> tuple[np.ndarray, np.ndarray]:
    """Children who will be at school next year and the grade each will enter (repetition
    ignored): pupils below grade 9 move up one grade, children of school age enter grade 1.
    Policies use it to plan beds and routes for next year's placement."""
    c = model.children
    enrolled = np.flatnonzero(c.status == ENROLLED)
    nxt = c.grade[enrolled].astype(np.int64) + 1
    stay = nxt <= GRADES
    entrants = np.flatnonzero((c.status == PRESCHOOL)
                              & (model.year - c.birth_year >= model.scenario.demography.school_entry_age))
    return (np.concatenate([enrolled[stay], entrants]),
            np.concatenate([nxt[stay], np.ones(entrants.size, dtype=np.int64)]))

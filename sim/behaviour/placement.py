"""Placement: who needs a school this year (DESIGN §5, step 4).

Also where pupils will be next year (:func:`next_year_pupils`), for the policies that plan
beds and bus routes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.state import (
    ENROLLED,
    FIRST_GRADE,
    GRADES,
    OPEN,
    POOLS_PER_SCHOOL,
    PRESCHOOL,
    Schools,
    seat_capacity,
)


def needing_placement(model, entrants: np.ndarray, movers: np.ndarray) -> np.ndarray:
    """Children who choose a school this year, sorted and unique.

    Grade-1 ``entrants``; pupils whose school closed or does not teach their new grade (grade 7
    entrants, pupils leaving a teaching point); pupils beyond their grade's seats (a lottery
    picks them); children of families that moved (``movers``); and a share
    ``choice.voluntary_switch_share`` of the other pupils, who reconsider.

    Parameters
    ----------
    model : EducationModel
        The model, after this year's progression (draws from ``model.rng``).
    entrants : ndarray of int
        This year's grade-1 entrants (children rows).
    movers : ndarray of int
        Children of families that moved this year.

    Returns
    -------
    ndarray of int64
        Children rows.
    """
    c = model.children
    enrolled = np.flatnonzero(c.status == ENROLLED)
    keeps = _keeps_school(model.schools, c.school[enrolled], c.grade[enrolled])
    displaced = enrolled[~keeps]
    staying = enrolled[keeps]
    over = _over_capacity(model, staying)
    displaced = np.concatenate([displaced, over])
    staying = np.setdiff1d(staying, over, assume_unique=True)
    switching = model.rng.random(staying.size) < model.scenario.choice.voluntary_switch_share
    return np.unique(np.concatenate([entrants, displaced, staying[switching], movers])
                     .astype(np.int64))


def _keeps_school(schools: Schools, school: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """Whether each pupil's school (-1: none) is open and teaches ``grade``."""
    safe = np.maximum(school, 0)
    return ((school >= 0) & (schools.status[safe] == OPEN) & (schools.grade_min[safe] <= grade)
            & (schools.grade_max[safe] >= grade))


def _over_capacity(model, staying: np.ndarray) -> np.ndarray:
    """Pick the pupils beyond the seats of their (school, grade).

    Repeaters staying in a grade the cohort below moves into can overfill it; a lottery
    picks who must choose again.
    """
    c = model.children
    pools = c.school[staying].astype(np.int64) * POOLS_PER_SCHOOL + c.grade[staying]
    seats = seat_capacity(model.schools, model.scenario.schools.max_class_size)
    if not (np.bincount(pools, minlength=seats.size) > seats).any():
        return staying[:0]
    order = np.lexsort((model.rng.random(staying.size), pools))
    sorted_pools = pools[order]
    rank = np.arange(staying.size) - np.searchsorted(sorted_pools, sorted_pools, side="left")
    return staying[order[rank >= seats[sorted_pools]]]


@dataclass(frozen=True)
class NextYearPupils:
    """The children who will be at school after the coming placement (one entry each).

    Attributes
    ----------
    children : ndarray of int
        Children rows: pupils below grade 9, then children of school age not yet in school.
    grade : ndarray of int64
        The grade each will enter (repetition ignored).
    home : ndarray of int64
        The settlement each lives in.
    school : ndarray of int64
        The school each will be at: its current school if that school is open and teaches
        the grade, else the catchment school of the grade (-1: none).
    """

    children: np.ndarray
    grade: np.ndarray
    home: np.ndarray
    school: np.ndarray


def next_year_pupils(model) -> NextYearPupils:
    """Where pupils will be at the coming placement: the one "next year's school".

    Pupils below grade 9 move up one grade, children of school age (``model.year`` minus
    birth year at least ``demography.school_entry_age``) enter grade 1; each keeps its school
    if it teaches the new grade, else goes to its catchment school. Policies call it in the
    calendar phase (``model.year`` already the new year, grades still last year's) to plan
    the beds and bus routes of this year's placement.

    Parameters
    ----------
    model : EducationModel
        The model (its children, schools and candidate sets as they are now).

    Returns
    -------
    NextYearPupils
    """
    c = model.children
    enrolled = np.flatnonzero(c.status == ENROLLED)
    nxt = c.grade[enrolled].astype(np.int64) + 1
    stay = nxt <= GRADES
    age = model.year - c.birth_year
    entrants = np.flatnonzero((c.status == PRESCHOOL)
                              & (age >= model.scenario.demography.school_entry_age))
    children = np.concatenate([enrolled[stay], entrants])
    grade = np.concatenate([nxt[stay], np.full(entrants.size, FIRST_GRADE, dtype=np.int64)])
    home = model.families.settlement[c.family[children]].astype(np.int64)
    current = c.school[children]
    keeps = _keeps_school(model.schools, current, grade)
    school = np.where(keeps, current, model.candidates.catchment[grade, home]).astype(np.int64)
    return NextYearPupils(children=children, grade=grade, home=home, school=school)

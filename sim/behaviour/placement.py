"""Placement: who needs a school this year (DESIGN §5, step 4).

Also where pupils will be next year (:func:`next_year_pupils`), for the policies that plan
beds and bus routes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.behaviour.choice import catchment_of
from sim.rows import rows_marked
from sim.state import (
    DROPPED_OUT,
    ENROLLED,
    FIRST_GRADE,
    GRADES,
    NO_SCHOOL,
    OPEN,
    PRESCHOOL,
    Schools,
)


def needing_placement(model, entrants: np.ndarray, movers: np.ndarray) -> np.ndarray:
    """Children who choose a school this year, sorted and unique.

    Grade-1 ``entrants``; pupils whose school closed or does not teach their new grade (grade 7
    entrants, pupils leaving a teaching point); children of families that moved (``movers``);
    and a share ``choice.voluntary_switch_share`` of the other pupils, who reconsider. Nobody
    is made to leave a school for want of seats: a school keeps its pupils (repeaters may
    overfill a grade; the classes grow).

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
    switching = model.rng.random(staying.size) < model.scenario.choice.voluntary_switch_share
    return rows_marked(c.n, entrants, displaced, staying[switching], movers)


def returning_dropouts(model) -> np.ndarray:
    """Dropouts of compulsory age who return to school this year (控辍保学).

    Each dropout no older than ``choice.dropout_return_max_age`` who left school before this
    year returns with chance ``choice.dropout_return_rate`` (or the admission policy's rate
    while it is in force, ``effects.dropout_return_rate``), into the grade it left. Returned
    children are set back to enrolled without a school, with ``exit_year`` cleared; they
    choose a school with the others.

    Parameters
    ----------
    model : EducationModel
        The model (draws from ``model.rng``).

    Returns
    -------
    ndarray of int64
        Children rows of the returning children (sorted).
    """
    c, ch = model.children, model.scenario.choice
    rate = model.effects.dropout_return_rate
    rate = ch.dropout_return_rate if rate is None else rate
    age = model.year - c.birth_year.astype(np.int64)
    eligible = np.flatnonzero((c.status == DROPPED_OUT) & (age <= ch.dropout_return_max_age)
                              & (c.exit_year < model.year) & (c.grade >= FIRST_GRADE))
    back = eligible[model.rng.random(eligible.size) < rate]
    c.status[back] = ENROLLED
    c.school[back] = NO_SCHOOL
    c.exit_year[back] = -1
    return back.astype(np.int64)


def _keeps_school(schools: Schools, school: np.ndarray, grade: np.ndarray) -> np.ndarray:
    """Whether each pupil's school (-1: none) is open and teaches ``grade``."""
    safe = np.maximum(school, 0)
    return ((school >= 0) & (schools.status[safe] == OPEN) & (schools.grade_min[safe] <= grade)
            & (schools.grade_max[safe] >= grade))


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
        the grade, else the catchment school of the grade (-1: none; see
        :func:`sim.behaviour.choice.catchment_of`).
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
    catchment = catchment_of(model, c.family[children], home, grade)
    school = np.where(keeps, current, catchment).astype(np.int64)
    return NextYearPupils(children=children, grade=grade, home=home, school=school)

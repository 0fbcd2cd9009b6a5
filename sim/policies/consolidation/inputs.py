"""The plain data the consolidation steps work on, read from the model.

Next year's free seats and beds (:func:`receiving_capacity`), the pupils a closure would
displace (:func:`displaced_groups`), how pupils reach schools and the limits they must
respect (:func:`reach`, :func:`safeguard_limits`), the young pupils a restored school would
teach (:func:`young_pupils`).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.choice import boarding_rules
from sim.behaviour.schools import pupils_by_grade
from sim.policies.consolidation.restore import YoungPupils
from sim.policies.consolidation.safeguards import (
    DisplacedGroup,
    Reach,
    ReceivingCapacity,
    SafeguardLimits,
)
from sim.scenario.policies import ConsolidationConfig
from sim.state import ENROLLED, FIRST_GRADE, GRADES, POOLS_PER_SCHOOL, seat_capacity

ENTRY_GRADE_COLUMN = 2  # next year's grade g >= 2 holds this year's grade g - 1; grade 1 is new


def receiving_capacity(model) -> ReceivingCapacity:
    """Next year's free seats per (school, grade) and free beds per school.

    Free seats are hard seats (``sim.state.seat_capacity``) less next year's expected pupils:
    this year's pupils moved up a grade where the school teaches the grade below, and at the
    entry grade a cohort like this year's. Free beds are beds less this year's boarders.
    Nothing is departing yet.

    Parameters
    ----------
    model : EducationModel
        The model (calendar or policy-review phase).

    Returns
    -------
    ReceivingCapacity
        Seats (n_schools, GRADES + 1) and beds (n_schools,), both at least 0.
    """
    s, c = model.schools, model.children
    n = s.n
    seats = seat_capacity(s, model.scenario.schools.max_class_size).reshape(n, POOLS_PER_SCHOOL)
    now = pupils_by_grade(model)
    grades = np.arange(POOLS_PER_SCHOOL)
    serves = (grades >= s.grade_min[:, None]) & (grades <= s.grade_max[:, None])
    nxt = now.copy()
    g = ENTRY_GRADE_COLUMN
    nxt[:, g:] = np.where(serves[:, g - 1:-1], now[:, g - 1:-1], now[:, g:])
    enrolled = np.flatnonzero(c.status == ENROLLED)
    boarders = np.bincount(c.school[enrolled][c.boarding[enrolled]], minlength=n)
    return ReceivingCapacity(seats=np.maximum(seats.astype(np.int64) - nxt, 0),
                             beds=np.maximum(s.boarding_beds.astype(np.int64) - boarders, 0))


def displaced_groups(model, school: int, grade_max: int | None) -> list[DisplacedGroup]:
    """Group the pupils who need another school next year if ``school`` closes.

    Or if it keeps grades up to ``grade_max`` only; by home settlement and next year's grade.

    Parameters
    ----------
    model : EducationModel
        The model.
    school : int
        The school row.
    grade_max : int or None
        The top grade a downgrade keeps; None: the school closes, and next year's entrants
        of its entry grade (like this year's) need a school too.

    Returns
    -------
    list of DisplacedGroup
        Ordered by home settlement, then grade.
    """
    s, c = model.schools, model.children
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
    grade = c.grade[pupils].astype(np.int64)
    nxt = grade + 1
    low = int(s.grade_min[school]) if grade_max is None else grade_max + 1
    moving = (nxt <= int(s.grade_max[school])) & (nxt >= low)
    home = model.families.settlement[c.family[pupils]].astype(np.int64)
    homes, grades = [home[moving]], [nxt[moving]]
    if grade_max is None:
        entry = grade == s.grade_min[school]
        homes.append(home[entry])
        grades.append(grade[entry])
    home, grade = np.concatenate(homes), np.concatenate(grades)
    if home.size == 0:
        return []
    key, count = np.unique(home * (GRADES + 1) + grade, return_counts=True)
    return [DisplacedGroup(int(k // (GRADES + 1)), int(k % (GRADES + 1)), int(n))
            for k, n in zip(key, count)]


def reach(model, year: int) -> Reach:
    """Gather how pupils reach schools in ``year``.

    Parameters
    ----------
    model : EducationModel
        The model: commutes, the routes running now, and where the busing policy would run
        buses in ``year`` (``model.effects.bus_service``, published for this year and next).
    year : int
        The school year the displaced pupils move in.

    Returns
    -------
    Reach

    Raises
    ------
    LookupError
        A busing policy published its service, but not for ``year`` (a hook read it out of
        order).
    """
    services = model.effects.bus_service
    if services and year not in services:
        raise LookupError(f"bus service of {year} not published (only {sorted(services)})")
    return Reach(model.schools, model.travel.minutes, model.bus, services.get(year))


def safeguard_limits(config: ConsolidationConfig, model, year: int) -> SafeguardLimits:
    """Gather the limits of the safeguard check in ``year``.

    Parameters
    ----------
    config : ConsolidationConfig
        ``policies.consolidation``: its commute limits (else ``access.commute_limit_min``),
        ``young_max_commute_min`` and switches.
    model : EducationModel
        The model (scenario, and the boarding rules in force in ``year``).
    year : int
        The school year the displaced pupils move in.

    Returns
    -------
    SafeguardLimits
    """
    limits = config.max_commute_min or model.scenario.access.commute_limit_min
    rules = boarding_rules(model, year)
    return SafeguardLimits(
        primary_min=limits.primary, junior_min=limits.junior,
        young_min=config.young_max_commute_min, boarding_min_grade=rules.min_grade,
        boarding_threshold_min=rules.threshold_min,
        check_seats=config.check_receiving_seats, check_access=config.check_access,
    )


def young_pupils(model, grade_max: int) -> YoungPupils:
    """Gather the enrolled pupils of grades 1..``grade_max``: home, grade and commute."""
    c = model.children
    young = np.flatnonzero((c.status == ENROLLED) & (c.grade >= FIRST_GRADE)
                           & (c.grade <= grade_max))
    return YoungPupils(home=model.families.settlement[c.family[young]].astype(np.int64),
                       grade=c.grade[young].astype(np.int64),
                       commute_min=c.commute_min[young].astype(float))

"""Sending displaced pupils to the seats the safeguard check found (分流安置).

Each displaced pupil gets ``children.sent_to``: top admission priority at that school at its
next placement, and no county-town hukou check there (the county's transfer).
"""

from __future__ import annotations

import numpy as np

from sim.policies.consolidation.safeguards import Placement
from sim.state import ENROLLED, FIRST_GRADE, PRESCHOOL


def send_as_allocated(model, school: int, pupils: np.ndarray, allocation: list[Placement],
                      entry_grade: int | None) -> None:
    """Send the pupils a closure displaced to the schools the safeguard check placed them at.

    Parameters
    ----------
    model : EducationModel
        The model, in the calendar phase, right after ``school`` closed or was downgraded.
    school : int
        The school closed or downgraded.
    pupils : ndarray of int
        Its pupils before the closure (children rows); those displaced this year are sent.
    allocation : list of Placement
        (home settlement, next grade, school, pupils) from the check; pupils beyond it keep
        the closure's receiving school.
    entry_grade : int or None
        For a closure, the school's entry grade: this year's entrants of its area (children
        about to enter that grade who would have gone to ``school``) are sent too, but are
        not displaced. None for a downgrade.
    """
    c = model.children
    pupils = pupils[c.displaced_year[pupils] == model.year]
    if not allocation:
        return
    home = model.families.settlement[c.family[pupils]].astype(np.int64)
    grade = c.grade[pupils].astype(np.int64) + 1
    if entry_grade is not None:
        new, new_home = _entrants(model, entry_grade, allocation)
        pupils = np.concatenate([pupils, new])
        home = np.concatenate([home, new_home])
        grade = np.concatenate([grade, np.full(new.size, entry_grade, dtype=np.int64)])
    taken = np.zeros(pupils.size, dtype=bool)
    for placed in allocation:
        rows = np.flatnonzero((home == placed.home) & (grade == placed.grade) & ~taken)
        rows = rows[: placed.pupils]
        c.sent_to[pupils[rows]] = placed.school
        taken[rows] = True


def _entrants(model, entry_grade: int,
              allocation: list[Placement]) -> tuple[np.ndarray, np.ndarray]:
    """Find this year's entrants of ``entry_grade`` and their home settlements.

    Only those from the settlements the allocation places entrants from.
    """
    c, s = model.children, model.schools
    if entry_grade == FIRST_GRADE:
        age = model.year - c.birth_year
        new = np.flatnonzero((c.status == PRESCHOOL)
                             & (age >= model.scenario.demography.school_entry_age))
    else:
        new = np.flatnonzero((c.status == ENROLLED) & (c.grade == entry_grade - 1))
        at = np.maximum(c.school[new], 0)
        new = new[s.grade_max[at] < entry_grade]
    new_home = model.families.settlement[c.family[new]].astype(np.int64)
    keep = np.isin(new_home, [p.home for p in allocation if p.grade == entry_grade])
    return new[keep], new_home[keep]

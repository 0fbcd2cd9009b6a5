"""Alternate-year intake (一年级隔年招生): small schools take grade 1 every other year.

Open schools of ``levels`` in ``tiers`` that teach from grade 1 and have fewer than
``max_pupils`` pupils take no grade-1 pupils this year when they took some last year (their
grade-1 bit of ``schools.intake_closed`` is set); every other school's bit is cleared. In a
closed year a school's area's entrants go elsewhere if a school is acceptable, else start a
year later (``sim.behaviour.choice``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.behaviour.choice import intake_bit
from sim.policies.common import level_codes, tier_codes
from sim.scenario.policies import AlternateIntake
from sim.state import FIRST_GRADE, OPEN, Schools


@dataclass(frozen=True)
class IntakeYear:
    """Grade-1 intake of one school year.

    Attributes
    ----------
    closed : ndarray of bool, (n_schools,)
        Schools taking no grade-1 pupils this year.
    intake_closed : ndarray of int, (n_schools,)
        The ``schools.intake_closed`` column with their grade-1 bit set, the others' cleared.
    last_intake : ndarray of int, (n_schools,)
        The last year each school took grade-1 pupils (this year for all but ``closed``).
    """

    closed: np.ndarray
    intake_closed: np.ndarray
    last_intake: np.ndarray


def alternate_intake(schools: Schools, pupils: np.ndarray, config: AlternateIntake,
                     last_intake: np.ndarray, year: int) -> IntakeYear:
    """Decide which schools skip this year's grade-1 intake.

    Parameters
    ----------
    schools : Schools
        The school table.
    pupils : ndarray of int, (n_schools,)
        Pupils per school (as of last year's end).
    config : AlternateIntake
        ``policies.consolidation.alternate_intake``.
    last_intake : ndarray of int, (n_schools,)
        The last year each school took grade-1 pupils.
    year : int
        This school year.

    Returns
    -------
    IntakeYear
    """
    s = schools
    small = ((s.status == OPEN) & np.isin(s.level, level_codes(config.levels))
             & np.isin(s.tier, tier_codes(config.tiers)) & (s.grade_min == FIRST_GRADE)
             & (pupils < config.max_pupils))
    closed = small & (last_intake == year - 1)
    bit = intake_bit(FIRST_GRADE)
    bits = s.intake_closed
    return IntakeYear(closed=closed, intake_closed=np.where(closed, bits | bit, bits & ~bit),
                      last_intake=np.where(closed, last_intake, year))

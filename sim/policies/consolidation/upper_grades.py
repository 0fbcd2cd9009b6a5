"""The ``upper_grade_merge`` mode (高年级合班, 低段就近): upper grades merge into a larger school.

Small village primaries keep their lower grades as teaching points; their upper grades go
to a larger school.

Nominated at the year end, smallest first: open primaries teaching from grade 1 beyond
``keep_grade_max``, in ``tiers``, with fewer than ``max_pupils`` pupils. The downgrades go
through the safeguards and count against ``max_closures_per_year``.
"""

from __future__ import annotations

import numpy as np

from sim.policies.common import tier_codes
from sim.policies.consolidation.actions import Nominee
from sim.scenario.policies import UpperGradeMerge
from sim.state import FIRST_GRADE, OPEN, PRIMARY, Schools


def upper_grade_nominees(schools: Schools, pupils: np.ndarray, merge: UpperGradeMerge,
                         excluded: set[int]) -> list[Nominee]:
    """Nominate the primaries whose upper grades merge into another school next year.

    Parameters
    ----------
    schools : Schools
        The school table.
    pupils : ndarray of int, (n_schools,)
        This year's pupils per school.
    merge : UpperGradeMerge
        ``policies.consolidation.upper_grade_merge``.
    excluded : set of int
        Schools never nominated (protected or already scheduled).

    Returns
    -------
    list of Nominee
        Downgrades to ``merge.keep_grade_max``, smallest school first.
    """
    s = schools
    small = ((s.status == OPEN) & (s.level == PRIMARY) & (s.grade_min == FIRST_GRADE)
             & (s.grade_max > merge.keep_grade_max) & np.isin(s.tier, tier_codes(merge.tiers))
             & (pupils < merge.max_pupils))
    ids = np.flatnonzero(small)
    smallest_first = [int(i) for i in ids[np.argsort(pupils[ids], kind="stable")]
                      if i not in excluded]
    return [Nominee(i, "downgrade", merge.keep_grade_max, "upper_grade_merge")
            for i in smallest_first]

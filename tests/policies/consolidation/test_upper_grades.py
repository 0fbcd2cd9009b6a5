"""Upper-grade merging (高年级合班, 低段就近): village primaries keep their lower grades."""

from __future__ import annotations

import numpy as np

from policies.consolidation.runs import events, run_steps
from sim.policies.consolidation import Nominee, upper_grade_nominees
from sim.scenario.policies import UpperGradeMerge
from sim.state import CLOSED, OPEN, PRIMARY, TEACHING_POINT, TOWNSHIP_TIER, VILLAGE_TIER, Schools


def test_upper_grade_merge_keeps_lower_grades_local():
    m = run_steps(["policies.consolidation.upper_grade_merge.max_pupils=1000",
                    "policies.consolidation.max_closures_per_year=20"], seed=0, years=3)
    down = events(m, "school_downgraded")
    assert down
    s = m.schools
    for e in down:
        assert s.grade_max[e[2]] == 3 and s.level[e[2]] == TEACHING_POINT
        assert s.tier[e[2]] == VILLAGE_TIER
    assert not (s.status == CLOSED).any()


def test_small_village_primaries_are_nominated_smallest_first():
    s = Schools()
    # 0, 1: small village primaries; 2: large; 3: township; 4: teaches only up to grade 3.
    s.add(5, level=PRIMARY, grade_max=np.array([6, 6, 6, 6, 3]), status=OPEN,
          tier=np.array([VILLAGE_TIER] * 3 + [TOWNSHIP_TIER, VILLAGE_TIER]))
    merge = UpperGradeMerge(max_pupils=100, keep_grade_max=3)
    pupils = np.array([80, 40, 400, 50, 30])
    assert upper_grade_nominees(s, pupils, merge, excluded=set()) == [
        Nominee(1, "downgrade", 3, "upper_grade_merge"),
        Nominee(0, "downgrade", 3, "upper_grade_merge"),
    ]
    assert [n.school for n in upper_grade_nominees(s, pupils, merge, excluded={1})] == [0]

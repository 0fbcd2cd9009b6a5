"""Sending displaced pupils to the seats the safeguard check found (分流安置)."""

from __future__ import annotations

import numpy as np

import sim
from sim.policies.consolidation import Placement, send_as_allocated
from sim.state import ENROLLED, NO_SCHOOL, OPEN, PRIMARY, VILLAGE_TIER


def _model():
    m = sim.EducationModel(sim.load_scenario("small_county", ["years=1"]), seed=0)
    m.step()
    return m


def _village_primary(m) -> int:
    s = m.schools
    return int(np.flatnonzero((s.status == OPEN) & (s.level == PRIMARY)
                              & (s.tier == VILLAGE_TIER))[0])


def test_displaced_pupils_are_sent_where_the_allocation_placed_their_group():
    m = _model()
    c, school = m.children, _village_primary(m)
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
    pupils = pupils[c.grade[pupils] < 6]
    c.displaced_year[pupils] = m.year
    home = int(m.families.settlement[c.family[pupils[0]]])
    grade = int(c.grade[pupils[0]]) + 1
    homes = m.families.settlement[c.family[pupils]]
    group = pupils[(homes == home) & (c.grade[pupils] + 1 == grade)]
    allocation = [Placement(home, grade, 5, 1), Placement(home, grade, 6, 99)]
    send_as_allocated(m, school, pupils, allocation, entry_grade=None)
    assert c.sent_to[group[0]] == 5 and (c.sent_to[group[1:]] == 6).all()
    others = np.setdiff1d(pupils, group)
    assert (c.sent_to[others] == NO_SCHOOL).all()  # not allocated: keep the receiving school's


def test_pupils_not_displaced_this_year_are_not_sent():
    m = _model()
    c, school = m.children, _village_primary(m)
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
    home = int(m.families.settlement[c.family[pupils[0]]])
    grade = int(c.grade[pupils[0]]) + 1
    send_as_allocated(m, school, pupils, [Placement(home, grade, 5, 99)], entry_grade=None)
    assert (c.sent_to[pupils] == NO_SCHOOL).all()


def test_a_closures_entrants_are_sent_too_but_not_displaced():
    m = _model()
    m.year += 1  # the calendar phase of the next year, before this year's entrants enter
    c, school = m.children, _village_primary(m)
    age = m.year - c.birth_year
    entrants = np.flatnonzero((c.status == 0) & (age >= m.scenario.demography.school_entry_age))
    home = int(m.families.settlement[c.family[entrants[0]]])
    from_home = entrants[m.families.settlement[c.family[entrants]] == home]
    send_as_allocated(m, school, np.zeros(0, dtype=np.int64), [Placement(home, 1, 5, 10_000)],
                      entry_grade=1)
    assert (c.sent_to[from_home] == 5).all()
    assert (c.displaced_year[from_home] != m.year).all()
    elsewhere = np.setdiff1d(entrants, from_home)
    assert (c.sent_to[elsewhere] == NO_SCHOOL).all()

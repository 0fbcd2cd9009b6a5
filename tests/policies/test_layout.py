"""Layout actions (sim.behaviour.layout): close, downgrade, open, expand, add beds."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import layout
from sim.scenario.policy_schema import PolicyBlock
from sim.state import ACTIVE, CLOSED, ENROLLED, OPEN, PRIMARY, RETIRED, ROTATING, TEACHER_LEFT, TEACHING_POINT

SEED = 3


@pytest.fixture
def model():
    scenario = sim.load_scenario("small_county", ["years=3"])
    m = sim.EducationModel(scenario, seed=SEED)
    m.step()
    return m


def _pupils(m, school):
    c = m.children
    return np.flatnonzero((c.school == school) & (c.status == ENROLLED))


def _village_primary(m):
    s = m.schools
    ids = [i for i in range(s.n) if s.level[i] == PRIMARY and s.tier[i] == 0 and s.status[i] == OPEN]
    return max(ids, key=lambda i: _pupils(m, i).size)


def test_close_school_updates_the_row_pupils_teachers_and_candidates(model):
    m = model
    school = _village_primary(m)
    t = m.teachers
    teachers = np.flatnonzero((t.school == school) & ((t.status == ACTIVE) | (t.status == ROTATING)))
    pupils = _pupils(m, school)
    staying = pupils[m.children.grade[pupils] < m.schools.grade_max[school]]
    m.year += 1  # as in the calendar phase of the next year
    m.counters.clear()
    layout.close_school(m, school, reason="test")
    s = m.schools
    assert s.status[school] == CLOSED and s.closed_year[school] == m.year
    assert s.building_use[school] == 1  # idle
    assert (m.children.displaced_year[staying] == m.year).all()
    assert not (m.candidates.schools == school).any()
    # Every teacher is active at an open school, retired or gone.
    status = t.status[teachers]
    assert np.isin(status, [ACTIVE, RETIRED, TEACHER_LEFT]).all()
    active = teachers[status == ACTIVE]
    assert (s.status[t.school[active]] == OPEN).all()
    kinds = [e[1] for e in m.events]
    assert "school_closed" in kinds


def test_closed_school_pupils_are_replaced_in_the_same_year(model):
    m = model
    school = _village_primary(m)
    pupils = _pupils(m, school)

    class CloseOnce(sim.policies.Policy):
        name = "close_once"

        def on_year_start(self, model):
            layout.close_school(model, school)

    m.policies.append(CloseOnce(PolicyBlock(), m))
    m.step()
    m.check()  # nobody is enrolled at the closed school after the same year's placement
    assert _pupils(m, school).size == 0
    c = m.children
    assert (c.displaced_year[pupils[c.grade[pupils] <= 6]] == m.year).all()
    assert (c.status[pupils] == ENROLLED).mean() > 0.8


def test_downgrade_keeps_lower_grades_and_shrinks_rooms(model):
    m = model
    school = _village_primary(m)
    s = m.schools
    rooms, served = int(s.classrooms[school]), int(s.grades_served()[school])
    seats_before = rooms * m.scenario.schools.max_class_size // served
    m.year += 1
    layout.downgrade_school(m, school, 3, reason="test")
    assert s.grade_max[school] == 3 and s.level[school] == TEACHING_POINT
    assert s.classrooms[school] == max(round(rooms * 3 / served), 1)
    assert s.classrooms[school] * m.scenario.schools.max_class_size // 3 >= seats_before - m.scenario.schools.max_class_size
    c = m.children
    pupils = _pupils(m, school)
    moving = pupils[(c.grade[pupils] + 1 > 3)]
    moving = moving[c.grade[moving] + 1 <= 6]
    assert (c.displaced_year[moving] == m.year).all()
    with pytest.raises(ValueError):
        layout.downgrade_school(m, school, 5)


def test_open_expand_and_beds_record_investment_and_cost(model):
    m = model
    m.year += 1
    m.counters.clear()
    n = m.schools.n
    agents = len(m.agents)
    row = layout.open_school(m, "New School", m.county_town, PRIMARY, 1, 6, 12, beds=50, cost_yuan=1e6)
    s = m.schools
    assert row == n and s.n == n + 1 and s.name[row] == "New School"
    assert s.opened_year[row] == m.year and s.invested_year[row] == m.year and s.status[row] == OPEN
    assert s.tier[row] == 2  # county town
    assert len(m.agents) == agents + 1
    assert (m.candidates.schools == row).any()
    layout.expand_school(m, 0, 3, cost_yuan=2e5)
    layout.add_beds(m, 0, 10, cost_yuan=1e5)
    assert s.invested_year[0] == m.year
    assert m.counters["extra_cost_yuan"] == pytest.approx(1.3e6)
    assert m.counters["construction_yuan"] == pytest.approx(1.3e6)
    with pytest.raises(ValueError):
        layout.open_school(m, "New School", m.county_town, PRIMARY, 1, 6, 12)
    kinds = {e[1] for e in m.events}
    assert {"school_opened", "school_expanded", "beds_added"} <= kinds


def test_a_new_school_takes_pupils_and_keeps_the_invariants(model):
    m = model
    m.year += 1
    row = layout.open_school(m, "Village School", int(m.schools.settlement[_village_primary(m)]), PRIMARY, 1, 6, 6)
    m.year -= 1
    m.step()
    m.check()
    assert _pupils(m, row).size > 0

"""Layout actions (sim.behaviour.layout): close, downgrade, open, expand, add beds."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import layout
from sim.model import EducationModel
from sim.scenario.schema_base import PolicyBlock
from sim.state import (
    ACTIVE,
    CLOSED,
    ENROLLED,
    NO_SCHOOL,
    OPEN,
    PRIMARY,
    RETIRED,
    ROTATING,
    TEACHER_LEFT,
    TEACHING_POINT,
    VILLAGE_TIER,
    YearCounts,
    on_duty,
)

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
    ids = [i for i in range(s.n)
           if s.level[i] == PRIMARY and s.tier[i] == VILLAGE_TIER and s.status[i] == OPEN]
    return max(ids, key=lambda i: _pupils(m, i).size)


def test_close_school_updates_the_row_pupils_teachers_and_candidates(model):
    m = model
    school = _village_primary(m)
    t = m.teachers
    teachers = np.flatnonzero((t.school == school)
                              & ((t.status == ACTIVE) | (t.status == ROTATING)))
    pupils = _pupils(m, school)
    staying = pupils[m.children.grade[pupils] < m.schools.grade_max[school]]
    m.year += 1  # as in the calendar phase of the next year
    m.counts = YearCounts()
    layout.close_school(m, school, reason="test")
    s = m.schools
    assert s.status[school] == CLOSED and s.closed_year[school] == m.year
    assert s.building_use[school] == layout.IDLE
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

        def on_year_start(self, model, classes):
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
    size = m.scenario.schools.max_class_size
    assert s.classrooms[school] * size // 3 >= seats_before - size
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
    m.counts = YearCounts()
    n = m.schools.n
    agents = len(m.agents)
    row = layout.open_school(m, "New School", m.county_town, PRIMARY, 1, 6, 12, beds=50,
                             cost_yuan=1e6)
    s = m.schools
    assert row == n and s.n == n + 1 and s.name[row] == "New School"
    assert s.opened_year[row] == m.year and s.invested_year[row] == m.year and s.status[row] == OPEN
    assert s.tier[row] == 2  # county town
    assert len(m.agents) == agents + 1
    assert (m.candidates.schools == row).any()
    layout.expand_school(m, 0, 3, cost_yuan=2e5)
    layout.add_beds(m, 0, 10, cost_yuan=1e5)
    assert s.invested_year[0] == m.year
    assert m.counts.extra_cost_yuan == pytest.approx(1.3e6)
    assert m.counts.construction_yuan == pytest.approx(1.3e6)
    with pytest.raises(ValueError):
        layout.open_school(m, "New School", m.county_town, PRIMARY, 1, 6, 12)
    kinds = {e[1] for e in m.events}
    assert {"school_opened", "school_expanded", "beds_added"} <= kinds


def test_a_new_school_takes_pupils_and_keeps_the_invariants(model):
    m = model
    m.year += 1
    village = int(m.schools.settlement[_village_primary(m)])
    row = layout.open_school(m, "Village School", village, PRIMARY, 1, 6, 6)
    m.year -= 1
    m.step()
    m.check()
    assert _pupils(m, row).size > 0


def test_closed_school_teachers_are_never_lost():
    model = EducationModel(sim.load_scenario("small_county"), seed=1)
    model.step()
    t, s = model.teachers, model.schools
    village = np.flatnonzero((s.tier == VILLAGE_TIER) & (s.status == OPEN))[:3]
    staff = np.flatnonzero(on_duty(t) & np.isin(t.school, village))
    total = t.n
    for school in village:
        layout.close_school(model, int(school), reason="test")
    assert t.n == total  # no teacher row appears or disappears
    moved = staff[on_duty(t)[staff]]
    assert (s.status[t.school[moved]] == OPEN).all()
    gone = staff[~on_duty(t)[staff]]
    assert np.isin(t.status[gone], [RETIRED, TEACHER_LEFT]).all()
    model.step()
    model.check()


def test_reopen_school_refuses_an_open_school(model):
    with pytest.raises(ValueError, match="not closed"):
        layout.reopen_school(model, 0, TEACHING_POINT, 3, 1)


def test_a_closed_school_reopens_in_its_idle_building(model):
    m = model
    school = _village_primary(m)
    m.year += 1
    layout.close_school(m, school)
    m.year += 1
    m.counts = YearCounts()
    layout.reopen_school(m, school, TEACHING_POINT, 3, 2, cost_yuan=3e5, reason="test")
    s = m.schools
    assert s.status[school] == OPEN and s.level[school] == TEACHING_POINT
    assert (s.grade_min[school], s.grade_max[school], s.classrooms[school]) == (1, 3, 2)
    assert s.opened_year[school] == m.year and s.closed_year[school] == m.year - 1
    assert s.building_use[school] == layout.IN_USE and s.boarding_beds[school] == 0
    assert m.counts.construction_yuan == pytest.approx(3e5)
    assert (m.candidates.catchment[1] == school).any() or (m.candidates.schools == school).any()
    with pytest.raises(ValueError, match="not closed"):
        layout.reopen_school(m, school, TEACHING_POINT, 3, 2)


def test_a_reused_building_cannot_reopen(model):
    m = model
    school = _village_primary(m)
    layout.close_school(m, school)
    m.schools.building_use[school] = layout.IDLE + 1  # reused
    with pytest.raises(ValueError, match="no longer idle"):
        layout.reopen_school(m, school, TEACHING_POINT, 3, 1)


def test_mark_displaced_sends_only_pupils_whose_next_grade_the_receiver_teaches(model):
    m = model
    s, c = m.schools, m.children
    school = _village_primary(m)
    receiving = int(np.flatnonzero((s.status == OPEN) & (s.grade_min == 1) & (s.grade_max == 6)
                                   & (np.arange(s.n) != school))[0])
    pupils = _pupils(m, school)
    layout.mark_displaced(m, pupils, receiving)
    assert (c.displaced_year[pupils] == m.year).all()
    next_grade = c.grade[pupils] + 1
    assert (c.sent_to[pupils[next_grade <= 6]] == receiving).all()
    assert (c.sent_to[pupils[next_grade > 6]] == NO_SCHOOL).all()


def test_school_index_names_a_school_or_raises_key_error(model):
    assert layout.school_index(model, model.schools.name[2]) == 2
    with pytest.raises(KeyError):
        layout.school_index(model, "Nowhere Primary")


def test_add_cost_charges_the_named_item_and_nothing_for_zero(model):
    model.counts = YearCounts()
    layout.add_cost(model, 0.0, "bus_yuan")
    assert model.counts.extra_cost_yuan == 0.0
    layout.add_cost(model, 500.0, "bus_yuan")
    assert model.counts.bus_yuan == 500.0 and model.counts.extra_cost_yuan == 500.0

"""Placement (sim.behaviour.placement): who chooses a school this year; next year's school."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import layout
from sim.behaviour.placement import needing_placement, next_year_pupils
from sim.state import ENROLLED, GRADES, OPEN, PRESCHOOL, PRIMARY, VILLAGE_TIER


@pytest.fixture
def model():
    scenario = sim.load_scenario("small_county", ["years=2", "choice.voluntary_switch_share=0"])
    m = sim.EducationModel(scenario, seed=4)
    m.step()
    return m


def _none():
    return np.zeros(0, dtype=np.int64)


def _village_primary(m) -> int:
    s = m.schools
    return int(np.flatnonzero((s.status == OPEN) & (s.level == PRIMARY)
                              & (s.tier == VILLAGE_TIER))[0])


def test_pupils_who_keep_a_school_teaching_their_grade_do_not_choose(model):
    m = model
    c = m.children
    needing = needing_placement(m, _none(), _none())
    enrolled = np.flatnonzero(c.status == ENROLLED)
    s = m.schools
    school = c.school[enrolled]
    grade = c.grade[enrolled]
    teaches = (s.grade_min[school] <= grade) & (s.grade_max[school] >= grade)
    # At the end of a year every pupil's school teaches its grade: nobody needs a school
    # (no switchers, no repeaters beyond the seats in this county).
    assert teaches.all() and needing.size == 0


def test_entrants_movers_and_pupils_of_a_closed_school_choose_sorted_and_once(model):
    m = model
    c = m.children
    school = _village_primary(m)
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
    m.year += 1
    layout.close_school(m, school)
    entrants = np.array([5, 3, 3])
    movers = np.array([7, 5])
    needing = needing_placement(m, entrants, movers)
    assert needing.dtype == np.int64 and (np.diff(needing) > 0).all()
    assert set(needing.tolist()) == {3, 5, 7} | set(pupils.tolist())


def test_switchers_are_a_share_of_the_others():
    scenario = sim.load_scenario("small_county", ["years=2", "choice.voluntary_switch_share=0.5"])
    m = sim.EducationModel(scenario, seed=4)
    m.step()
    enrolled = int((m.children.status == ENROLLED).sum())
    share = needing_placement(m, _none(), _none()).size / enrolled
    assert 0.4 < share < 0.6


def test_next_year_pupils_move_up_a_grade_and_keep_their_school(model):
    m = model
    m.year += 1
    c = m.children
    nxt = next_year_pupils(m)
    enrolled = np.flatnonzero(c.status == ENROLLED)
    staying = enrolled[c.grade[enrolled] < GRADES]
    n = staying.size
    assert (nxt.children[:n] == staying).all()
    assert (nxt.grade[:n] == c.grade[staying] + 1).all()
    assert (nxt.home == m.families.settlement[c.family[nxt.children]]).all()
    teaches = (m.schools.grade_max[c.school[staying]] >= c.grade[staying] + 1)
    assert (nxt.school[:n][teaches] == c.school[staying][teaches]).all()
    # Pupils whose school stops at their grade go to the catchment school of the next one.
    moving = ~teaches
    assert moving.any()
    catchment = m.candidates.catchment[nxt.grade[:n][moving], nxt.home[:n][moving]]
    assert (nxt.school[:n][moving] == catchment).all()


def test_children_of_school_age_enter_grade_one_at_their_catchment_school(model):
    m = model
    m.year += 1  # the calendar phase of the next year, before its entrants enter
    c = m.children
    nxt = next_year_pupils(m)
    new = nxt.grade == 1
    assert new.any() and (c.status[nxt.children[new]] == PRESCHOOL).all()
    age = m.year - c.birth_year[nxt.children[new]]
    assert (age >= m.scenario.demography.school_entry_age).all()
    assert (nxt.school[new] == m.candidates.catchment[1, nxt.home[new]]).all()


def test_a_closed_school_sends_its_pupils_to_the_catchment_school_next_year(model):
    m = model
    c = m.children
    school = _village_primary(m)
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED) & (c.grade < 6))
    m.year += 1
    layout.close_school(m, school)
    nxt = next_year_pupils(m)
    mine = np.isin(nxt.children, pupils)
    assert mine.sum() == pupils.size and not (nxt.school[mine] == school).any()


def test_a_school_keeps_pupils_beyond_its_seats(model):
    # Over-full grades (catchment pupils admitted by right) are not emptied by a lottery.
    m = model
    c = m.children
    m.schools.classrooms[:] = 1
    assert needing_placement(m, _none(), _none()).size == 0
    assert (c.school[c.status == ENROLLED] >= 0).all()


def _with_dropouts(m, n: int):
    from sim.behaviour.demography import drop_out

    c = m.children
    enrolled = np.flatnonzero((c.status == ENROLLED) & (c.grade <= 6))[:n]
    m.year -= 1  # they dropped out last year
    drop_out(m, enrolled)
    m.year += 1
    return enrolled


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_dropouts_of_compulsory_age_return_at_the_return_rate(rate):
    from sim.behaviour.placement import returning_dropouts

    scenario = sim.load_scenario("small_county", {"years": 2, "choice.dropout_return_rate": rate})
    m = sim.EducationModel(scenario, seed=4)
    m.step()
    gone = _with_dropouts(m, 30)
    back = returning_dropouts(m)
    c = m.children
    young = gone[m.year - c.birth_year[gone] <= scenario.choice.dropout_return_max_age]
    if rate == 0.0:
        assert back.size == 0
    else:
        np.testing.assert_array_equal(np.sort(back), np.sort(young))
        assert (c.status[back] == ENROLLED).all() and (c.school[back] == -1).all()
        assert (c.exit_year[back] == -1).all()


def test_a_dropout_past_compulsory_age_does_not_return():
    from sim.behaviour.placement import returning_dropouts

    scenario = sim.load_scenario("small_county", {"years": 2, "choice.dropout_return_rate": 1.0,
                                                  "choice.dropout_return_max_age": 6})
    m = sim.EducationModel(scenario, seed=4)
    m.step()
    _with_dropouts(m, 30)
    assert returning_dropouts(m).size == 0


def test_returning_dropouts_are_placed_at_a_school_in_the_step():
    scenario = sim.load_scenario("small_county", {"years": 3, "choice.dropout_return_rate": 1.0})
    m = sim.EducationModel(scenario, seed=4)
    m.step()
    gone = _with_dropouts(m, 20)
    m.step()
    assert m.counts.returned_dropouts >= 20
    assert m.county_rows[-1]["returned_dropouts"] == m.counts.returned_dropouts
    c = m.children
    assert (c.status[gone] == ENROLLED).all() and (c.school[gone] >= 0).all()

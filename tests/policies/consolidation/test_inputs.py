"""What the consolidation steps read from the model: next year's seats, displaced pupils,
reach and limits."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour.schools import pupils_by_grade
from sim.policies.consolidation.inputs import (
    displaced_groups,
    reach,
    receiving_capacity,
    safeguard_limits,
    young_pupils,
)
from sim.state import ENROLLED, GRADES, OPEN, POOLS_PER_SCHOOL, PRIMARY, seat_capacity


@pytest.fixture(scope="module")
def model():
    # A consolidation block that closes nothing by itself.
    scenario = sim.load_scenario("small_county", ["years=1",
                                                  "policies.consolidation.max_closures_per_year=2"])
    m = sim.EducationModel(scenario, seed=0)
    m.step()
    return m


def _primary(m) -> int:
    s = m.schools
    ids = np.flatnonzero((s.status == OPEN) & (s.level == PRIMARY) & (s.grade_min == 1))
    return int(ids[np.argmax(pupils_by_grade(m)[ids].sum(axis=1))])


def test_next_years_free_seats_move_each_cohort_up_a_grade(model):
    m, school = model, _primary(model)
    capacity = receiving_capacity(m)
    now = pupils_by_grade(m)[school]
    seats = seat_capacity(m.schools, m.scenario.schools.max_class_size).reshape(
        m.schools.n, POOLS_PER_SCHOOL)[school]
    # Grade 3 next year holds this year's grade 2; grade 1 takes a cohort like this year's.
    assert capacity.seats[school, 3] == max(seats[3] - now[2], 0)
    assert capacity.seats[school, 1] == max(seats[1] - now[1], 0)
    assert capacity.seats[school, 7] == 0  # a primary has no grade-7 seats
    assert (capacity.seats >= 0).all() and (capacity.beds >= 0).all()
    assert capacity.departing == set()


def test_a_closure_displaces_every_pupil_but_the_top_grade_and_next_years_entrants(model):
    m, school = model, _primary(model)
    c = m.children
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
    groups = displaced_groups(m, school, None)
    grades = {g.grade for g in groups}
    assert grades <= set(range(1, 7))
    moving = int((c.grade[pupils] < 6).sum())  # grades 1-5 move up; grade 6 leaves anyway
    entrants = int((c.grade[pupils] == 1).sum())  # a cohort like this year's grade 1
    assert sum(g.pupils for g in groups) == moving + entrants
    assert groups == sorted(groups, key=lambda g: (g.home, g.grade))


def test_a_downgrade_displaces_only_the_grades_it_gives_up(model):
    m, school = model, _primary(model)
    groups = displaced_groups(m, school, 3)
    assert groups and {g.grade for g in groups} <= {4, 5, 6}
    c = m.children
    pupils = np.flatnonzero((c.school == school) & (c.status == ENROLLED))
    assert sum(g.pupils for g in groups) == int(np.isin(c.grade[pupils], [3, 4, 5]).sum())


def test_reach_reads_the_published_bus_service_and_refuses_a_year_not_published(model):
    m = model
    assert reach(m, m.year).bus_service is None  # no busing policy: none published
    m.effects.bus_service = {m.year: None, m.year + 1: "service"}
    try:
        assert reach(m, m.year + 1).bus_service == "service"
        with pytest.raises(LookupError, match=f"bus service of {m.year + 2} not published"):
            reach(m, m.year + 2)
    finally:
        m.effects.bus_service = {}


def test_limits_follow_the_block_or_the_access_limits(model):
    m = model
    cfg = m.scenario.policies.consolidation
    limits = safeguard_limits(cfg, m, m.year)
    access = m.scenario.access.commute_limit_min
    assert (limits.primary_min, limits.junior_min) == (access.primary, access.junior)
    assert limits.boarding_min_grade == m.scenario.boarding.min_grade
    stricter = cfg.model_copy(update={"young_max_commute_min": 15.0})
    assert safeguard_limits(stricter, m, m.year).young_min == 15.0


def test_young_pupils_are_the_enrolled_pupils_of_the_lower_grades(model):
    m = model
    young = young_pupils(m, 3)
    c = m.children
    assert young.home.size == int(((c.status == ENROLLED) & (c.grade <= 3)).sum())
    assert ((young.grade >= 1) & (young.grade <= 3)).all()
    assert young.grade.max() < GRADES

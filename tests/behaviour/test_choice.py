"""The vectorised choice-and-assignment step equals the per-pupil reference (DESIGN §11)."""

from __future__ import annotations

import numpy as np
import pytest
from reference_choice import choice_step_reference, everyone_chooses

import sim
from sim.behaviour.choice import free_capacity, intake_bit, rank_and_assign, utility_terms
from sim.model import EducationModel
from sim.state import ENROLLED, OPEN, POOLS_PER_SCHOOL


@pytest.mark.parametrize("overrides, strictness, barrier", [
    ({}, 0.0, None),
    ({"schools.max_class_size": 46, "schools.capacity_slack": 0.8}, 0.0, None),  # seats bind
    ({"boarding.min_grade": 1, "boarding.threshold_min": 15.0,
      "policies.boarding": {"young_penalty": 2.0, "penalty_below_grade": 4}}, 0.0, 0.3),
    ({}, 0.7, 0.5),  # strict catchment and a hukou check
])
def test_vectorised_step_equals_the_per_pupil_reference(overrides, strictness, barrier):
    model = EducationModel(sim.load_scenario("small_county", overrides), seed=5)
    model.step()
    model.effects.catchment_strictness = strictness
    idx, current, t, draws, seats, beds, admitted = everyone_chooses(model, barrier)
    ranked = rank_and_assign(t, model.children.grade[idx], draws, seats, beds, strictness)
    fast = ranked["pool_choice"]
    slow = choice_step_reference(model, idx, current, draws, seats, beds, admitted)
    assert (fast >= 0).mean() > 0.5
    np.testing.assert_array_equal(fast, slow)


def test_utility_terms_sum_to_utility_and_respect_feasibility():
    model = EducationModel(sim.load_scenario("small_county"), seed=1)
    idx = np.flatnonzero(model.children.status == ENROLLED)[:500]
    t = utility_terms(model, idx)
    parts = sum(t[k] for k in ("quality", "time", "boarding", "young_boarding", "stay", "sib"))
    np.testing.assert_allclose(parts, t["utility"])
    far = t["commute_min"] > np.where(model.children.grade[idx] > 6, 90.0, 60.0)[:, None]
    assert not (t["feasible"] & far & ~t["board"] & ~t["bus"]).any()
    assert not (t["board"] & (model.children.grade[idx] < 4)[:, None]).any()


def test_a_closed_intake_bit_leaves_no_seat_for_new_pupils_in_that_grade_only():
    model = EducationModel(sim.load_scenario("small_county"), seed=1)
    model.step()
    s = model.schools
    seats, _ = free_capacity(model)
    grade_one = seats.reshape(s.n, POOLS_PER_SCHOOL)[:, 1]
    school = int(np.flatnonzero((s.status == OPEN) & (grade_one > 0))[0])
    s.intake_closed[school] |= intake_bit(1)
    closed, _ = free_capacity(model)
    closed = closed.reshape(s.n, POOLS_PER_SCHOOL)
    assert closed[school, 1] == 0
    assert (closed[school, 2:] == seats.reshape(s.n, POOLS_PER_SCHOOL)[school, 2:]).all()
    assert intake_bit(1) == 2 and intake_bit(7) == 128

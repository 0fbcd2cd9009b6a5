"""Policies that end when they end (issue 13, item 5): effects withdrawn after ``end_year``.

Common random numbers: the same seed with a policy that ends, and without the policy. After
the end, the ended run must be as near the no-policy run as a run with the policy throughout
is far from it, or nearer (a robust direction, never today's exact numbers).
"""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.policies.base import Policy
from sim.state import ROTATING

SEEDS = (0, 1, 2)
START = 2024  # small_county's first school year
END = START + 1  # the ended policies are in force in the first two years
YEARS = 8
SUBSIDY = {"reallocation": False, "rotation_share": 0.0, "rural_subsidy_yuan_per_month": 800.0}


def _model(overrides: dict, seed: int) -> sim.EducationModel:
    return sim.EducationModel(sim.load_scenario("small_county", {**overrides, "years": YEARS}),
                              seed=seed)


def _after_end(overrides: dict, metric: str) -> float:
    """Mean of ``metric`` over the years after END, over SEEDS."""
    values = []
    for seed in SEEDS:
        r = sim.run(sim.load_scenario("small_county", {**overrides, "years": YEARS}), seed=seed)
        values.append(r.county.loc[r.county["year"] > END + 1, metric].mean())
    return float(np.mean(values))


def test_the_base_class_withdraws_once_in_the_first_year_after_the_end():
    m = _model({"policies.teachers": {**SUBSIDY, "end_year": END}}, seed=0)
    p = next(q for q in m.policies if q.name == "teachers")
    assert [p.acts_in(y) for y in (END, END + 1, END + 2)] == [True, True, False]
    assert p.withdraws_in(END + 1) and not p.withdraws_in(END + 2)
    # A policy without a withdraw hook keeps the old rule: hooks only in force.
    assert type(p).withdraw is not Policy.withdraw


def test_the_teacher_subsidy_factors_and_quota_return_after_the_end():
    m = _model({"policies.teachers": {**SUBSIDY, "end_year": END, "quota_factor": 1.2}}, seed=0)
    quota = m.teacher_quota
    m.step()
    assert m.effects.rural_attrition_factor < 1.0
    assert m.teacher_quota > quota
    while m.year <= END:
        m.step()
    assert m.effects.rural_attrition_factor == 1.0
    assert m.effects.remote_refusal_factor == 1.0
    assert m.teacher_quota == quota
    assert any(e[1] == "policy_withdrawn" and e[0] == END + 1 for e in m.events)
    m.step()
    costs = [e for e in m.events if e[1] == "cost" and "subsidy" in e[3] and e[0] > END]
    assert costs == []


def test_ending_the_subsidy_returns_rural_attrition_to_the_no_policy_run():
    none = _after_end({"policies.teachers": {**SUBSIDY, "rural_subsidy_yuan_per_month": 0.0}},
                      "rural_teacher_attrition")
    always = _after_end({"policies.teachers": SUBSIDY}, "rural_teacher_attrition")
    ended = _after_end({"policies.teachers": {**SUBSIDY, "end_year": END}},
                       "rural_teacher_attrition")
    assert always < none  # the subsidy acts while in force...
    assert abs(ended - none) < abs(always - none) / 2  # ...and not after it ends


def test_the_quality_floor_and_bonus_go_back_to_zero():
    m = _model({"policies.quality": {"end_year": END, "remote_classrooms": True,
                                     "extra_funding_yuan_per_pupil": 500.0}}, seed=1)
    m.step()
    assert np.max(m.effects.quality_bonus) > 0
    while m.year <= END:
        m.step()
    assert np.max(m.effects.quality_bonus) == 0.0
    assert np.max(m.effects.coverage_floor) == 0.0


def test_rotations_end_with_their_terms_after_the_programme_ends():
    years = 2
    m = _model({"policies.teachers": {**SUBSIDY, "rotation_share": 0.2, "rotation_years": years,
                                      "end_year": END}}, seed=4)
    m.step()
    assert (m.teachers.status == ROTATING).any()
    while m.year < END + years:
        m.step()
    assert not (m.teachers.status == ROTATING).any()


@pytest.mark.parametrize("seed", SEEDS)
def test_alternate_year_intake_restarts_after_the_end(seed):
    block = {"end_year": END, "max_closures_per_year": 0,
             "alternate_intake": {"max_pupils": 80}}
    m = _model({"policies.consolidation": block}, seed=seed)
    closed_once = np.zeros(m.schools.n, dtype=bool)
    while m.year <= END:
        m.step()
        closed_once |= (m.schools.intake_closed & 2) > 0
    assert closed_once.any()
    m.step()
    assert not (m.schools.intake_closed & 2).any()


def test_capacity_builds_nothing_after_its_end():
    town = {"policies.capacity": {"end_year": END, "investment_screen": False,
                                  "residents": "registered", "where": "everywhere"}}
    for seed in SEEDS:
        r = sim.run(sim.load_scenario("small_county", {**town, "years": YEARS}), seed=seed)
        ev = r.events
        built = ev[ev["kind"].isin(["school_expanded", "school_opened", "capacity_planned"])]
        assert len(built) > 0 and (built["year"] <= END).all()


def test_a_lead_time_of_zero_is_refused_with_a_message():
    with pytest.raises(ScenarioError, match="lead_time_years"):
        sim.load_scenario("small_county", {"policies.capacity": {"lead_time_years": 0}})

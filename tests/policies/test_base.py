"""The policy interface: the one active-years test, when hooks run, the build order."""

from __future__ import annotations

import pytest

import sim
from sim.policies import REGISTRY, Policy, build_policies
from sim.scenario.policies import PoliciesConfig
from sim.scenario.schema_base import PolicyBlock


@pytest.mark.parametrize(("start", "end", "years_in_force"), [
    (None, None, [2020, 2025, 2030]),
    (2025, None, [2025, 2030]),
    (None, 2025, [2020, 2025]),
    (2025, 2025, [2025]),
])
def test_a_policy_is_in_force_within_its_years_inclusive(start, end, years_in_force):
    policy = Policy(PolicyBlock(start_year=start, end_year=end), model=None)
    assert [y for y in (2020, 2025, 2030) if policy.in_force(y)] == years_in_force
    assert [y for y in (2020, 2025, 2030) if policy.acts_in(y)] == years_in_force


def test_every_policy_block_has_a_registered_policy():
    assert set(REGISTRY) == set(PoliciesConfig.model_fields)


def test_policies_are_built_in_the_order_of_the_policies_block():
    scenario = sim.load_scenario("small_county", {
        "policies.buildings": {}, "policies.busing": {}, "policies.boarding": {},
        "policies.consolidation": {}})
    m = sim.EducationModel(scenario, seed=0)
    names = [p.name for p in build_policies(m)]
    assert names == [n for n in PoliciesConfig.model_fields if n in set(names)]
    assert names[:3] == ["consolidation", "boarding", "busing"]


def test_boarding_and_busing_hooks_run_outside_their_years():
    scenario = sim.load_scenario("small_county", {
        "policies.boarding.end_year": 2025, "policies.busing.end_year": 2025,
        "policies.buildings.end_year": 2025})
    m = sim.EducationModel(scenario, seed=0)
    acts = {p.name: p.acts_in(2030) for p in m.policies}
    assert acts == {"boarding": True, "busing": True, "buildings": False}

"""Quality policy: school groups, remote classrooms, funding."""

from __future__ import annotations

import numpy as np

import sim
from sim.model import EducationModel
from sim.policies.quality import group_leaders
from sim.state import COUNTY_TOWN_TIER, VILLAGE_TIER

QUALITY_OFF = {"groups": "none", "remote_classrooms": False, "extra_funding_yuan_per_pupil": 0.0}


def rural_quality(overrides: dict, seeds=(0, 1, 2)) -> float:
    values = []
    for seed in seeds:
        r = sim.run(sim.load_scenario("small_county", {**overrides, "years": 6}), seed=seed)
        values.append(r.county["quality_rural"].iloc[-3:].mean())
    return float(np.mean(values))


def test_each_quality_tool_raises_rural_quality():
    off = rural_quality({"policies.quality": QUALITY_OFF})
    assert rural_quality({"policies.quality": {**QUALITY_OFF, "groups": "township"}}) > off
    assert rural_quality({"policies.quality": {**QUALITY_OFF, "remote_classrooms": True}}) > off
    funded = {**QUALITY_OFF, "extra_funding_yuan_per_pupil": 2000}
    assert rural_quality({"policies.quality": funded}) > off


def test_group_leaders_are_township_schools_of_the_same_township():
    model = EducationModel(sim.load_scenario("small_county"), seed=0)
    leader = group_leaders(model, "township")
    s, township = model.schools, model.settlements.township[model.schools.settlement]
    members = np.flatnonzero(leader >= 0)
    assert members.size and (s.tier[members] == VILLAGE_TIER).all()
    assert (township[leader[members]] == township[members]).all()
    assert (s.tier[leader[members]] != COUNTY_TOWN_TIER).all()

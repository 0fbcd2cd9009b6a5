"""The bundled people-and-town scenarios load, cite what they encode and run with the invariants."""

from __future__ import annotations

import pytest

import sim

NAMES = {"teacher_support": "teachers", "town_expansion": "capacity",
         "balanced_development": "quality"}
SMALL = ["county.residents=30000", "county.townships=4", "county.villages=24",
         "county.area_km2=600"]


@pytest.mark.parametrize("name", sorted(NAMES))
def test_scenario_loads_and_cites_what_it_encodes(name):
    scenario = sim.load_scenario(name)
    assert getattr(scenario.policies, NAMES[name]) is not None
    assert "facts.md" in scenario.description


@pytest.mark.parametrize("name", sorted(NAMES))
def test_scenario_runs_with_the_invariants(name):
    model = sim.EducationModel(sim.load_scenario(name, ["years=3", *SMALL]), seed=0)
    for _ in range(3):
        model.step()
        model.check()
    assert model.county_rows[-1]["pupils"] > 0

"""The bundled layout-policy scenarios load, cite their source and run with the invariants."""

from __future__ import annotations

import pytest

import sim

NAMES = ["consolidate_fast", "consolidate_with_boarding", "consolidate_with_busing",
         "four_concentrations", "gaotai_like", "optimised_layout"]
# The small county (bundled small_county's size) keeps the runs quick.
SMALL = ["county.residents=30000", "county.townships=4", "county.villages=24",
         "county.area_km2=600"]
SOURCES = ("facts.md", "国办发", "Dai et al.", "Gaotai", "county plan", "2001")


@pytest.mark.parametrize("name", NAMES)
def test_scenario_loads_and_cites_its_source(name):
    scenario = sim.load_scenario(name)
    assert scenario.name == name
    assert scenario.policies.consolidation is not None
    assert any(s in scenario.description for s in SOURCES)
    assert sim.load_scenario("baseline").migration == scenario.migration  # extends baseline


@pytest.mark.parametrize("name", NAMES)
def test_scenario_runs_three_years_with_the_invariants(name):
    scenario = sim.load_scenario(name, ["years=3", *SMALL])
    model = sim.EducationModel(scenario, seed=0)
    model.check()
    for _ in range(3):
        model.step()
        model.check()
    kinds = {e[1] for e in model.events}
    assert kinds & {"school_closed", "school_downgraded", "school_opened", "closure_scheduled",
                    "intake_closed", "optimise", "beds_added"}


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_scenario_runs_on_the_default_county(name):
    result = sim.run(sim.load_scenario(name, ["years=4"]), seed=0, check=True)
    assert result.county["schools_open"].iloc[-1] <= result.county["schools_open"].iloc[0] + 1

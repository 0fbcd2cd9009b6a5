"""The null model: the behaviour switched off by scenario keys, a valid scenario."""

from __future__ import annotations

import sim
from sim.experiment.validation import NULL_MODEL, null_overrides


def test_the_null_model_is_a_valid_scenario_that_keeps_families_and_pupils_in_place():
    scenario = sim.load_scenario("china_2001_2020", null_overrides())
    assert scenario.migration.enabled is False
    assert scenario.choice.beta_quality == 0 and scenario.choice.voluntary_switch_share == 0
    assert all(why for _, why in NULL_MODEL.values())
    result = sim.run(sim.load_scenario("small_county", {**null_overrides(), "years": 3}), seed=0)
    assert (result.county["dropouts"] == 0).all()
    assert (result.county["migrant_children"] == 0).all()

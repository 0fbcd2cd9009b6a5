"""Admission policy: class caps, catchment strictness, the migrant-children target."""

from __future__ import annotations

import sim
from policies.town import OVERFLOWING_TOWN, SEEDS, late_mean, runs
from sim.model import EducationModel


def test_hard_class_caps_admit_no_new_pupil_beyond_the_standard_cap():
    scenario = sim.load_scenario("small_county", {**OVERFLOWING_TOWN, "years": 6,
                                                  "policies.admission": {"class_caps": "hard"}})
    tolerated = sim.load_scenario("small_county", {**OVERFLOWING_TOWN, "years": 6})
    hard_runs = [sim.run(scenario, seed=s) for s in SEEDS]
    soft_runs = [sim.run(tolerated, seed=s) for s in SEEDS]
    assert (late_mean(hard_runs, "superlarge_class_share")
            <= late_mean(soft_runs, "superlarge_class_share"))
    assert late_mean(hard_runs, "large_class_share") < late_mean(soft_runs, "large_class_share")


def test_strict_catchment_keeps_pupils_nearer_home():
    loose = runs({"policies.admission": {"catchment_strictness": 0.0}}, years=6)
    strict = runs({"policies.admission": {"catchment_strictness": 1.0}}, years=6)
    assert late_mean(strict, "mean_commute_min") < late_mean(loose, "mean_commute_min")


def test_migrant_target_lowers_the_barrier_until_met():
    target = {"migrant_public_target": 0.85, "barrier_step": 0.1}
    scenario = sim.load_scenario("small_county", {"years": 6, "admission.hukou_barrier": 0.6,
                                                  "policies.admission": target})
    model = EducationModel(scenario, seed=0)
    for _ in range(6):
        model.step()
    lowered = [e for e in model.events if e[1] == "admission_barrier"]
    assert lowered and model.effects.hukou_barrier < 0.6


def test_the_admission_knobs_are_published_each_year():
    scenario = sim.load_scenario("small_county", {"years": 1, "policies.admission": {
        "catchment_strictness": 0.4, "class_caps": "hard", "hukou_barrier": 0.2}})
    model = EducationModel(scenario, seed=0)
    assert model.effects.catchment_strictness == 0.0 and not model.effects.hard_class_caps
    model.step()
    assert model.effects.catchment_strictness == 0.4
    assert model.effects.hard_class_caps and model.effects.hukou_barrier == 0.2

"""Admission policy: class caps, catchment strictness, the migrant-children target."""

from __future__ import annotations

import numpy as np

import sim
from policies.town import OVERFLOWING_TOWN, SEEDS, late_mean, runs
from sim.model import EducationModel
from sim.policies.admission import migrant_public_share

# The county town keeps the classrooms generated short of its pupils (slack 0.8), not the
# classrooms fitted to its first roll, so that the surge overflows it.
SHORT_TOWN = {**OVERFLOWING_TOWN, "county.initial_roll_headroom": None}


def test_hard_class_caps_admit_no_new_pupil_beyond_the_standard_cap():
    scenario = sim.load_scenario("small_county", {**SHORT_TOWN, "years": 6,
                                                  "policies.admission": {"class_caps": "hard"}})
    tolerated = sim.load_scenario("small_county", {**SHORT_TOWN, "years": 6})
    hard_runs = [sim.run(scenario, seed=s) for s in SEEDS]
    soft_runs = [sim.run(tolerated, seed=s) for s in SEEDS]
    assert (late_mean(hard_runs, "superlarge_class_share")
            <= late_mean(soft_runs, "superlarge_class_share"))
    assert late_mean(hard_runs, "large_class_share") < late_mean(soft_runs, "large_class_share")


def test_strict_catchment_keeps_pupils_at_their_catchment_school():
    # (Issue 13: the catchment is the township's designated school, not always the nearest,
    # so strictness is measured by the catchment share rather than by commutes.)
    loose = runs({"policies.admission": {"catchment_strictness": 0.0}}, years=6)
    strict = runs({"policies.admission": {"catchment_strictness": 1.0}}, years=6)
    assert late_mean(strict, "catchment_share") > late_mean(loose, "catchment_share")
    assert late_mean(strict, "catchment_share") > 0.97


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


def test_the_migrant_target_measures_this_years_share_and_acts_from_the_first_year():
    scenario = sim.load_scenario("small_county", {"years": 1, "admission.hukou_barrier": 0.6,
                                                  "policies.admission": {
                                                      "migrant_public_target": 0.99,
                                                      "barrier_step": 0.1}})
    model = EducationModel(scenario, seed=0)
    model.step()
    share = migrant_public_share(model)
    assert 0.0 <= share < 0.99  # a barrier of 0.6 refuses many migrant children
    assert model.counts.migrant_children_refused > 0
    assert [e for e in model.events if e[1] == "admission_barrier"]  # acted in year one
    assert model.policies[0].barrier == 0.5


def test_the_knobs_are_withdrawn_after_the_end_year():
    block = {"catchment_strictness": 0.8, "class_caps": "hard", "hukou_barrier": 0.05,
             "dropout_return_rate": 0.9, "end_year": 2025}
    scenario = sim.load_scenario("small_county", {"years": 3, "policies.admission": block})
    model = EducationModel(scenario, seed=0)
    model.step()  # 2024, in force
    assert model.effects.hard_class_caps and model.effects.hukou_barrier == 0.05
    model.step()  # 2025, in force
    model.step()  # 2026: withdrawn
    assert model.year == 2026
    assert model.effects.catchment_strictness == 0.0 and not model.effects.hard_class_caps
    assert model.effects.hukou_barrier is None and model.effects.dropout_return_rate is None


def test_an_ended_policy_returns_to_the_no_policy_run():
    # Common random numbers: the same seed with a policy that ended before the run began
    # draws exactly what the run without it draws.
    ended = {"catchment_strictness": 0.0, "class_caps": "hard", "end_year": 2020}
    with_policy = sim.run(sim.load_scenario("small_county", {"years": 4,
                                                             "policies.admission": ended}), seed=3)
    without = sim.run(sim.load_scenario("small_county", {"years": 4}), seed=3)
    np.testing.assert_array_equal(with_policy.county["pupils"], without.county["pupils"])
    np.testing.assert_array_equal(with_policy.county["large_class_share"],
                                  without.county["large_class_share"])


def test_the_dropout_return_lever_brings_more_dropouts_back():
    base = {"choice.dropout_utility": {"primary": -3.0, "junior": -2.5}}
    plain = runs(base, years=6)
    campaign = runs({**base, "policies.admission": {"dropout_return_rate": 0.8}}, years=6)
    assert late_mean(campaign, "returned_dropouts") > 1.5 * late_mean(plain, "returned_dropouts")

"""Admission and capacity policies (issue: people and town policies)."""

from __future__ import annotations

import numpy as np

import sim
from sim.model import EducationModel

SEEDS = (0, 1, 2)
# A county town built short of classrooms that families keep moving to.
OVERFLOWING_TOWN = {"schools.capacity_slack": 0.8, "migration.town_constant": -3.0,
                    "migration.town_pull_growth_per_year": 0.2, "schools.max_class_size": 80,
                    "demography.births_index": {2000: 1.0}, "demography.births_trend_per_year": 0.0}


def runs(overrides: dict, years: int = 12):
    scenario = sim.load_scenario("small_county", {**overrides, "years": years})
    return [sim.run(scenario, seed=seed) for seed in SEEDS]


def late_mean(results, metric: str, last: int = 4) -> float:
    return float(np.mean([r.county[metric].iloc[-last:].mean() for r in results]))


def test_town_expansion_lowers_large_classes_and_raises_the_town_share():
    plain = runs(OVERFLOWING_TOWN)
    expanded = runs({**OVERFLOWING_TOWN, "policies.capacity": {}, "policies.admission": {"hukou_barrier": 0.0}})
    assert late_mean(plain, "large_class_share") > 0.01
    assert late_mean(expanded, "large_class_share") < late_mean(plain, "large_class_share")
    assert late_mean(expanded, "county_town_pupil_share") > late_mean(plain, "county_town_pupil_share")
    opened = sum((r.events["kind"] == "school_opened").sum() + (r.events["kind"] == "school_expanded").sum()
                 for r in expanded)
    assert opened > 0


def test_investment_screen_lowers_new_hollow_schools():
    # Norms on registered residents everywhere: without the screen the county builds where pupils left.
    provoke = {"where": "everywhere", "residents": "registered"}
    unscreened = runs({"policies.capacity": {**provoke, "investment_screen": False}}, years=6)
    screened = runs({"policies.capacity": {**provoke, "investment_screen": True}}, years=6)
    total = lambda results: float(np.mean([r.county["new_hollow_schools"].sum() for r in results]))  # noqa: E731
    assert total(unscreened) > 0
    assert total(screened) < total(unscreened)
    assert any((r.events["kind"] == "investment_screened").any() for r in screened)


def test_hard_class_caps_admit_no_new_pupil_beyond_the_standard_cap():
    scenario = sim.load_scenario("small_county", {**OVERFLOWING_TOWN, "years": 6,
                                                  "policies.admission": {"class_caps": "hard"}})
    tolerated = sim.load_scenario("small_county", {**OVERFLOWING_TOWN, "years": 6})
    hard_runs = [sim.run(scenario, seed=s) for s in SEEDS]
    soft_runs = [sim.run(tolerated, seed=s) for s in SEEDS]
    assert late_mean(hard_runs, "superlarge_class_share") <= late_mean(soft_runs, "superlarge_class_share")
    assert late_mean(hard_runs, "large_class_share") < late_mean(soft_runs, "large_class_share")


def test_strict_catchment_keeps_pupils_nearer_home():
    loose = runs({"policies.admission": {"catchment_strictness": 0.0}}, years=6)
    strict = runs({"policies.admission": {"catchment_strictness": 1.0}}, years=6)
    assert late_mean(strict, "mean_commute_min") < late_mean(loose, "mean_commute_min")


def test_migrant_target_lowers_the_barrier_until_met():
    scenario = sim.load_scenario("small_county", {"years": 6, "admission.hukou_barrier": 0.6,
                                                  "policies.admission": {"migrant_public_target": 0.85,
                                                                         "barrier_step": 0.1}})
    model = EducationModel(scenario, seed=0)
    for _ in range(6):
        model.step()
    lowered = [e for e in model.events if e[1] == "admission_barrier"]
    assert lowered and model.effects.hukou_barrier < 0.6
    model.check()

"""Runs of a county whose town overflows, shared by the admission and capacity tests."""

from __future__ import annotations

import numpy as np

import sim

SEEDS = (0, 1, 2)
# A county town built short of classrooms that families keep moving to.
OVERFLOWING_TOWN = {"county.initial_roll_headroom": None, "schools.capacity_slack": 0.8,
                    "migration.town_constant": -3.0,
                    "migration.town_pull_growth_per_year": 0.2, "schools.max_class_size": 80,
                    "demography.births_index": {2000: 1.0}, "demography.births_trend_per_year": 0.0}


def runs(overrides: dict, years: int = 12):
    scenario = sim.load_scenario("small_county", {**overrides, "years": years})
    return [sim.run(scenario, seed=seed) for seed in SEEDS]


def late_mean(results, metric: str, last: int = 4) -> float:
    return float(np.mean([r.county[metric].iloc[-last:].mean() for r in results]))

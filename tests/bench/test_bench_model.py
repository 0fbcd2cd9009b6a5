"""Benchmarks of whole runs: the default county, a 100,000-pupil county, migration's cost.

Run with ``pytest -m bench tests/bench/test_bench_model.py``; numbers go to the README.
"""

from __future__ import annotations

import tracemalloc

import pytest

import sim

pytestmark = pytest.mark.bench

LARGE = {
    "county.residents": 1_000_000,
    "county.townships": 40,
    "county.villages": 750,
    "county.area_km2": 8000,
}


def _record(benchmark, result, seconds: float) -> None:
    pupil_years = int(result.county["pupils"].sum())
    benchmark.extra_info["pupils_first_year"] = int(result.county["pupils"].iloc[0])
    benchmark.extra_info["pupil_years"] = pupil_years
    benchmark.extra_info["us_per_pupil_year"] = round(seconds / pupil_years * 1e6, 3)


def _peak_mb(scenario) -> float:
    tracemalloc.start()
    sim.run(scenario)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 2**20, 1)


def test_default_county_15_years(benchmark):
    scenario = sim.load_scenario("baseline")
    result = benchmark.pedantic(sim.run, args=(scenario,), rounds=3, iterations=1, warmup_rounds=1)
    _record(benchmark, result, benchmark.stats.stats.mean)
    benchmark.extra_info["peak_traced_mb"] = _peak_mb(scenario)
    assert result.county["year"].nunique() == 15


def test_county_of_100k_pupils_15_years(benchmark):
    scenario = sim.load_scenario("baseline", LARGE)
    result = benchmark.pedantic(sim.run, args=(scenario,), rounds=1, iterations=1)
    _record(benchmark, result, benchmark.stats.stats.mean)
    benchmark.extra_info["peak_traced_mb"] = _peak_mb(scenario)
    assert result.county["pupils"].iloc[0] > 90_000


@pytest.mark.parametrize("migration", [False, True], ids=["no_migration", "migration"])
def test_migration_share_of_run_time(benchmark, migration):
    """Compare the two ids' means: migration should add at most 30% to the default run."""
    scenario = sim.load_scenario("baseline", {"migration.enabled": migration})
    result = benchmark.pedantic(sim.run, args=(scenario,), rounds=3, iterations=1, warmup_rounds=1)
    _record(benchmark, result, benchmark.stats.stats.mean)

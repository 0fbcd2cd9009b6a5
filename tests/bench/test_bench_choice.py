"""Benchmark of the choice-and-assignment step: 100,000 pupils, 12 candidates each, the
vectorised step against the per-pupil reference on the same inputs (identical output).

Run with ``pytest -m bench tests/bench/test_bench_choice.py -s``.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from reference_choice import choice_step_reference, everyone_chooses

import sim
from sim.behaviour.choice import rank_and_assign, utility_terms
from sim.model import EducationModel

pytestmark = pytest.mark.bench

LARGE = {
    "county.residents": 1_000_000,
    "county.townships": 40,
    "county.villages": 750,
    "county.area_km2": 8000,
    "choice.candidates": 12,
    "choice.include_county_town": False,
}


@pytest.fixture(scope="module")
def instance():
    model = EducationModel(sim.load_scenario("baseline", LARGE), seed=0)
    idx, current, t, draws, seats, beds, _ = everyone_chooses(model)
    return model, idx, current, draws, seats, beds


def test_choice_step_vectorised_vs_reference(benchmark, instance):
    model, idx, current, draws, seats, beds = instance
    grade = model.children.grade[idx]

    def step():
        t = utility_terms(model, idx, current=current)
        return rank_and_assign(t, grade, draws, seats, beds)["pool_choice"]

    fast = benchmark.pedantic(step, rounds=3, iterations=1, warmup_rounds=1)
    started = time.perf_counter()
    slow = choice_step_reference(model, idx, current, draws, seats, beds)
    reference_seconds = time.perf_counter() - started
    np.testing.assert_array_equal(fast, slow)
    speedup = reference_seconds / benchmark.stats.stats.mean
    benchmark.extra_info.update(
        pupils=int(idx.size),
        candidates=int(draws.taste.shape[1]),
        reference_seconds=round(reference_seconds, 2),
        speedup=round(speedup, 1),
    )
    print(
        f"\nchoice step, {idx.size} pupils x {draws.taste.shape[1]} candidates: vectorised "
        f"{benchmark.stats.stats.mean:.3f} s, reference {reference_seconds:.1f} s, "
        f"speed-up {speedup:.0f}x"
    )
    assert idx.size > 90_000

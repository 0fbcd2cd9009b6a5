"""Benchmark of deferred acceptance: vectorised (sim.behaviour.assignment) vs per-pupil reference.

Run with: /work/venv/bin/pytest -m bench tests/bench/test_bench_assignment.py
"""

from __future__ import annotations

import timeit

import numpy as np
import pytest
from reference_assignment import deferred_acceptance_reference

from sim.behaviour.assignment import deferred_acceptance

pytestmark = pytest.mark.bench

N_PUPILS = 100_000
K = 12
N_POOLS = 2_000
SEATED_SHARE = 0.85


def make_instance(seed: int = 2024, beds: bool = False) -> dict:
    """A county-sized instance: 100,000 pupils, 12 distinct candidates each among 2,000 pools.

    Pools differ in popularity (gamma-distributed weights), so popular ones are over-demanded
    and rejection chains are long; seats cover about 85 % of pupils. With ``beds``, options
    from the 7th on need a bed at that pool with probability 0.5 (the far ones: boarding), and
    each pool has beds for about a quarter of its seats.
    """
    rng = np.random.default_rng(seed)
    weight = rng.gamma(1.0, size=N_POOLS)
    p = weight / weight.sum()
    pref = np.empty((N_PUPILS, K), dtype=np.int64)
    todo = np.arange(N_PUPILS)
    while todo.size:  # draw with replacement, keep the first K distinct; redraw short rows
        draws = rng.choice(N_POOLS, size=(todo.size, 3 * K), p=p)
        order = np.argsort(draws, axis=1, kind="stable")
        srt = np.take_along_axis(draws, order, axis=1)
        dup_sorted = np.zeros(draws.shape, dtype=bool)
        dup_sorted[:, 1:] = srt[:, 1:] == srt[:, :-1]
        dup = np.empty_like(dup_sorted)
        np.put_along_axis(dup, order, dup_sorted, axis=1)
        first = np.take_along_axis(draws, np.argsort(dup, axis=1, kind="stable"), axis=1)
        ok = (~dup).sum(axis=1) >= K
        pref[todo[ok]] = first[ok, :K]
        todo = todo[~ok]
    priority = rng.random((N_PUPILS, K))
    capacity = rng.multinomial(int(SEATED_SHARE * N_PUPILS), np.full(N_POOLS, 1 / N_POOLS))
    inst = dict(preferences=pref, priority=priority, capacity=capacity)
    if beds:
        boarding = (np.arange(K) >= 6)[None, :] & (rng.random((N_PUPILS, K)) < 0.5)
        inst["bed_pool"] = np.where(boarding, pref, -1)
        inst["bed_capacity"] = capacity // 4
    return inst


@pytest.fixture(scope="module", params=["plain", "beds"])
def instance(request):
    return request.param, make_instance(beds=request.param == "beds")


def _vectorised(inst):
    return deferred_acceptance(
        inst["preferences"],
        inst["priority"],
        inst["capacity"],
        bed_pool=inst.get("bed_pool"),
        bed_capacity=inst.get("bed_capacity"),
    )


def _reference(inst):
    return deferred_acceptance_reference(
        inst["preferences"],
        inst["priority"],
        inst["capacity"],
        inst.get("bed_pool"),
        inst.get("bed_capacity"),
    )


def test_bench_vectorised(benchmark, instance):
    name, inst = instance
    match = benchmark(_vectorised, inst)
    benchmark.extra_info["variant"] = name
    benchmark.extra_info["assigned_share"] = float((match >= 0).mean())


def test_bench_reference_and_speedup(benchmark, instance):
    name, inst = instance
    vectorised_s = min(timeit.repeat(lambda: _vectorised(inst), number=1, repeat=5))
    expected = _vectorised(inst)
    match = benchmark.pedantic(_reference, args=(inst,), rounds=1, iterations=1)
    np.testing.assert_array_equal(match, expected)
    reference_s = benchmark.stats.stats.min
    benchmark.extra_info["variant"] = name
    benchmark.extra_info["vectorised_s"] = vectorised_s
    benchmark.extra_info["reference_s"] = reference_s
    benchmark.extra_info["speedup"] = reference_s / vectorised_s
    print(
        f"\n[{name}] vectorised {vectorised_s * 1e3:.1f} ms, reference {reference_s:.2f} s, "
        f"speed-up {reference_s / vectorised_s:.0f}x"
    )

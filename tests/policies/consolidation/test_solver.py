"""The facility-location MILP (sim.policies.consolidation.solver) against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from sim.policies.consolidation.solver import (
    allowed_pairs,
    solve_facility_location,
    unserved_penalty,
)


def _instance(rng, n_i=5, n_j=4, n_g=2):
    demand = rng.integers(0, 30, size=(n_i, n_g)).astype(float)
    minutes = rng.uniform(5, 70, size=(n_i, n_j))
    serves = rng.random((n_j, n_g)) < 0.8
    serves[0] = True
    capacity = np.where(serves, rng.integers(10, 60, size=(n_j, n_g)), 0).astype(float)
    fixed = rng.uniform(500, 5000, size=n_j)
    return dict(demand=demand, minutes=minutes, serves=serves, capacity=capacity, fixed_cost=fixed,
                max_minutes=np.array([50.0, 60.0][:n_g]), minute_cost=3.0)


def _brute_force(demand, minutes, serves, capacity, fixed_cost, max_minutes, minute_cost,
                 must_open=None, candidates=None):
    """Enumerate every set of open schools; solve each one's assignment LP; return the best."""
    n_i, n_g = demand.shape
    n_j = minutes.shape[1]
    must_open = np.zeros(n_j, bool) if must_open is None else must_open
    ok = allowed_pairs(demand, minutes, serves, max_minutes, candidates)
    penalty = unserved_penalty(fixed_cost, minutes, max_minutes, minute_cost)
    best = np.inf
    for bits in itertools.product([0, 1], repeat=n_j):
        y = np.array(bits, bool)
        if (must_open & ~y).any():
            continue
        ii, jj, gg = np.nonzero(ok & y[None, :, None])
        ui, ug = np.nonzero(demand > 0)
        n_x, n_u = ii.size, ui.size
        cost = np.concatenate([minute_cost * minutes[ii, jj], np.full(n_u, penalty)])
        a_eq = np.zeros((n_u, n_x + n_u))
        for r, (i, g) in enumerate(zip(ui, ug)):
            a_eq[r, np.flatnonzero((ii == i) & (gg == g))] = 1
            a_eq[r, n_x + r] = 1
        pairs = sorted(set(zip(jj.tolist(), gg.tolist())))
        a_ub = np.zeros((len(pairs), n_x + n_u))
        b_ub = np.zeros(len(pairs))
        for r, (j, g) in enumerate(pairs):
            a_ub[r, np.flatnonzero((jj == j) & (gg == g))] = 1
            b_ub[r] = capacity[j, g]
        res = linprog(cost, A_ub=a_ub if pairs else None, b_ub=b_ub if pairs else None, A_eq=a_eq,
                      b_eq=demand[ui, ug], bounds=(0, None), method="highs")
        assert res.status == 0
        best = min(best, res.fun + fixed_cost[y].sum())
    return best


@pytest.mark.parametrize("seed", range(6))
def test_milp_objective_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    inst = _instance(rng)
    must = np.zeros(4, bool)
    must[seed % 4] = seed % 2 == 0
    result = solve_facility_location(must_open=must, **inst)
    assert result.optimal
    best = _brute_force(must_open=must, **inst)
    assert result.objective == pytest.approx(best, rel=1e-7, abs=1e-6)


def test_solution_respects_capacity_commute_and_must_open():
    rng = np.random.default_rng(42)
    inst = _instance(rng, n_i=8, n_j=6, n_g=3)
    inst["max_minutes"] = np.array([40.0, 50.0, 60.0])
    must = np.array([False, True, False, False, False, False])
    r = solve_facility_location(must_open=must, **inst)
    assert r.open[1]
    load = r.flow.sum(axis=0)  # (J, G)
    assert (load <= inst["capacity"] * r.open[:, None] + 1e-6).all()
    far = inst["minutes"][:, :, None] > inst["max_minutes"][None, None, :]
    assert (r.flow[far] <= 1e-9).all()
    assert np.allclose(r.flow.sum(axis=1) + r.unserved, inst["demand"])
    assert r.objective == pytest.approx(r.travel_cost + r.fixed_cost + unserved_penalty(
        inst["fixed_cost"], inst["minutes"], inst["max_minutes"], inst["minute_cost"])
        * r.unserved.sum())


def test_candidates_keep_only_the_nearest_schools():
    rng = np.random.default_rng(1)
    inst = _instance(rng, n_i=6, n_j=5, n_g=1)
    inst["max_minutes"] = np.array([1e9])
    ok = allowed_pairs(inst["demand"], inst["minutes"], inst["serves"], inst["max_minutes"],
                       candidates=2)
    assert (ok.any(axis=2).sum(axis=1) <= 2).all()
    r = solve_facility_location(candidates=2, **inst)
    assert r.objective == pytest.approx(_brute_force(candidates=2, **inst), rel=1e-7, abs=1e-6)

"""Small-county runs under consolidation, shared by the consolidation tests."""

from __future__ import annotations

import sim

FAST = ["policies.consolidation.rule.consecutive_years=1",
        "policies.consolidation.max_closures_per_year=5"]
SEEDS = (0, 1, 2)


def run_steps(overrides, seed, years, check=True):
    """Step a small county ``years`` years, checking the invariants after each step."""
    m = sim.EducationModel(sim.load_scenario("small_county", [f"years={years}", *overrides]),
                           seed=seed)
    for _ in range(years):
        m.step()
        if check:
            m.check()
    return m


def events(m, kind):
    """The model's events of ``kind``."""
    return [e for e in m.events if e[1] == kind]

"""The optimise mode: a county's layout by the MILP, closed in stages."""

from __future__ import annotations

import sim
from sim.policies.consolidation import choose_layout
from sim.state import COUNTY_TOWN_TIER, NINE_YEAR, OPEN


def test_choose_layout_on_a_county_closes_only_closable_schools_into_kept_ones():
    scenario = sim.load_scenario("small_county",
                                 ["years=1", "policies.consolidation.optimise.year=2025"])
    m = sim.EducationModel(scenario, seed=2)
    m.step()
    cfg = scenario.policies.consolidation.optimise
    for stage in ("primary", "junior"):
        choice = choose_layout(m, stage, cfg)
        assert choice.objective <= choice.current_objective + 1e-6
        kept = set(choice.result.open.nonzero()[0].tolist())
        for school, receiving in choice.closures:
            # County-town and nine-year schools stay.
            assert m.schools.tier[school] != COUNTY_TOWN_TIER
            assert m.schools.level[school] != NINE_YEAR
            assert receiving is None or m.schools.status[receiving] == OPEN
        assert len(kept) + len(choice.closures) == choice.result.open.size


def test_optimise_policy_closes_in_stages():
    scenario = sim.load_scenario("small_county", [
        "years=4", "policies.consolidation.optimise.year=2025",
        "policies.consolidation.max_closures_per_year=2",
        "policies.consolidation.optimise.fixed_cost_yuan=2000000",
    ])
    result = sim.run(scenario, seed=4, check=True)
    ev = result.events
    assert (ev.kind == "optimise").sum() == 2
    closed = ev[ev.kind == "school_closed"].groupby("year").size()
    assert closed.sum() > 0 and (closed <= 2).all()
    assert closed.index.min() >= 2025


def test_the_optimise_event_describes_both_layouts():
    scenario = sim.load_scenario("small_county",
                                 ["years=1", "policies.consolidation.optimise.year=2025"])
    m = sim.EducationModel(scenario, seed=2)
    m.step()
    choice = choose_layout(m, "primary", scenario.policies.consolidation.optimise)
    text = choice.describe()
    kept = int(choice.result.open.sum())
    assert text.startswith(f"primary: keep {kept} of {choice.result.open.size} schools, close "
                           f"{len(choice.closures)}; cost ")
    assert f"{choice.current_objective:,.0f} now" in text and choice.result.status in text

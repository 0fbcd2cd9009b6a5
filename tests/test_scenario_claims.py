"""The bundled scenarios' descriptions say truthfully what they show (rerun on every slow run).

Each test reruns a scenario as its description's "Measured" sentence says (seed, replicates) and
checks the claim: the direction and a bound well inside the measured figure, so that a change
of behaviour that makes the description false fails here.
"""

from __future__ import annotations

import pytest

import sim

pytestmark = pytest.mark.slow


def _by_year(name: str, replicates: int = 3):
    return sim.run(sim.load_scenario(name), seed=1, replicates=replicates).county.groupby(
        "year").mean(numeric_only=True)


def test_consolidate_fast_has_fewer_schools_longer_commutes_more_dropouts_than_baseline():
    base, fast = _by_year("baseline"), _by_year("consolidate_fast")
    last = base.index.max()
    assert fast.loc[last, "schools_open"] < 0.4 * base.loc[last, "schools_open"]
    assert fast.loc[last, "mean_commute_min"] > base.loc[last, "mean_commute_min"] + 2
    assert fast["dropouts"].sum() > 1.5 * base["dropouts"].sum()
    assert fast["pupils_without_place"].sum() > 500 > base["pupils_without_place"].sum()


def test_the_hollow_school_demo_goes_hollow_while_town_classes_overflow():
    demo = _by_year("hollow_school_demo")
    first, last = demo.index.min(), demo.index.max()
    assert demo.loc[last, "hollow_share"] > demo.loc[first, "hollow_share"] + 0.3
    assert demo.loc[last, "county_town_pupil_share"] > 0.8 > demo.loc[first,
                                                                       "county_town_pupil_share"]
    assert demo.loc[first, "large_class_share"] == 0
    assert demo.loc[last, "large_class_share"] > 0.3
    assert demo.loc[last, "superlarge_class_share"] > 0.1
    assert demo.loc[last, "migrant_children"] > 2 * demo.loc[first, "migrant_children"]
    assert demo.loc[last, "left_behind_children"] < 0.5 * demo.loc[first, "left_behind_children"]


def test_china_2001_2020_pauses_in_2012_restores_teaching_points_then_closes_a_few():
    result = sim.run(sim.load_scenario("china_2001_2020"), seed=1)
    county = result.county.set_index("year")
    events = result.events
    restored = events[events.kind == "school_restored"].groupby("year").size()
    closed = events[events.kind.isin(["school_closed", "school_downgraded"])].groupby("year").size()
    assert 35 <= county.loc[2012, "schools_open"] <= 50
    assert closed.get(2012, 0) == 0  # the pause while the layout plan is drawn up
    assert restored.get(2013, 0) >= 10
    assert county.loc[2013, "schools_open"] > county.loc[2012, "schools_open"]
    assert all(closed.get(year, 0) <= 4 for year in range(2013, 2021))

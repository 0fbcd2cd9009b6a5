"""The model the app steps: same county as EducationModel, SolaraViz's keywords, its state."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from sim.viz.app.panels import stats
from sim.viz.app.teaching import ROUTE_COLUMNS, TeachingModel, bus_routes, load_base

DEMO = "hollow_school_demo"


@pytest.fixture(scope="module")
def base() -> sim.Scenario:
    return load_base(DEMO)


def test_teaching_model_matches_education_model(base):
    taught = TeachingModel(DEMO)
    plain = sim.EducationModel(base)
    for _ in range(3):
        taught.step()
        plain.step()
    pd.testing.assert_frame_equal(pd.DataFrame(taught.county_rows), pd.DataFrame(plain.county_rows))
    assert taught.steps == 3 and taught.simulated_years() == 3


def test_teaching_model_takes_solaraviz_keywords_and_a_reactive():
    class Holder:  # what the app passes: its reactive variable, read at build time
        value = {"closure": 50, "buses": True}

    model = TeachingModel(scenario_name=DEMO, overrides=("years=5",), levers=Holder(), seed=3)
    assert model.seed == 3 and model.scenario.years == 5
    assert model.levers["closure"] == 50 and model.levers["town_pull"] == -3.0
    assert model.scenario.policies.consolidation.rule.min_pupils.primary == 50
    assert model.scenario.policies.busing is not None


def test_frames_panel_and_stats_start_before_the_first_year():
    model = TeachingModel(DEMO)
    start = model.scenario.start_year - 1
    assert model.year == start
    assert model.frames()["year"].tolist() == [start]
    assert model.panel()["pupils"].sum() > 0
    s0 = stats(model)
    assert s0["open"] > 0 and s0["closed"] == 0 and s0["pupils"] > 0
    model.step()
    model.step()
    frames = model.frames()
    assert frames["year"].tolist() == [start, start + 1, start + 2]
    assert frames[["hollow_share", "hard_access_share"]].notna().all().all()
    assert (model.panel()["year"] == start + 2).all()
    assert model.version == (model.build_id, 2)
    assert TeachingModel(DEMO).build_id != model.build_id


def test_closure_lever_closes_schools_and_buses_ride():
    model = TeachingModel(DEMO, levers={"closure": 100, "buses": True})
    for _ in range(7):
        model.step()
    assert stats(model)["closed"] > 0
    routes = bus_routes(model)
    assert list(routes.columns) == ["route", "order", "settlement"]
    world = model.map_world()
    assert len(world["schools"]) == len(model.schools)
    assert ("bus_routes" in world) == (len(routes) > 0)


def test_the_start_state_is_what_the_model_was_built_with():
    model = TeachingModel(DEMO, overrides=("years=3",))
    assert model.current_row() is model.start_row
    assert model.panel() is model.start_panel
    assert model.start_row["year"] == model.scenario.start_year - 1
    model.step()
    assert model.current_row() == model.county_rows[-1]
    assert model.start_row["year"] == model.scenario.start_year - 1  # kept after steps


def test_bus_routes_end_at_the_school_and_are_empty_without_buses():
    plain = TeachingModel(DEMO)
    plain.step()
    empty = bus_routes(plain)
    assert empty.empty and list(empty.columns) == ROUTE_COLUMNS
    assert "bus_routes" not in plain.map_world()
    model = TeachingModel(DEMO, levers={"closure": 100, "buses": True})
    for _ in range(7):
        model.step()
    routes = bus_routes(model)
    [policy] = [p for p in model.policies if getattr(p, "routes", None)]
    assert routes["route"].nunique() == len(policy.routes)
    for route, stops in zip(policy.routes, (g for _, g in routes.groupby("route", sort=True))):
        assert stops["order"].tolist() == list(range(len(stops)))
        assert stops["settlement"].iloc[-1] == model.schools.settlement[int(route.school)]


def test_load_base_caches_and_validates():
    assert load_base(DEMO, ("years=4",)) is load_base(DEMO, ("years=4",))
    assert load_base(DEMO, ("years=4",)).years == 4
    with pytest.raises(ScenarioError):
        load_base("no_such_scenario")
    with pytest.raises(ScenarioError):
        TeachingModel(DEMO, levers={"min_grade": 42})

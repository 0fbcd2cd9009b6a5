"""Quality policy (groups, remote classrooms, funding) and buildings policy."""

from __future__ import annotations

import numpy as np

import sim
from sim.behaviour import layout
from sim.model import EducationModel
from sim.policies.quality import group_leaders
from sim.state import BUILDING_USE, CLOSED, COUNTY_TOWN_TIER, OPEN, RETIRED, TEACHER_LEFT, VILLAGE_TIER, on_duty

QUALITY_OFF = {"groups": "none", "remote_classrooms": False, "extra_funding_yuan_per_pupil": 0.0}


def rural_quality(overrides: dict, seeds=(0, 1, 2)) -> float:
    values = []
    for seed in seeds:
        r = sim.run(sim.load_scenario("small_county", {**overrides, "years": 6}), seed=seed)
        values.append(r.county["quality_rural"].iloc[-3:].mean())
    return float(np.mean(values))


def test_each_quality_tool_raises_rural_quality():
    off = rural_quality({"policies.quality": QUALITY_OFF})
    assert rural_quality({"policies.quality": {**QUALITY_OFF, "groups": "township"}}) > off
    assert rural_quality({"policies.quality": {**QUALITY_OFF, "remote_classrooms": True}}) > off
    assert rural_quality({"policies.quality": {**QUALITY_OFF, "extra_funding_yuan_per_pupil": 2000}}) > off


def test_group_leaders_are_township_schools_of_the_same_township():
    model = EducationModel(sim.load_scenario("small_county"), seed=0)
    leader = group_leaders(model, "township")
    s, township = model.schools, model.settlements.township[model.schools.settlement]
    members = np.flatnonzero(leader >= 0)
    assert members.size and (s.tier[members] == VILLAGE_TIER).all()
    assert (township[leader[members]] == township[members]).all()
    assert (s.tier[leader[members]] != COUNTY_TOWN_TIER).all()


def test_closed_school_teachers_are_never_lost():
    model = EducationModel(sim.load_scenario("small_county"), seed=1)
    model.step()
    t, s = model.teachers, model.schools
    village = np.flatnonzero((s.tier == VILLAGE_TIER) & (s.status == OPEN))[:3]
    staff = np.flatnonzero(on_duty(t) & np.isin(t.school, village))
    total = t.n
    for school in village:
        layout.close_school(model, int(school), reason="test")
    assert t.n == total  # no teacher row appears or disappears
    moved = staff[on_duty(t)[staff]]
    assert (s.status[t.school[moved]] == OPEN).all()
    gone = staff[~on_duty(t)[staff]]
    assert np.isin(t.status[gone], [RETIRED, TEACHER_LEFT]).all()
    model.step()
    model.check()


def test_closed_buildings_are_reused_or_sold_and_sales_count_as_income():
    scenario = sim.load_scenario("small_county", {"years": 6, "policies.buildings": {
        "reuse_chance": 0.0, "sell_after_years": 1, "sale_chance": 1.0, "sale_value_yuan": 1_000_000}})
    model = EducationModel(scenario, seed=0)
    model.step()
    closing = np.flatnonzero((model.schools.tier == VILLAGE_TIER) & (model.schools.status == OPEN))[:2]
    for school in closing:
        layout.close_school(model, int(school))
    assert (model.schools.building_use[closing] == BUILDING_USE.index("idle")).all()
    for _ in range(3):
        model.step()
    assert (model.schools.building_use[closing] == BUILDING_USE.index("sold")).all()
    assert any(e[1] == "building_sold" for e in model.events)
    assert (model.schools.status[closing] == CLOSED).all()

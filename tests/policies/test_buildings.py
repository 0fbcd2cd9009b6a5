"""Buildings policy: closed schools' buildings are reused or sold (闲置校舍)."""

from __future__ import annotations

import numpy as np

import sim
from sim.behaviour import layout
from sim.model import EducationModel
from sim.state import BUILDING_USE, CLOSED, OPEN, VILLAGE_TIER, code


def test_closed_buildings_are_reused_or_sold_and_sales_count_as_income():
    scenario = sim.load_scenario("small_county", {"years": 6, "policies.buildings": {
        "reuse_chance": 0.0, "sell_after_years": 1, "sale_chance": 1.0,
        "sale_value_yuan": 1_000_000}})
    model = EducationModel(scenario, seed=0)
    model.step()
    s = model.schools
    closing = np.flatnonzero((s.tier == VILLAGE_TIER) & (s.status == OPEN))[:2]
    for school in closing:
        layout.close_school(model, int(school))
    assert (model.schools.building_use[closing] == code(BUILDING_USE, "idle")).all()
    model.step()  # idle for a year: both are sold at this year's end, and the sale is income
    assert model.counts.extra_cost_yuan == -2 * 1_000_000
    for _ in range(2):
        model.step()
    assert (model.schools.building_use[closing] == code(BUILDING_USE, "sold")).all()
    assert any(e[1] == "building_sold" for e in model.events)
    assert (model.schools.status[closing] == CLOSED).all()


def test_reused_buildings_are_never_sold():
    scenario = sim.load_scenario("small_county", {"years": 4, "policies.buildings": {
        "reuse_chance": 1.0, "sell_after_years": 1, "sale_chance": 1.0}})
    model = EducationModel(scenario, seed=0)
    model.step()
    s = model.schools
    closing = np.flatnonzero((s.tier == VILLAGE_TIER) & (s.status == OPEN))[:2]
    for school in closing:
        layout.close_school(model, int(school))
    for _ in range(3):
        model.step()
    assert (model.schools.building_use[closing] == code(BUILDING_USE, "reused")).all()
    assert not any(e[1] == "building_sold" for e in model.events)

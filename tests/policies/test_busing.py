"""Busing policy: routes from villages that lost their school, ride times, costs, effects."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import routing
from sim.state import COUNTY_TOWN_TIER, TOWNSHIP_TIER

FAST = ["policies.consolidation.rule.consecutive_years=1",
        "policies.consolidation.max_closures_per_year=5"]
BUS = ["policies.busing.max_ride_min=40"]


def _displaced_commute(extra, seed, years=5):
    m = sim.EducationModel(sim.load_scenario("small_county", [f"years={years}", *FAST, *extra]),
                           seed=seed)
    total = count = 0
    for _ in range(years):
        m.step()
        c = m.children
        d = (c.displaced_year == m.year) & (c.status == 1)
        total += float(c.commute_min[d].sum())
        count += int(d.sum())
    return total / count


def test_busing_lowers_the_displaced_pupils_commute():
    seeds = range(4)
    without = np.mean([_displaced_commute([], s) for s in seeds])
    with_bus = np.mean([_displaced_commute(BUS, s) for s in seeds])
    assert with_bus < without


def test_routes_respect_capacity_and_ride_time_and_riders_commute_is_the_ride():
    scenario = sim.load_scenario("small_county",
                                 ["years=4", *FAST, *BUS, "policies.busing.bus_capacity=30"])
    m = sim.EducationModel(scenario, seed=2)
    routes_seen = 0
    for _ in range(4):
        m.step()
        m.check()
        policy = next(p for p in m.policies if p.name == "busing")
        for r in policy.routes:
            assert r.load <= 30
            assert max(r.ride_min) <= 40.0 + 1e-9
        routes_seen += len(policy.routes)
        c = m.children
        riders = np.flatnonzero((c.status == 1) & c.bus)
        home = m.families.settlement[c.family[riders]]
        assert np.allclose(c.commute_min[riders], m.bus.lookup(home, c.school[riders]), atol=1e-4)
        assert (c.commute_min[riders] <= 40.0 + 1e-4).all()
    assert routes_seen > 0
    ev = m.events_frame()
    assert (ev.kind == "bus_route").sum() == routes_seen
    assert m.county_rows[-1]["bus_riders"] > 0


def test_bus_costs_enter_the_county_cost():
    scenario = sim.load_scenario("small_county", [
        "years=3", *FAST, *BUS, "policies.busing.cost_per_bus_yuan=1000",
        "policies.busing.cost_per_km_yuan=1", "policies.busing.school_days=100"])
    m = sim.EducationModel(scenario, seed=2)
    for _ in range(3):
        m.step()
    policy = next(p for p in m.policies if p.name == "busing")
    expected = len(policy.routes) * 1000 + sum(r.km for r in policy.routes) * 1 * 2 * 100
    assert m.counts.bus_yuan == pytest.approx(expected)
    assert expected > 0


def test_buses_stop_after_the_end_year():
    scenario = sim.load_scenario("small_county", ["years=4", *FAST, *BUS,
                                                  "policies.busing.serve=\"all\"",
                                                  "policies.busing.end_year=2025"])
    m = sim.EducationModel(scenario, seed=0)
    m.step()
    assert len(m.bus) > 0
    m.step()
    m.step()
    assert len(m.bus) == 0
    assert m.county_rows[-1]["bus_riders"] == 0


def test_serve_all_serves_far_villages_without_closures():
    scenario = sim.load_scenario("small_county", ["years=1", "policies.busing.serve=\"all\""])
    m = sim.EducationModel(scenario, seed=0)
    m.step()
    m.check()
    policy = next(p for p in m.policies if p.name == "busing")
    assert policy.routes
    km = m.travel.km
    for r in policy.routes:
        depot = m.schools.settlement[r.school]
        assert all(km[p, depot] >= scenario.policies.busing.min_distance_km for p in r.stops)
    drive = routing.drive_minutes(m)
    assert all(max(r.ride_min) >= drive[r.stops[-1], m.schools.settlement[r.school]] - 1e-9
               for r in policy.routes)


def test_where_buses_would_run_is_published_for_this_year_and_the_next():
    scenario = sim.load_scenario("small_county", ["years=3", *BUS, "policies.busing.grade_max=6",
                                                  'policies.busing.tiers=["township"]',
                                                  "policies.busing.end_year=2025"])
    m = sim.EducationModel(scenario, seed=0)
    policy = next(p for p in m.policies if p.name == "busing")
    assert sorted(m.effects.bus_service) == [2023, 2024]  # when built: before the first step
    m.step()
    service = m.effects.bus_service[2025]
    assert service is policy.service and set(m.effects.bus_service) == {2024, 2025}
    cfg = scenario.policies.busing
    drive, km = routing.drive_minutes(m, cfg.speed_factor), m.travel.km
    assert ((drive <= cfg.max_ride_min) & (km >= cfg.min_distance_km) == service.within_reach).all()
    home, there = np.argwhere(service.within_reach)[0]
    assert service.would_serve(int(home), int(there), TOWNSHIP_TIER, 3)
    assert not service.would_serve(int(home), int(there), TOWNSHIP_TIER, 7)  # grade_max 6
    assert not service.would_serve(int(home), int(there), COUNTY_TOWN_TIER, 3)  # tiers
    m.step()
    assert m.effects.bus_service == {2025: service, 2026: None}  # out of force after end_year


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_rider_has_a_seat_and_no_bus_carries_more_than_it_holds(seed):
    # Buses for every far village (serve = "all"), small buses: the riders choice adds to the
    # expected ones must be seated (spare seats, then added buses), grade scope included.
    scenario = sim.load_scenario("small_county", [
        "years=4", *FAST, *BUS, "policies.busing.serve=all", "policies.busing.bus_capacity=20",
        "policies.busing.grade_min=1", "policies.busing.grade_max=6"])
    m = sim.EducationModel(scenario, seed=seed)
    policy = next(p for p in m.policies if p.name == "busing")
    riders_seen = 0
    for _ in range(4):
        m.step()
        seats: dict[tuple[int, int], int] = {}
        for rt in policy.routes:
            assert rt.load <= 20
            for p, n in zip(rt.stops, rt.riders):
                seats[(p, rt.school)] = seats.get((p, rt.school), 0) + n
        home, school, riders = routing.riders_by_pair(m)
        for p, r, n in zip(home.tolist(), school.tolist(), riders.tolist()):
            assert n <= seats.get((p, r), 0), (m.year, p, r, n)
        riders_seen += int(riders.sum())
        assert sum(rt.load for rt in policy.routes) == int(riders.sum())
    assert riders_seen > 0


def test_route_changes_put_only_the_grades_in_scope_on_the_bus():
    scenario = sim.load_scenario("small_county", [
        "years=3", *FAST, *BUS, "policies.busing.serve=all", "policies.busing.grade_min=1",
        "policies.busing.grade_max=3"])
    m = sim.EducationModel(scenario, seed=1)
    m.step()
    m.step()
    routing.refresh_riders(m, 1, 3)
    c = m.children
    riding = (c.status == 1) & c.bus
    assert riding.any() and (c.grade[riding] <= 3).all()

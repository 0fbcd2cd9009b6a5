"""School-bus routes with PyVRP (sim.behaviour.routing): capacity, ride time, determinism."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour import routing
from sim.state import COUNTY_TOWN_TIER, ENROLLED, TOWNSHIP_TIER, VILLAGE_TIER


@pytest.fixture(scope="module")
def model():
    return sim.EducationModel(sim.load_scenario("small_county", ["years=1"]), seed=5)


def _school_and_villages(m, n=8):
    school = int(np.flatnonzero(m.schools.tier == 1)[0])  # a township school
    depot = m.schools.settlement[school]
    others = np.array([p for p in range(m.settlements.n) if p != depot])
    near = others[np.argsort(m.travel.minutes[others, depot])][:n]
    return school, near


def test_routes_respect_capacity_and_ride_time_and_carry_everyone(model):
    m = model
    school, villages = _school_and_villages(m)
    demand = np.array([30, 12, 45, 7, 20, 33, 18, 9])
    routes, unserved = routing.build_routes(m, school, villages, demand, capacity=56,
                                            max_ride_min=45.0,
                                            iterations=200, seed=1)
    assert routes
    for r in routes:
        assert r.load <= 56
        assert max(r.ride_min) <= 45.0 + 1e-9
        assert list(r.ride_min) == sorted(r.ride_min, reverse=True)  # earlier stops ride longer
        assert r.km > 0
    served = {}
    for r in routes:
        for p, n in zip(r.stops, r.riders):
            served[p] = served.get(p, 0) + n
    expected = {int(p): int(d) for p, d in zip(villages, demand) if p not in set(unserved.tolist())}
    assert served == expected


def test_villages_beyond_the_ride_limit_are_not_served(model):
    m = model
    school, villages = _school_and_villages(m)
    drive = routing.drive_minutes(m)
    depot = m.schools.settlement[school]
    limit = float(np.median(drive[villages, depot]))
    routes, unserved = routing.build_routes(m, school, villages, np.full(villages.size, 10),
                                            max_ride_min=limit,
                                            iterations=100)
    far = villages[drive[villages, depot] > limit]
    assert set(unserved.tolist()) == set(far.tolist())
    assert all(max(r.ride_min) <= limit + 1e-9 for r in routes)


def test_a_big_village_is_split_over_buses(model):
    m = model
    school, villages = _school_and_villages(m, 1)
    routes, _ = routing.build_routes(m, school, villages, np.array([130]), capacity=50,
                                     max_ride_min=120.0,
                                     iterations=100)
    assert sum(r.load for r in routes) == 130
    assert len(routes) >= 3 and all(r.load <= 50 for r in routes)


def test_routes_are_reproducible(model):
    m = model
    school, villages = _school_and_villages(m)
    demand = np.array([30, 12, 45, 7, 20, 33, 18, 9])
    a, _ = routing.build_routes(m, school, villages, demand, iterations=150, seed=3)
    b, _ = routing.build_routes(m, school, villages, demand, iterations=150, seed=3)
    assert a == b


def test_capacity_above_56_is_refused(model):
    school, villages = _school_and_villages(model)
    with pytest.raises(ValueError, match="56"):
        routing.build_routes(model, school, villages, np.ones(villages.size, dtype=int),
                             capacity=60)


def test_ride_times_follow_the_route():
    drive = np.array([[0.0, 5.0, 9.0], [5.0, 0.0, 4.0], [9.0, 4.0, 0.0]])
    # depot 0; stops 2 then 1: stop 2 rides 2->1->0 plus one dwell, stop 1 rides 1->0.
    assert routing.ride_times([2, 1], 0, drive, stop_minutes=1.0) == [4.0 + 5.0 + 1.0, 5.0]


def test_set_rides_fills_the_bus_table(model):
    m = model
    school, villages = _school_and_villages(m, 4)
    routes, _ = routing.build_routes(m, school, villages, np.array([10, 10, 10, 10]),
                                     iterations=100)
    m.bus.clear()
    routing.set_rides(m, routes)
    for r in routes:
        got = m.bus.lookup(np.asarray(r.stops), r.school)
        assert np.allclose(got, r.ride_min)
    m.bus.clear()


def test_a_bus_service_serves_its_grades_and_tiers_within_reach():
    within = np.array([[False, True], [True, False]])
    service = routing.BusService(within_reach=within, grade_min=1, grade_max=6,
                                 tiers=frozenset({VILLAGE_TIER, TOWNSHIP_TIER}))
    assert service.would_serve(0, 1, TOWNSHIP_TIER, 3)
    assert not service.would_serve(0, 0, TOWNSHIP_TIER, 3)  # not within reach
    assert not service.would_serve(0, 1, TOWNSHIP_TIER, 7)  # grade
    assert not service.would_serve(0, 1, COUNTY_TOWN_TIER, 3)  # tier


def test_refreshed_riders_take_the_bus_only_where_it_is_no_slower(model):
    m = model
    c, s = m.children, m.schools
    school, villages = _school_and_villages(m, 4)
    routes, _ = routing.build_routes(m, school, villages, np.array([10, 10, 10, 10]),
                                     iterations=100)
    m.bus.clear()
    routing.set_rides(m, routes)
    routing.refresh_riders(m)
    riders = np.flatnonzero((c.status == ENROLLED) & c.bus)
    home = m.families.settlement[c.family[riders]]
    assert np.allclose(c.commute_min[riders], m.bus.lookup(home, c.school[riders]))
    day = np.flatnonzero((c.status == ENROLLED) & ~c.boarding & ~c.bus)
    own = m.travel.minutes[m.families.settlement[c.family[day]], s.settlement[c.school[day]]]
    assert np.allclose(c.commute_min[day], own)
    m.bus.clear()
    routing.refresh_riders(m)
    assert not c.bus.any()

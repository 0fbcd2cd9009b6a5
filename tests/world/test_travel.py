"""Travel times: shortest paths, walking below the threshold, riding above, local commutes."""

import numpy as np
import pytest

from sim.scenario.schema import ROAD_CLASSES, SETTLEMENT_KINDS, RoadsConfig, Scenario
from sim.world import World, build_world, travel_times
from sim.world.synthetic import empty_school_columns


def line_world(terrain="plain"):
    """A (village) -1.5 km village road- B (town) -10 km county road- C (county town),
    plus a 20 km village road A-C and a second, longer B-C road (12 km, township)."""
    kind = [SETTLEMENT_KINDS.index(k) for k in ("village", "town", "county_town")]
    cls = [ROAD_CLASSES.index(c) for c in ("village", "county", "village", "township")]
    return World(
        terrain=terrain,
        settlement_name=np.array(["A", "B", "C"], dtype=object),
        settlement_kind=np.array(kind, np.int8),
        settlement_township=np.array([1, 1, 0], np.int16),
        x_km=np.array([0, 1.5, 11.5], np.float32),
        y_km=np.zeros(3, np.float32),
        population=np.array([500, 3000, 50000], np.int32),
        road_src=np.array([0, 1, 0, 2], np.int32),
        road_dst=np.array([1, 2, 2, 1], np.int32),
        road_km=np.array([1.5, 10, 20, 12], np.float32),
        road_class=np.array(cls, np.int8),
        **empty_school_columns(),
    )


def test_hand_computed_three_nodes():
    tt = travel_times(line_world(), RoadsConfig())
    assert tt.minutes.dtype == np.float32 and tt.km.dtype == np.float32
    np.testing.assert_allclose(tt.km, [[0, 1.5, 11.5], [1.5, 0, 10], [11.5, 10, 0]])
    # A->B walks 1.5 km at 4 km/h; B->C rides 10 km at 40 km/h + 5 min access;
    # A->C rides via B: 1.5 km at 20 km/h + 10 km at 40 km/h + 5 = 4.5 + 15 + 5
    expected = [[8, 22.5, 24.5], [22.5, 10, 20], [24.5, 20, 15]]
    np.testing.assert_allclose(tt.minutes, expected, rtol=1e-6)


def test_terrain_slows_riding_not_walking():
    tt = travel_times(line_world("hill"), RoadsConfig())
    assert tt.minutes[1, 2] == pytest.approx(10 / (40 * 0.8) * 60 + 5)
    assert tt.minutes[0, 1] == pytest.approx(22.5)


def test_walk_threshold_switches_mode():
    cfg = RoadsConfig(walk_max_km=1.0)
    tt = travel_times(line_world(), cfg)
    assert tt.minutes[0, 1] == pytest.approx(1.5 / 20 * 60 + 5)  # 1.5 km is now ridden


@pytest.fixture(scope="module")
def default_county():
    scenario = Scenario()
    world = build_world(scenario, np.random.default_rng(1))
    return world, travel_times(world, scenario.roads), scenario.roads


def test_km_is_a_metric(default_county):
    _, tt, _ = default_county
    km = tt.km.astype(np.float64)
    np.testing.assert_array_equal(km, km.T)
    assert (np.diag(km) == 0).all() and np.isfinite(km).all()
    # d(a, c) <= d(a, b) + d(b, c) for all a, b, c
    assert (km[:, None, :] <= km[:, :, None] + km[None, :, :] + 1e-3).all()


def test_default_county_modes(default_county):
    world, tt, cfg = default_county
    local = np.array([cfg.local_minutes[k] for k in SETTLEMENT_KINDS])[world.settlement_kind]
    np.testing.assert_allclose(np.diag(tt.minutes), local)
    off = ~np.eye(world.n_settlements, dtype=bool)
    walk = off & (tt.km < cfg.walk_max_km)
    np.testing.assert_allclose(tt.minutes[walk], tt.km[walk] / cfg.walk_speed_kmh * 60, rtol=1e-5)
    ride = off & ~walk
    # a ride is never faster than the fastest road allows, and includes the access time
    fastest = max(cfg.ride_speed_kmh.values()) * cfg.terrain_speed_factor[world.terrain]
    assert (tt.minutes[ride] >= tt.km[ride] / fastest * 60 + cfg.ride_access_minutes - 1e-3).all()
    np.testing.assert_allclose(tt.minutes, tt.minutes.T, rtol=1e-5)


def test_unreachable_settlements_are_infinitely_far():
    """With no road between two places, both the distance and the commute are infinite (the
    choice step treats infinite commutes as infeasible)."""
    world = line_world()
    cut = World(**{**world.__dict__, "road_src": world.road_src[:1], "road_dst": world.road_dst[:1],
                   "road_km": world.road_km[:1], "road_class": world.road_class[:1]})
    tt = travel_times(cut, RoadsConfig())
    assert np.isinf(tt.km[0, 2]) and np.isinf(tt.minutes[0, 2]) and np.isinf(tt.minutes[2, 1])
    assert np.isfinite(tt.minutes[0, 1])


def test_blocks_of_sources_give_the_all_pairs_result(monkeypatch):
    import sim.world.travel as travel

    scenario = Scenario()
    world = build_world(scenario, np.random.default_rng(3))
    whole = travel_times(world, scenario.roads)
    monkeypatch.setattr(travel, "SOURCE_BLOCK", 7)  # blocks that do not divide S
    blocked = travel_times(world, scenario.roads)
    np.testing.assert_array_equal(whole.minutes, blocked.minutes)
    np.testing.assert_array_equal(whole.km, blocked.km)
    assert whole.minutes.dtype == np.float32 and world.travel is not None
    np.testing.assert_array_equal(world.travel.minutes, whole.minutes)  # built once, kept

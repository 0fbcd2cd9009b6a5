"""Seeds (sim.seeds): replicate generators from one root seed, and the world's own stream."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.seeds import replicate_rng, replicate_seed_sequence, world_rng


def draws(rng: np.random.Generator) -> tuple[float, ...]:
    return tuple(rng.random(4).tolist())


def test_replicate_streams_are_reproducible():
    assert draws(replicate_rng(11, 3)) == draws(replicate_rng(11, 3))
    assert draws(world_rng(11)) == draws(world_rng(11))


def test_replicate_streams_are_distinct():
    streams = {draws(replicate_rng(11, r)) for r in range(20)}
    assert len(streams) == 20
    assert draws(replicate_rng(11, 0)) != draws(replicate_rng(12, 0))


def test_a_replicate_equals_the_spawned_child_of_the_root():
    children = np.random.SeedSequence(2024).spawn(5)
    for r, child in enumerate(children):
        np.testing.assert_array_equal(replicate_seed_sequence(2024, r).generate_state(4),
                                      child.generate_state(4))
    assert draws(replicate_rng(2024, 4)) == draws(np.random.default_rng(children[4]))


def test_negative_seeds_and_replicates_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        replicate_seed_sequence(-1, 0)
    with pytest.raises(ValueError, match="non-negative"):
        replicate_rng(1, -2)


def test_the_world_stream_is_not_a_replicate_stream():
    world = draws(world_rng(11))
    assert world not in {draws(replicate_rng(11, r)) for r in range(20)}
    assert world != draws(world_rng(12))


def test_every_replicate_sees_the_same_county():
    scenario = sim.load_scenario("small_county", ["years=1"])
    a = sim.EducationModel(scenario, seed=4, replicate=0)
    b = sim.EducationModel(scenario, seed=4, replicate=1)
    np.testing.assert_array_equal(a.world.x_km, b.world.x_km)
    np.testing.assert_array_equal(a.world.road_km, b.world.road_km)
    assert list(a.schools.name) == list(b.schools.name)
    # ... while the people in it differ
    assert a.children.n != b.children.n or (a.children.birth_year != b.children.birth_year).any()
    c = sim.EducationModel(scenario, seed=5, replicate=0)
    assert not np.array_equal(a.world.x_km, c.world.x_km)

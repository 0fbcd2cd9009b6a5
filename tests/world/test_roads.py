"""Road networks (sim.world.roads): pruned Delaunay links that stay connected, road classes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay

from sim.scenario.schema import ROAD_CLASSES, SETTLEMENT_KINDS
from sim.world.roads import MIN_ROAD_KM, build_roads, network_edges

COUNTY, TOWNSHIP, VILLAGE_ROAD = (ROAD_CLASSES.index(c) for c in ("county", "township", "village"))
CT, TOWN, VILLAGE = (SETTLEMENT_KINDS.index(k) for k in ("county_town", "town", "village"))


def components(n: int, edges: np.ndarray) -> int:
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)[0]


def tree_length(xy: np.ndarray, edges: np.ndarray) -> float:
    length = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T)
    graph = coo_matrix((length, (edges[:, 0], edges[:, 1])), shape=(len(xy),) * 2)
    return float(minimum_spanning_tree(graph).sum())


def delaunay_edges(xy: np.ndarray) -> np.ndarray:
    s = Delaunay(xy).simplices
    pairs = np.concatenate([s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]])
    return np.unique(np.sort(pairs, axis=1), axis=0)


def test_a_far_settlement_keeps_its_one_spanning_tree_link():
    # a tight cluster and one settlement 19 km away: every link to it is > 2 x the cluster's
    # median link, so pruning drops them all but the spanning tree's
    xy = np.array([[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.4], [20, 0.5]], float)
    edges = network_edges(xy)
    far = edges[(edges == 5).any(axis=1)]
    assert len(far) == 1
    assert np.hypot(*(xy[far[0, 0]] - xy[far[0, 1]])) == pytest.approx(np.hypot(19, 0.5))
    assert len(delaunay_edges(xy)[(delaunay_edges(xy) == 5).any(axis=1)]) >= 2  # some were pruned
    assert components(len(xy), edges) == 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pruning_keeps_the_minimum_spanning_tree(seed):
    rng = np.random.default_rng(seed)
    xy = np.concatenate([rng.uniform(0, 30, (40, 2)), rng.uniform(0, 3, (15, 2))])
    edges = network_edges(xy)
    full = delaunay_edges(xy)
    assert components(len(xy), edges) == 1
    assert tree_length(xy, edges) == pytest.approx(tree_length(xy, full))
    assert len(edges) < len(full)  # something was pruned
    assert (edges[:, 0] < edges[:, 1]).all() and len(np.unique(edges, axis=0)) == len(edges)
    # no pruning at all with an infinite factor
    np.testing.assert_array_equal(network_edges(xy, prune_factor=np.inf), full)


def test_few_or_collinear_points_are_joined():
    assert network_edges(np.array([[0.0, 0.0]])).shape == (0, 2)
    np.testing.assert_array_equal(network_edges(np.array([[0.0, 0.0], [3.0, 4.0]])), [[0, 1]])
    line = np.column_stack([np.arange(6.0), np.zeros(6)])
    edges = network_edges(line)
    assert components(6, edges) == 1
    assert {(0, 1), (1, 2), (4, 5)} <= set(map(tuple, edges.tolist()))


def test_coincident_settlements_are_joined_by_a_short_road():
    x = np.array([0.0, 0.0, 4.0, 0.0, 4.0])
    y = np.array([0.0, 0.0, 0.0, 4.0, 4.0])
    kind = np.array([CT, VILLAGE, VILLAGE, VILLAGE, VILLAGE])
    src, dst, km, _ = build_roads(x, y, kind, 1.4)
    assert components(5, np.column_stack([src, dst])) == 1
    together = (src == 0) & (dst == 1)
    assert together.sum() == 1 and km[together][0] == pytest.approx(MIN_ROAD_KM)


@pytest.fixture(scope="module")
def county():
    # the county town in the middle, four township seats around it, villages between and outside
    xy = np.array([[0, 0], [10, 0], [0, 10], [-10, 0], [0, -10],
                   [4, 3.5], [-3.5, 4], [3.5, -4], [-4, -3.5], [16, 1], [1, 16.5]], float)
    kind = np.array([CT, TOWN, TOWN, TOWN, TOWN] + [VILLAGE] * 6)
    return xy, kind, build_roads(xy[:, 0], xy[:, 1], kind, 1.4)


def test_roads_are_typed_and_their_length_has_the_detour(county):
    xy, _, (src, dst, km, road_class) = county
    dtypes = (src.dtype, dst.dtype, km.dtype, road_class.dtype)
    assert dtypes == (np.int32, np.int32, np.float32, np.int8)
    assert (src < dst).all()
    straight = np.hypot(*(xy[src] - xy[dst]).T)
    np.testing.assert_allclose(km, straight * 1.4, rtol=1e-6)
    assert components(len(xy), np.column_stack([src, dst])) == 1


def test_the_county_town_reaches_every_seat_on_county_roads(county):
    xy, kind, (src, dst, _, road_class) = county
    on = road_class == COUNTY
    graph = coo_matrix((np.ones(on.sum()), (src[on], dst[on])), shape=(len(xy),) * 2)
    _, label = connected_components(graph, directed=False)
    towns = np.flatnonzero(kind != VILLAGE)
    assert (label[towns] == label[0]).all()


def test_neighbouring_seats_are_linked_by_township_roads_and_the_rest_are_village_roads(county):
    xy, kind, (src, dst, _, road_class) = county
    assert (road_class == TOWNSHIP).any()
    # a village off every route between seats lies on village roads only
    for village in (9, 10):
        touching = (src == village) | (dst == village)
        assert touching.any() and (road_class[touching] == VILLAGE_ROAD).all()
    # a road between two villages is never a county road here
    both_villages = (kind[src] == VILLAGE) & (kind[dst] == VILLAGE)
    assert not (road_class[both_villages] == COUNTY).any()


def test_without_a_county_town_there_are_no_county_roads():
    xy = np.array([[0, 0], [10, 0], [5, 8], [5, 3], [12, 8]], float)
    kind = np.array([TOWN, TOWN, TOWN, VILLAGE, VILLAGE])
    _, _, _, road_class = build_roads(xy[:, 0], xy[:, 1], kind, 1.2)
    assert not (road_class == COUNTY).any() and (road_class == TOWNSHIP).any()


def test_roads_are_deterministic(county):
    xy, kind, first = county
    again = build_roads(xy[:, 0], xy[:, 1], kind, 1.4)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)

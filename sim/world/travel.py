"""Commute times between settlements: shortest paths on the road graph (DESIGN §4)."""

from __future__ import annotations

from functools import partial

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.scenario.schema import ROAD_CLASSES, SETTLEMENT_KINDS, RoadsConfig
from sim.world.types import TravelTimes, World

#: Settlements whose shortest paths are computed together (bounds the float64 temporaries at
#: SOURCE_BLOCK x S x 8 bytes; 256 x 10,000 settlements is 20 MB).
SOURCE_BLOCK = 256


def travel_times(world: World, roads_cfg: RoadsConfig) -> TravelTimes:
    """Shortest-path commutes between all settlements.

    Two Dijkstra passes over the undirected road graph: one on road length (km), one on riding
    time, edge minutes = km / (``ride_speed_kmh[class]`` x ``terrain_speed_factor[terrain]``) x 60.
    The commute a -> b is

    - ``local_minutes[kind of a]`` when a == b;
    - walking, km / ``walk_speed_kmh`` x 60, when the road distance is below ``walk_max_km``;
    - otherwise the fastest ride plus ``ride_access_minutes``.

    Parameters
    ----------
    world : World
        The county (settlements, roads and their classes, terrain).
    roads_cfg : RoadsConfig
        The scenario's ``roads`` block.

    Returns
    -------
    TravelTimes
        Commute minutes between every pair of settlements, and road km on first use.
    """
    speed_kmh = np.array([roads_cfg.ride_speed_kmh[c] for c in ROAD_CLASSES])[world.road_class]
    speed_kmh = speed_kmh * roads_cfg.terrain_speed_factor[world.terrain]
    km_graph = _graph(world, world.road_km.astype(np.float64))
    ride_graph = _graph(world, world.road_km / speed_kmh * 60.0)
    n = world.n_settlements
    minutes = np.empty((n, n), dtype=np.float32)
    # Sources in blocks: the float64 Dijkstra output of one block at a time, not of all S x S.
    # Walking needs road km only below walk_max_km: a search limited to it is exact there.
    for rows in _blocks(n):
        near_km = dijkstra(km_graph, directed=False, indices=rows, limit=roads_cfg.walk_max_km)
        ride = dijkstra(ride_graph, directed=False, indices=rows)
        minutes[rows] = np.where(near_km < roads_cfg.walk_max_km,
                                 near_km / roads_cfg.walk_speed_kmh * 60.0,
                                 ride + roads_cfg.ride_access_minutes)
    local = np.array([roads_cfg.local_minutes[k] for k in SETTLEMENT_KINDS])
    np.fill_diagonal(minutes, local[world.settlement_kind])
    return TravelTimes(minutes=minutes, km_of=partial(_all_km, km_graph))


def _all_km(km_graph: csr_matrix) -> np.ndarray:
    """All-pairs road km (float32), in blocks of sources."""
    n = km_graph.shape[0]
    km = np.empty((n, n), dtype=np.float32)
    for rows in _blocks(n):
        km[rows] = dijkstra(km_graph, directed=False, indices=rows)
    return km


def _blocks(n: int):  # noqa: ANN202 - an iterator of index arrays
    """Source settlements in blocks of :data:`SOURCE_BLOCK`."""
    for first in range(0, n, SOURCE_BLOCK):
        yield np.arange(first, min(first + SOURCE_BLOCK, n))


def _graph(world: World, weight: np.ndarray) -> csr_matrix:
    """The road graph (S, S) with edge ``weight``, for Dijkstra."""
    n = world.n_settlements
    lo = np.minimum(world.road_src, world.road_dst).astype(np.int64)
    hi = np.maximum(world.road_src, world.road_dst).astype(np.int64)
    # parallel roads: keep the lightest (a sparse matrix would add them up)
    order = np.lexsort((weight, hi, lo))
    key = lo[order] * n + hi[order]
    first = order[np.r_[True, key[1:] != key[:-1]]] if len(key) else order
    return csr_matrix((weight[first], (lo[first], hi[first])), shape=(n, n))

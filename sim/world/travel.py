"""Commute times between settlements: shortest paths on the road graph (DESIGN §4)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.scenario.schema import ROAD_CLASSES, SETTLEMENT_KINDS, RoadsConfig
from sim.world.types import World


@dataclass(frozen=True, eq=False)
class TravelTimes:
    """Settlement-to-settlement commutes; the model takes columns ``minutes[:, school_settlement]``.

    Attributes
    ----------
    minutes : ndarray of float32, shape (S, S)
        Daily one-way commute (minutes) from a home in settlement a to a school in settlement b;
        ``inf`` when no road joins them.
    km : ndarray of float32, shape (S, S)
        Shortest road distance (km).
    """

    minutes: np.ndarray
    km: np.ndarray


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
        Commute minutes and road km between every pair of settlements.
    """
    speed_kmh = np.array([roads_cfg.ride_speed_kmh[c] for c in ROAD_CLASSES])[world.road_class]
    speed_kmh = speed_kmh * roads_cfg.terrain_speed_factor[world.terrain]
    km = _shortest(world, world.road_km.astype(np.float64))
    ride = _shortest(world, world.road_km / speed_kmh * 60.0)
    minutes = np.where(
        km < roads_cfg.walk_max_km,
        km / roads_cfg.walk_speed_kmh * 60.0,
        ride + roads_cfg.ride_access_minutes,
    )
    local = np.array([roads_cfg.local_minutes[k] for k in SETTLEMENT_KINDS])
    np.fill_diagonal(minutes, local[world.settlement_kind])
    return TravelTimes(minutes=minutes.astype(np.float32), km=km.astype(np.float32))


def _shortest(world: World, weight: np.ndarray) -> np.ndarray:
    """All-pairs shortest path lengths (S, S) over the roads with edge ``weight``."""
    n = world.n_settlements
    lo = np.minimum(world.road_src, world.road_dst).astype(np.int64)
    hi = np.maximum(world.road_src, world.road_dst).astype(np.int64)
    # parallel roads: keep the lightest (a sparse matrix would add them up)
    order = np.lexsort((weight, hi, lo))
    key = lo[order] * n + hi[order]
    first = order[np.r_[True, key[1:] != key[:-1]]] if len(key) else order
    graph = csr_matrix((weight[first], (lo[first], hi[first])), shape=(n, n))
    return dijkstra(graph, directed=False)

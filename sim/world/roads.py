"""A road network over settlements: a pruned Delaunay triangulation with road classes.

Used for the synthetic county and for a real county given without ``roads.csv``.

Rule
----
1. Candidate links: the Delaunay triangulation of all settlements (all pairs when there are
   fewer than four, or when the points are degenerate).
2. Pruning: a link is dropped when it is longer than ``PRUNE_FACTOR`` times the median length
   of the candidate links at either of its ends (a detour no road builder would take, typically
   a sliver along the county's edge). Links of the minimum spanning tree are always kept, so
   the network stays connected.
3. Classes: routes are shortest paths (straight-line km) over the network of step 2. The
   routes from the county town to every seat are county roads (县道). The seats are linked to
   their neighbouring seats by rules 1-2 applied to the towns alone; those routes, where not
   county roads, are township roads (乡道), so a village on a main link between two seats lies
   on a township road. Every other link is a village road (村道).
4. Length: straight-line distance times the terrain's detour factor (at least ``MIN_ROAD_KM``).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra, minimum_spanning_tree
from scipy.spatial import Delaunay, QhullError, cKDTree

from sim.scenario.schema import ROAD_CLASSES, SETTLEMENT_KINDS

PRUNE_FACTOR = 2.0
MIN_ROAD_KM = 0.01  # keeps coincident settlements joined by a positive-length road

_COUNTY, _TOWNSHIP, _VILLAGE = (ROAD_CLASSES.index(c) for c in ("county", "township", "village"))


def _candidate_edges(xy: np.ndarray) -> np.ndarray:
    """Unique undirected pairs (E, 2), lower index first: Delaunay edges, or all pairs."""
    n = len(xy)
    if n < 2:
        return np.empty((0, 2), dtype=np.int64)
    try:
        if n < 4:
            raise QhullError
        simplices = Delaunay(xy).simplices
    except QhullError:  # too few or collinear points: every pair is a candidate
        i, j = np.triu_indices(n, k=1)
        return np.column_stack([i, j])
    pairs = np.concatenate([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
    # Qhull leaves out points that coincide with others: join each to its nearest point
    missing = np.setdiff1d(np.arange(n), simplices)
    if len(missing):
        _, nearest = cKDTree(xy).query(xy[missing], k=2)
        other = np.where(nearest[:, 0] == missing, nearest[:, 1], nearest[:, 0])
        pairs = np.concatenate([pairs, np.column_stack([missing, other])])
    return np.unique(np.sort(pairs, axis=1), axis=0)


def network_edges(xy: np.ndarray, prune_factor: float = PRUNE_FACTOR) -> np.ndarray:
    """Pruned Delaunay links of points ``xy``, kept connected.

    A link longer than ``prune_factor`` times the median link length of either end is dropped,
    unless it is on the minimum spanning tree.

    Parameters
    ----------
    xy : numpy.ndarray, shape (n, 2)
        Point coordinates (km).
    prune_factor : float, default PRUNE_FACTOR
        Longest link kept, as a multiple of the smaller of its ends' median link lengths.

    Returns
    -------
    numpy.ndarray of int, shape (E, 2)
        Point index pairs, lower index first.
    """
    n = len(xy)
    cand = _candidate_edges(xy)
    if len(cand) == 0:
        return cand
    length = np.hypot(*(xy[cand[:, 0]] - xy[cand[:, 1]]).T)
    ends = np.concatenate([cand[:, 0], cand[:, 1]])
    lens = np.concatenate([length, length])
    order = np.lexsort((lens, ends))
    ends, lens = ends[order], lens[order]
    starts = np.searchsorted(ends, np.arange(n))
    counts = np.diff(np.append(starts, len(ends)))
    # median of each node's link lengths (every node has at least one candidate link)
    median = np.array([np.median(lens[s : s + c]) for s, c in zip(starts, counts)])
    too_long = length > prune_factor * np.minimum(median[cand[:, 0]], median[cand[:, 1]])

    weights = np.maximum(length, 1e-9)  # zero-weight entries would vanish from the sparse matrix
    mst = minimum_spanning_tree(
        coo_matrix((weights, (cand[:, 0], cand[:, 1])), shape=(n, n))
    ).tocoo()
    in_mst = np.zeros(len(cand), dtype=bool)
    mst_pairs = np.sort(np.column_stack([mst.row, mst.col]), axis=1)
    in_mst[_pair_index(cand, mst_pairs, n)] = True
    return cand[~too_long | in_mst]


def _pair_index(pairs: np.ndarray, query: np.ndarray, n: int) -> np.ndarray:
    """Row of each ``query`` pair in sorted unique ``pairs`` (both lower index first)."""
    keys = pairs[:, 0].astype(np.int64) * n + pairs[:, 1]
    return np.searchsorted(keys, query[:, 0].astype(np.int64) * n + query[:, 1])


def build_roads(
    x_km: np.ndarray, y_km: np.ndarray, kind: np.ndarray, detour_factor: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Roads over settlements by the rule in the module docstring.

    Parameters
    ----------
    x_km, y_km : ndarray, shape (S,)
        Projected coordinates (km).
    kind : ndarray of int, shape (S,)
        Settlement kind codes (index into ``SETTLEMENT_KINDS``).
    detour_factor : float
        Road length over straight-line distance.

    Returns
    -------
    src, dst : ndarray of int32, shape (E,)
        Settlement indices of each road's ends (src < dst).
    km : ndarray of float32, shape (E,)
        Road length (km).
    road_class : ndarray of int8, shape (E,)
        Index into ``ROAD_CLASSES``.
    """
    xy = np.column_stack([x_km, y_km]).astype(np.float64)
    n = len(xy)
    edges = network_edges(xy)
    straight = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T)
    road_class = np.full(len(edges), _VILLAGE, dtype=np.int8)

    towns = np.flatnonzero(np.asarray(kind) != SETTLEMENT_KINDS.index("village"))
    county_town = np.flatnonzero(np.asarray(kind) == SETTLEMENT_KINDS.index("county_town"))
    if len(towns) > 1:
        graph = coo_matrix(
            (np.maximum(straight, 1e-9), (edges[:, 0], edges[:, 1])), shape=(n, n)
        ).tocsr()
        _, pred = dijkstra(graph, directed=False, indices=towns, return_predecessors=True)
        row_of = {int(t): r for r, t in enumerate(towns)}
        ct = int(county_town[0]) if len(county_town) else -1
        for a, b in towns[network_edges(xy[towns])].tolist():
            if ct not in (a, b):
                road_class[_route(pred[row_of[a]], a, b, edges, n)] = _TOWNSHIP
        if ct >= 0:  # set last: a route shared with a township link is a county road
            for t in towns[towns != ct].tolist():
                road_class[_route(pred[row_of[ct]], ct, t, edges, n)] = _COUNTY

    km = np.maximum(straight * detour_factor, MIN_ROAD_KM)
    return (
        edges[:, 0].astype(np.int32),
        edges[:, 1].astype(np.int32),
        km.astype(np.float32),
        road_class,
    )


def _route(pred: np.ndarray, a: int, b: int, edges: np.ndarray, n: int) -> np.ndarray:
    """Rows of ``edges`` on the shortest path a -> b given the predecessors from a."""
    nodes = [b]
    while nodes[-1] != a:
        nodes.append(int(pred[nodes[-1]]))
    path = np.sort(np.column_stack([nodes[:-1], nodes[1:]]), axis=1)
    return _pair_index(edges, path, n)

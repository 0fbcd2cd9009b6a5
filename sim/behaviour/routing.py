"""School-bus routes from villages to a school, built with PyVRP (DESIGN §6, busing).

One vehicle-routing problem per school: the depot is the school's settlement, the clients
are the villages with riders (their demand in pupils; a village with more riders than a bus
holds is split into several clients), every bus holds at most ``capacity`` pupils (≤ 56,
facts.md) and no pupil rides longer than ``max_ride_min``. The morning run starts at the
first village (the bus waits there overnight), so the leg from the school to the first stop
takes no pupil's time: it has duration 0 and the route's duration is the first rider's ride.
Its distance still counts, for the running cost (a bus drives the whole loop twice a day).

PyVRP wants integers: distances are in units of 100 m and durations in tenths of a minute.
A fixed number of iterations and a fixed seed keep the routes reproducible.

Driving times come from the model's travel times: the riding time without the fixed
``roads.ride_access_minutes`` where pupils would ride, and the road distance at village-road
speed where they would walk, times ``speed_factor``.

:class:`BusService` is what a busing policy publishes about where it would run buses
(``model.effects.bus_service``), for the consolidation safeguards.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyvrp import Model
from pyvrp.stop import MaxIterations

from sim.behaviour.choice import boarding_rules
from sim.state import ENROLLED, FIRST_GRADE, GRADES, stage_of_grade

DIST_SCALE = 10.0  # PyVRP distance units per km (100 m)
TIME_SCALE = 10.0  # PyVRP duration units per minute (6 s)
MAX_BUS_CAPACITY = 56  # pupils per school bus (national rule, facts.md)
MINUTES_PER_HOUR = 60.0
RIDE_TOLERANCE_MIN = 1e-6  # rounding to PyVRP's integer durations may overshoot by this much


@dataclass(frozen=True)
class Route:
    """One bus route of a school's morning run.

    Attributes
    ----------
    school : int
        The school row.
    stops : tuple of int
        Settlements in pickup order (a village may appear on several routes when its riders
        need more than one bus).
    riders : tuple of int
        Pupils picked up at each stop.
    ride_min : tuple of float
        Ride minutes from each stop to the school (stops after it included).
    km : float
        Length of the loop school -> first stop -> ... -> school (km).
    """

    school: int
    stops: tuple[int, ...]
    riders: tuple[int, ...]
    ride_min: tuple[float, ...]
    km: float

    @property
    def load(self) -> int:
        """Pupils the bus carries."""
        return int(sum(self.riders))


@dataclass(frozen=True)
class BusService:
    """Where a busing policy in force runs a bus for pupils who need one.

    Attributes
    ----------
    within_reach : ndarray of bool, (n_settlements, n_settlements)
        A bus may carry pupils from settlement i to a school in settlement j: the drive is
        within the maximum ride and the road at least the minimum distance.
    grade_min, grade_max : int
        The grades that ride.
    tiers : frozenset of int
        Tier codes of the schools the buses serve.
    """

    within_reach: np.ndarray
    grade_min: int
    grade_max: int
    tiers: frozenset[int]

    def would_serve(self, home: int, school_settlement: int, school_tier: int,
                    grade: int) -> bool:
        """Tell whether a bus would carry a pupil from ``home`` to a school.

        The school is in ``school_settlement`` and of tier ``school_tier``; the pupil is in
        ``grade``.
        """
        return (bool(self.within_reach[home, school_settlement])
                and self.grade_min <= grade <= self.grade_max and school_tier in self.tiers)


def drive_minutes(model, speed_factor: float = 1.0) -> np.ndarray:
    """(S, S) bus driving minutes between settlements (0 on the diagonal).

    Parameters
    ----------
    model : EducationModel
        The model (travel times, roads and terrain).
    speed_factor : float
        Multiplies every driving time.

    Returns
    -------
    ndarray of float64
    """
    roads = model.scenario.roads
    terrain = model.world.terrain
    km = model.travel.km.astype(np.float64)
    minutes = model.travel.minutes.astype(np.float64)
    slow_kmh = roads.ride_speed_kmh["village"] * roads.terrain_speed_factor[terrain]
    drive = np.where(km >= roads.walk_max_km, minutes - roads.ride_access_minutes,
                     km / slow_kmh * MINUTES_PER_HOUR)
    np.fill_diagonal(drive, 0.0)
    return np.maximum(drive, 0.0) * speed_factor


def ride_times(stops: list[int], depot: int, drive: np.ndarray, stop_minutes: float) -> list[float]:
    """Ride minutes from each stop to the depot along the route (later stops' dwell included)."""
    rides = []
    for i in range(len(stops)):
        path = stops[i:] + [depot]
        legs = sum(drive[a, b] for a, b in zip(path[:-1], path[1:]))
        rides.append(float(legs + stop_minutes * (len(stops) - 1 - i)))
    return rides


def build_routes(model, school: int, settlements: np.ndarray, demand: np.ndarray, *,
                 capacity: int = MAX_BUS_CAPACITY, max_ride_min: float = 40.0,
                 stop_minutes: float = 1.0, speed_factor: float = 1.0, bus_cost_km: float = 70.0,
                 iterations: int = 300, seed: int = 0,
                 drive: np.ndarray | None = None) -> tuple[list[Route], np.ndarray]:
    """Bus routes carrying ``demand[i]`` riders from ``settlements[i]`` to ``school``.

    Parameters
    ----------
    model : EducationModel
        The model (school settlements, travel times, coordinates).
    school : int
        The school row (the depot is its settlement).
    settlements, demand : ndarray of int
        Villages and their riders.
    capacity : int
        Pupils per bus (1-56).
    max_ride_min : float
        Longest ride of a pupil (minutes).
    stop_minutes : float
        Dwell at each stop (minutes).
    speed_factor : float
        Multiplies driving times (when ``drive`` is not given).
    bus_cost_km : float
        The fixed cost of one more bus, in km of driving (trades buses for km).
    iterations, seed : int
        PyVRP stopping criterion and seed.
    drive : ndarray, optional
        A precomputed :func:`drive_minutes` matrix.

    Returns
    -------
    routes : list of Route
    unserved : ndarray of int
        The settlements no route can serve because the direct ride alone exceeds
        ``max_ride_min``.

    Raises
    ------
    ValueError
        ``capacity`` is outside 1-56.
    """
    if not 1 <= capacity <= MAX_BUS_CAPACITY:
        raise ValueError(f"bus capacity must be 1-{MAX_BUS_CAPACITY} pupils, got {capacity}")
    settlements = np.asarray(settlements, dtype=np.int64)
    demand = np.asarray(demand, dtype=np.int64)
    depot = int(model.schools.settlement[school])
    if drive is None:
        drive = drive_minutes(model, speed_factor)
    keep = (demand > 0) & (settlements != depot)
    reachable = keep & (drive[settlements, depot] <= max_ride_min)
    unserved = settlements[keep & ~reachable]
    settlements, demand = settlements[reachable], demand[reachable]
    if settlements.size == 0:
        return [], unserved
    node_settlement, node_demand = _clients(settlements, demand, capacity)

    def route(stops, riders) -> Route:
        return _route(model, school, depot, stops, riders, drive, stop_minutes)

    if node_settlement.size == 1:  # one stop: the direct route is the only (and optimal) one
        return [route([int(node_settlement[0])], [int(node_demand[0])])], unserved
    orders, feasible = _solve(model, depot, node_settlement, node_demand, drive, capacity=capacity,
                              max_ride_min=max_ride_min, stop_minutes=stop_minutes,
                              bus_cost_km=bus_cost_km, iterations=iterations, seed=seed)
    routes = [route([node_settlement[i] for i in order], [node_demand[i] for i in order])
              for order in orders if order]
    if not feasible or any(max(r.ride_min) > max_ride_min + RIDE_TOLERANCE_MIN for r in routes):
        # Fall back to one direct bus per client (always feasible: direct rides fit).
        routes = [route([int(p)], [int(d)]) for p, d in zip(node_settlement, node_demand)]
    return routes, unserved


def riders_by_pair(model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count the enrolled pupils who ride a bus, by home settlement and school.

    Returns
    -------
    settlement, school, riders : ndarray of int64
        One entry per (settlement, school) pair with riders.
    """
    c, n = model.children, model.schools.n + 1
    rides = np.flatnonzero((c.status == ENROLLED) & c.bus & (c.school >= 0))
    home = model.families.settlement[c.family[rides]].astype(np.int64)
    key, riders = np.unique(home * n + c.school[rides].astype(np.int64), return_counts=True)
    return key // n, key % n, riders.astype(np.int64)


def seat_riders(model, routes: list[Route], capacity: int, drive: np.ndarray,
                stop_minutes: float) -> tuple[list[Route], list[Route]]:
    """Seat every pupil who rides: fill the routes' spare seats, then add direct buses.

    The routes were sized for the pupils expected to ride; choice and moves change who
    does. Each (stop, school) pair's riders take the seats planned for them, then the spare
    seats of the routes that already stop there (in route order), then as many direct buses
    from the stop as the rest need. No route carries more than ``capacity`` pupils.

    Parameters
    ----------
    model : EducationModel
        The model after this year's choice (``children.bus`` says who rides).
    routes : list of Route
        This year's routes.
    capacity : int
        Seats per bus.
    drive : ndarray
        :func:`drive_minutes` (for the direct buses' ride times).
    stop_minutes : float
        Dwell at each stop (minutes).

    Returns
    -------
    seated : list of Route
        The routes with the riders they carry (planned riders replaced by actual ones).
    added : list of Route
        The direct buses added.
    """
    settlement, school, riders = riders_by_pair(model)
    left = {(int(p), int(r)): int(n) for p, r, n in zip(settlement, school, riders)}
    loads = []
    for rt in routes:  # first the seats planned for each stop
        take = [min(left.get((p, rt.school), 0), planned) for p, planned in
                zip(rt.stops, rt.riders)]
        for p, t in zip(rt.stops, take):
            if (p, rt.school) in left:
                left[(p, rt.school)] -= t
        loads.append(take)
    for rt, take in zip(routes, loads):  # then the routes' spare seats
        for i, p in enumerate(rt.stops):
            extra = min(left.get((p, rt.school), 0), capacity - sum(take))
            if extra > 0:
                take[i] += extra
                left[(p, rt.school)] -= extra
    seated = [Route(rt.school, rt.stops, tuple(take), rt.ride_min, rt.km)
              for rt, take in zip(routes, loads)]
    added = []
    for (p, r), n in left.items():
        depot = int(model.schools.settlement[r])
        while n > 0:
            load = min(n, capacity)
            added.append(_route(model, r, depot, [p], [load], drive, stop_minutes))
            n -= load
    return seated, added


def _clients(settlements: np.ndarray, demand: np.ndarray,
             capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """Split villages with more riders than a bus holds into several clients.

    As even as whole pupils allow; returns each client's settlement and riders.
    """
    chunks = np.ceil(demand / capacity).astype(np.int64)
    node_demand = np.concatenate([
        np.diff(np.round(np.linspace(0, d, n + 1)).astype(np.int64))
        for d, n in zip(demand, chunks)
    ])
    return np.repeat(settlements, chunks), node_demand


def _solve(model, depot: int, node_settlement: np.ndarray, node_demand: np.ndarray,
           drive: np.ndarray, *, capacity: int, max_ride_min: float, stop_minutes: float,
           bus_cost_km: float, iterations: int, seed: int) -> tuple[list[list[int]], bool]:
    """Solve the routing problem with PyVRP.

    Returns each route's clients (indices into the nodes) in pickup order, and whether the
    solution is feasible.
    """
    places = np.concatenate([[depot], node_settlement])
    x, y = model.settlements.x_km, model.settlements.y_km
    m = Model()
    locations = [m.add_location(float(x[p]), float(y[p])) for p in places]
    m.add_depot(locations[0])
    service = int(round(stop_minutes * TIME_SCALE))
    for loc, d in zip(locations[1:], node_demand):
        m.add_client(loc, pickup=int(d), service_duration=service)
    m.add_vehicle_type(
        num_available=int(node_settlement.size), capacity=int(capacity),
        fixed_cost=int(round(bus_cost_km * DIST_SCALE)),
        shift_duration=int(round(max_ride_min * TIME_SCALE)) + service,
    )
    km = model.travel.km[np.ix_(places, places)].astype(np.float64)
    dist = np.round(km * DIST_SCALE).astype(np.int64)
    dur = np.round(drive[np.ix_(places, places)] * TIME_SCALE).astype(np.int64)
    dur[0, :] = 0  # the bus starts at its first stop: the leg from the school carries nobody
    for i, a in enumerate(locations):
        for j, b in enumerate(locations):
            if i != j:
                m.add_edge(a, b, distance=int(dist[i, j]), duration=int(dur[i, j]))
    result = m.solve(MaxIterations(iterations), seed=seed, collect_stats=False, display=False)
    orders = [[a.idx for a in r.schedule() if a.is_client()] for r in result.best.routes()]
    return orders, result.is_feasible()


def _route(model, school: int, depot: int, stops: list[int], riders: list[int], drive: np.ndarray,
           stop_minutes: float) -> Route:
    stops = [int(p) for p in stops]
    path = [depot] + stops + [depot]
    km = float(sum(model.travel.km[a, b] for a, b in zip(path[:-1], path[1:])))
    return Route(school=int(school), stops=tuple(stops), riders=tuple(int(r) for r in riders),
                 ride_min=tuple(ride_times(stops, depot, drive, stop_minutes)), km=km)


def set_rides(model, routes: list[Route]) -> None:
    """Put the routes' rides into ``model.bus``.

    A village on several routes of the same school keeps its shortest ride.

    Parameters
    ----------
    model : EducationModel
        The model (its ``bus`` table is updated).
    routes : list of Route
        The routes.
    """
    if not routes:
        return
    settlement = np.concatenate([np.asarray(r.stops, dtype=np.int64) for r in routes])
    school = np.concatenate([np.full(len(r.stops), r.school, dtype=np.int64) for r in routes])
    minutes = np.concatenate([np.asarray(r.ride_min, dtype=np.float64) for r in routes])
    key = settlement * (model.schools.n + 1) + school
    order = np.lexsort((minutes, key))
    first = order[np.r_[True, key[order][1:] != key[order][:-1]]]
    model.bus.set(settlement[first], school[first], minutes[first])


def refresh_riders(model, grade_min: int = FIRST_GRADE, grade_max: int = GRADES) -> None:
    """Update enrolled day pupils' ``bus`` flag and ``commute_min`` after the routes change.

    As school choice would: a pupil of grades ``grade_min``-``grade_max`` rides when a route
    serves its settlement and school within the day limit and the ride is no slower than its
    own commute, or its own commute exceeds the boarding threshold. Boarders keep boarding
    until their next placement.

    Parameters
    ----------
    model : EducationModel
        The model, with this year's routes in ``model.bus``.
    grade_min, grade_max : int
        The grades the buses carry (the busing policy's scope; default: all).
    """
    c, s, scn = model.children, model.schools, model.scenario
    idx = np.flatnonzero((c.status == ENROLLED) & ~c.boarding & (c.school >= 0))
    ride_grade = (c.grade[idx] >= grade_min) & (c.grade[idx] <= grade_max)
    if idx.size == 0:
        return
    home = model.families.settlement[c.family[idx]]
    school = c.school[idx]
    own = model.travel.minutes[home, s.settlement[school]]
    ride = model.bus.lookup(home, school)
    limit = np.where(stage_of_grade(c.grade[idx]) == 0, scn.boarding.max_commute_min.primary,
                     scn.boarding.max_commute_min.junior)
    uses = ride_grade & (ride <= limit) & ((ride <= own)
                                           | (own > boarding_rules(model).threshold_min))
    c.bus[idx] = uses
    c.commute_min[idx] = np.where(uses, ride, own)

"""School buses: routes from villages to schools, rebuilt every year with PyVRP.

In the calendar phase (after this year's closures) every route is rebuilt: for each open
school in ``tiers``, the riders are the pupils (grades ``grade_min``-``grade_max``) whose school
next is that school — their current school if it still teaches their next grade, else the
nearest open school teaching it (``sim.behaviour.placement.next_year_pupils``) — living in
settlements at least ``min_distance_km`` away by road, plus this year's grade-1 entrants. With
``serve = "lost_school"`` (default) only settlements that lost their own school for that grade
since the run began (a school there closed or stopped teaching the grade) are served: the
buses the plans promise to the pupils of merged schools; with ``"all"`` every settlement far
enough from its school is. ``sim.behaviour.routing`` builds the routes (capacity ≤ 56, maximum
ride time, depot at the school) and puts each village's ride time into ``model.bus``; in
school choice a rider's commute is that ride, and continuing day pupils' bus flag and commute
follow the new routes at once (``routing.refresh_riders``).

Where buses would run (drive within ``max_ride_min``, road at least ``min_distance_km``, the
grades and tiers served) is published as ``model.effects.bus_service`` for this year and the
next, None for a year out of force: in ``on_year_start`` and when the policy is built (the
consolidation safeguards read it).

Cost a year: ``cost_per_bus_yuan`` per bus plus ``cost_per_km_yuan`` x route km x 2 runs a
day x ``school_days``, added to ``cost_total``. The routes are sized for the pupils
expected to ride; at the year's end, once choice has placed entrants and movers, every pupil
who rides is seated: in the spare seats of a route that stops at its village, else on a
direct bus added for the year (``routing.seat_riders``; its cost is charged), so no route
carries more than ``bus_capacity``. Only grades ``grade_min``-``grade_max`` are moved onto
the buses when routes change (``routing.refresh_riders``). Events: ``bus_route`` (one per
route with its stops, ride times, riders and km) and ``busing`` (a yearly summary).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour import layout, routing
from sim.behaviour.placement import next_year_pupils
from sim.behaviour.schools import ClassStructure
from sim.policies.base import Policy, register
from sim.policies.common import log_cost_breakdown, tier_codes
from sim.scenario.policies import BusingConfig
from sim.state import GRADES, OPEN

RUNS_PER_DAY = 2  # a bus drives its loop in the morning and in the afternoon
FREE_KM_BUS_COST_KM = 1e4  # with driving free, one more bus costs as much as 10,000 km


@register
class Busing(Policy):
    """``[policies.busing]``: see the module docstring.

    Parameters
    ----------
    config : BusingConfig
        The scenario block.
    model : EducationModel
        The model being built.
    """

    name = "busing"

    def __init__(self, config: BusingConfig, model) -> None:
        super().__init__(config, model)
        self.routes: list[routing.Route] = []
        self.solved: dict[tuple, tuple] = {}
        self.taught_at_start = _taught(model)
        self.drive = routing.drive_minutes(model, config.speed_factor)
        self.service = routing.BusService(
            within_reach=(self.drive <= config.max_ride_min)
            & (model.travel.km >= config.min_distance_km),
            grade_min=config.grade_min, grade_max=config.grade_max,
            tiers=frozenset(tier_codes(config.tiers)))
        self._publish(model)

    def acts_in(self, year: int) -> bool:
        """Run the hooks every year (always True).

        So that they also run after ``end_year``, take the buses off and publish that no bus
        runs.
        """
        return True

    def demand(self, model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(settlement, school, riders) of next placement's pupils beyond ``min_distance_km``."""
        cfg, s = self.config, model.schools
        nxt = next_year_pupils(model)
        home, target, grade = nxt.home, nxt.school, nxt.grade
        at = np.maximum(target, 0)
        ok = (target >= 0) & (grade >= cfg.grade_min) & (grade <= cfg.grade_max)
        ok &= np.isin(s.tier[at], tier_codes(cfg.tiers))
        ok &= model.travel.km[home, s.settlement[at]] >= cfg.min_distance_km
        if cfg.serve == "lost_school":
            ok &= self.lost(model)[home, grade]
        key, riders = np.unique(home[ok] * (s.n + 1) + target[ok], return_counts=True)
        return key // (s.n + 1), key % (s.n + 1), riders

    def lost(self, model) -> np.ndarray:
        """Mark where a settlement lost its school for a grade: (n_settlements, GRADES + 1).

        A school in the settlement taught the grade when the run began and no longer does
        (closed or downgraded).
        """
        s = model.schools
        start = self.taught_at_start
        lost_school = start & ~_taught(model)[: start.shape[0]]
        out = np.zeros((model.settlements.n, GRADES + 1), dtype=bool)
        np.logical_or.at(out, s.settlement[: start.shape[0]], lost_school)
        return out

    def on_year_start(self, model, classes: ClassStructure) -> None:
        """Publish the service; rebuild this year's routes (or take the buses off)."""
        self._publish(model)
        model.bus.clear()
        if not self.in_force(model.year):
            if self.routes:
                model.log_event("busing", -1, "bus service ends")
                routing.refresh_riders(model)
            self.routes = []
            return
        routes, unserved = self._routes(model)
        routing.set_rides(model, routes)
        routing.refresh_riders(model, self.config.grade_min, self.config.grade_max)
        self.routes = routes
        self._charge_and_log(model, routes, unserved)

    def on_year_end(self, model, classes: ClassStructure) -> None:
        """While in force: seat this year's riders (adding buses), then log the cost breakdown."""
        if self.in_force(model.year):
            self._seat_riders(model)
            log_cost_breakdown(model, classes, buses_seated=True)

    def _seat_riders(self, model) -> None:
        """Give every pupil who rides a seat: spare seats first, then added direct buses.

        Pupils who chose a bus this year (entrants, movers, the displaced) were not all in the
        demand the routes were built for (``sim.behaviour.routing.seat_riders``).
        """
        cfg = self.config
        seated, added = routing.seat_riders(model, self.routes, cfg.bus_capacity, self.drive,
                                            cfg.stop_minutes)
        self.routes = seated + added
        if not added:
            return
        km = sum(rt.km for rt in added)
        cost = len(added) * cfg.cost_per_bus_yuan + km * self._per_km_year()
        layout.add_cost(model, cost, "bus_yuan")
        self._log_routes(model, added, "added bus")
        model.log_event("busing", -1,
                        f"{len(added)} buses added for {sum(rt.load for rt in added)} riders "
                        f"beyond the planned seats, {km:.1f} km a run; cost {cost:,.0f} yuan")

    def _publish(self, model) -> None:
        model.effects.bus_service = {year: self.service if self.in_force(year) else None
                                     for year in (model.year, model.year + 1)}

    def _per_km_year(self) -> float:
        """Return the running cost of one km of route a year (yuan)."""
        cfg = self.config
        return cfg.cost_per_km_yuan * RUNS_PER_DAY * cfg.school_days

    def _routes(self, model) -> tuple[list[routing.Route], int]:
        """Build this year's routes; count the pupils beyond the maximum ride."""
        cfg = self.config
        settlement, school, riders = self.demand(model)
        per_km_year = self._per_km_year()
        bus_cost_km = (cfg.cost_per_bus_yuan / per_km_year if per_km_year > 0
                       else FREE_KM_BUS_COST_KM)
        routes: list[routing.Route] = []
        unserved = 0
        for r in np.unique(school):
            mine = school == r
            key = (int(r), settlement[mine].tobytes(), riders[mine].tobytes())
            if key not in self.solved:  # the same demand gives the same routes: solve it once
                self.solved[key] = routing.build_routes(
                    model, int(r), settlement[mine], riders[mine], capacity=cfg.bus_capacity,
                    max_ride_min=cfg.max_ride_min, stop_minutes=cfg.stop_minutes,
                    speed_factor=cfg.speed_factor, bus_cost_km=bus_cost_km,
                    iterations=cfg.solver_iterations, seed=cfg.seed, drive=self.drive,
                )
            built, missed = self.solved[key]
            unserved += int(riders[mine][np.isin(settlement[mine], missed)].sum())
            routes += built
        return routes, unserved

    def _charge_and_log(self, model, routes: list[routing.Route], unserved: int) -> None:
        cfg = self.config
        km = sum(rt.km for rt in routes)
        cost = len(routes) * cfg.cost_per_bus_yuan + km * self._per_km_year()
        layout.add_cost(model, cost, "bus_yuan")
        self._log_routes(model, routes, "route")
        model.log_event("busing", -1,
                        f"{len(routes)} buses, {int(sum(rt.load for rt in routes))} planned "
                        f"riders, {km:.1f} km a run; {unserved} pupils beyond "
                        f"{cfg.max_ride_min:g} min ride; cost {cost:,.0f} yuan")


    @staticmethod
    def _log_routes(model, routes: list[routing.Route], what: str) -> None:
        """Log one ``bus_route`` event per route (``what``: route or added bus)."""
        names = model.settlement_names
        for rt in routes:
            stops = ", ".join(f"{names[p]} ({n} pupils, {m:.1f} min)"
                              for p, n, m in zip(rt.stops, rt.riders, rt.ride_min))
            model.log_event("bus_route", rt.school,
                            f"{model.schools.name[rt.school]!r} {what}: {rt.load} riders, "
                            f"{rt.km:.1f} km; stops {stops}")


def _taught(model) -> np.ndarray:
    """(n_schools, GRADES + 1) bool: open schools and the grades they teach."""
    s = model.schools
    grades = np.arange(GRADES + 1)
    return ((s.status == OPEN)[:, None] & (grades >= s.grade_min[:, None])
            & (grades <= s.grade_max[:, None]))

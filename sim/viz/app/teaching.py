"""The model the app steps: an EducationModel built from what SolaraViz passes on Reset.

:class:`TeachingModel` adds to :class:`~sim.model.EducationModel` what the page shows: the
state before the first step (so the map and the plots have a starting point), the county rows
and school panel so far, the frames the map needs and a version that changes whenever what
the page shows changes.
"""

from __future__ import annotations

import functools
import itertools
from typing import Any, Iterable

import numpy as np
import pandas as pd

from sim.metrics import collect
from sim.model import EducationModel
from sim.scenario import Scenario, load_scenario
from sim.viz.app.levers import lever_defaults, scenario_with_levers

DEFAULT_SCENARIO = "hollow_school_demo"
#: Scenarios (with their overrides) kept loaded: the page asks again on every rebuild.
LOADED_SCENARIOS = 8
ROUTE_COLUMNS = ["route", "order", "settlement"]

_BUILDS = itertools.count(1)


@functools.lru_cache(maxsize=LOADED_SCENARIOS)
def load_base(scenario: str | None = DEFAULT_SCENARIO, overrides: tuple[str, ...] = ()) -> Scenario:
    """The scenario the app starts from.

    Parameters
    ----------
    scenario : str or None, default DEFAULT_SCENARIO
        Bundled scenario name or TOML file (None: the bundled default scenario).
    overrides : tuple of str, default ()
        ``dotted.key=value`` strings, as ``--set`` on the command line.

    Returns
    -------
    Scenario
        The loaded scenario (cached: the same arguments give the same object).

    Raises
    ------
    ScenarioError
        An unknown scenario or a wrong override.
    """
    return load_scenario(scenario, list(overrides))


class TeachingModel(EducationModel):
    """An EducationModel built from the app's inputs (SolaraViz passes them as keywords on Reset).

    Parameters
    ----------
    scenario_name : str or None, default DEFAULT_SCENARIO
        Bundled scenario name or TOML file (default ``hollow_school_demo``).
    overrides : iterable of str, default ()
        ``dotted.key=value`` strings applied first, as ``--set`` on the command line.
    levers : dict or object, optional
        The lever values (see :func:`~sim.viz.app.levers.lever_overrides`), or an object
        holding them in ``.value`` (the app passes its reactive variable, so Reset uses the
        current levers).
    seed : int, optional
        Root seed (default: the scenario's).

    Attributes
    ----------
    levers : dict
        Every lever's value (the scenario's where ``levers`` leaves one out).
    scenario_name : str
        The name or file the model was built from.
    overrides : tuple of str
        The ``--set`` strings.
    build_id : int
        Distinct for every model built in this process.
    start_row, start_panel : dict, pandas.DataFrame
        The county row and school panel before the first step (year ``start_year - 1``), so
        the map and the plots have a starting point.
    version : tuple of int
        ``(build, step)``: changes whenever what the page shows changes.

    Raises
    ------
    ScenarioError
        The scenario, an override or a lever value is wrong.
    """

    def __init__(
        self,
        scenario_name: str | None = DEFAULT_SCENARIO,
        overrides: Iterable[str] = (),
        levers: Any = None,
        seed: int | None = None,
    ):
        base = load_base(scenario_name, tuple(overrides))
        values = getattr(levers, "value", levers) or {}
        self.levers = {**lever_defaults(base), **values}
        self.scenario_name = scenario_name or base.name
        self.build_id = next(_BUILDS)
        self.overrides = tuple(overrides)
        super().__init__(scenario_with_levers(base, self.levers), seed=seed)
        self.start_row, self.start_panel = collect(self, self.classes)
        self._world_frames = self.world.to_frames()

    def frames(self) -> pd.DataFrame:
        """County rows so far, the starting state first.

        Returns
        -------
        pandas.DataFrame
            One row per year (the metrics of :data:`sim.metrics.COUNTY_COLUMNS`).
        """
        return pd.DataFrame([self.start_row, *list(self.county_rows)])

    def panel(self) -> pd.DataFrame:
        """The school panel of the current year (the starting panel before the first step).

        Returns
        -------
        pandas.DataFrame
            One row per school (:data:`sim.metrics.SCHOOL_COLUMNS`).
        """
        panels = self.school_panels
        return panels[-1] if panels else self.start_panel

    def current_row(self) -> dict[str, Any]:
        """The county row of the current year (the starting row before the first step).

        Returns
        -------
        dict of str to Any
            One value per county metric.
        """
        return self.county_rows[-1] if self.county_rows else self.start_row

    @property
    def version(self) -> tuple[int, int]:
        """(build, step): changes whenever what the page shows changes."""
        return (self.build_id, self.steps)

    def simulated_years(self) -> int:
        """School years simulated so far.

        Returns
        -------
        int
            Steps taken since the model was built (years).
        """
        return len(self.county_rows)

    def map_world(self) -> dict[str, pd.DataFrame]:
        """Frames for :func:`sim.viz.maps.draw_county_map`.

        Returns
        -------
        dict[str, DataFrame]
            ``settlements``, ``roads``, ``schools`` (every school, those built during the run
            included) and, when buses run, this year's ``bus_routes``.
        """
        n = len(self.schools)
        settlement = np.asarray(self.schools.settlement[:n])
        schools = pd.DataFrame({"id": np.arange(n), "settlement": settlement})
        world = {
            "settlements": self._world_frames["settlements"],
            "roads": self._world_frames["roads"],
            "schools": schools,
        }
        routes = bus_routes(self)
        if len(routes):
            world["bus_routes"] = routes
        return world


def bus_routes(model: EducationModel) -> pd.DataFrame:
    """The current year's bus routes as stops, each route ending at its school's settlement.

    Read from any policy that keeps ``routes`` (the busing policy).

    Parameters
    ----------
    model : EducationModel
        A model (built or stepped).

    Returns
    -------
    pandas.DataFrame
        ``route`` (number), ``order`` (stop number along the route), ``settlement`` (id);
        empty without buses.
    """
    rows = []
    route_id = 0
    for policy in getattr(model, "policies", []):
        for route in getattr(policy, "routes", None) or []:
            stops = [int(s) for s in getattr(route, "stops", ())]
            school = int(model.schools.settlement[int(route.school)])
            for order, settlement in enumerate([*stops, school]):
                rows.append((route_id, order, settlement))
            route_id += 1
    return pd.DataFrame(rows, columns=ROUTE_COLUMNS)

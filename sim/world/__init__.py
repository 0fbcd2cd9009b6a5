"""The county's geography and initial schools: settlements, roads, schools, travel times.

``build_world`` makes a :class:`World` from a scenario, either a synthetic county
(:mod:`sim.world.synthetic`) or a real one read from CSV files (:mod:`sim.world.files`);
``travel_times`` turns its road network into settlement-to-settlement commutes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from sim.scenario.schema import Scenario
from sim.world.files import load_county
from sim.world.synthetic import generate_world
from sim.world.travel import TravelTimes, travel_times
from sim.world.types import World

__all__ = ["World", "TravelTimes", "build_world", "travel_times"]


def build_world(
    scenario: Scenario, rng: np.random.Generator, base_dir: Path | str | None = None
) -> World:
    """The county of ``scenario``: read from ``county.file`` if set, else generated.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario; its ``county`` block names the files or sizes the county.
    rng : numpy.random.Generator
        Used only by the synthetic generator (a real county draws nothing).
    base_dir : path, optional
        Folder that a relative ``county.file`` is taken from (the scenario file's folder);
        default the current directory.

    Returns
    -------
    World
        The county's settlements, roads, initial schools and commutes (``travel``).

    Raises
    ------
    sim.errors.CountyDataError
        When a real county's files are missing or invalid.
    """
    if scenario.county.file:
        folder = Path(scenario.county.file).expanduser()
        if not folder.is_absolute():
            folder = Path(base_dir if base_dir is not None else Path.cwd()) / folder
        world = load_county(folder, scenario)
    else:
        world = generate_world(scenario, rng)
    if world.travel is None:
        world = replace(world, travel=travel_times(world, scenario.roads))
    return world

"""Running a scenario: one replicate, or several from one root seed."""

from __future__ import annotations

import platform
import time
from typing import Callable

import numpy as np
import pandas as pd

from sim.metrics import COUNTY_COLUMNS, EVENT_COLUMNS, SCHOOL_COLUMNS
from sim.model import EducationModel
from sim.results import RunResult
from sim.scenario import Scenario
from sim.version import package_version

# progress(replicate, year_index, years) after each simulated year
Progress = Callable[[int, int, int], None]
#: Decimal places of the timings in a manifest (seconds).
TIMING_DIGITS = 4


def check_scenario(scenario: Scenario) -> None:
    """Build the scenario's county and policies once and throw them away.

    Problems that only show when a model is built — a real county's CSV files, school names in
    policy plans — then raise their clear error before any run starts or any output is written.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Raises
    ------
    CountyDataError, ScenarioError
        The county files or a policy's plan do not fit the scenario.
    """
    model = EducationModel(scenario)
    model.remove_all_agents()


def run_replicate(
    scenario: Scenario,
    seed: int,
    replicate: int,
    progress: Progress | None = None,
    check: bool = False,
) -> RunResult:
    """Simulate replicate ``replicate`` under root ``seed`` for ``scenario.years`` school years.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    seed : int
        Root seed; the replicate's random numbers come from ``(seed, replicate)``.
    replicate : int
        Replicate number (0-based).
    progress : callable, optional
        ``progress(replicate, years_done, years)`` after each simulated year.
    check : bool, default False
        Assert the state invariants after every step (slower; used by tests).

    Returns
    -------
    RunResult
        County, school and event tables with a ``replicate`` column, the manifest (with
        timings in seconds) and the world's tables.
    """
    started = time.perf_counter()
    model = EducationModel(scenario, seed=seed, replicate=replicate)
    built = time.perf_counter()
    if check:
        model.check()
    for i in range(scenario.years):
        model.step()
        if check:
            model.check()
        if progress is not None:
            progress(replicate, i + 1, scenario.years)
    finished = time.perf_counter()
    return _result(model, scenario, seed, replicate, (started, built, finished))


def _result(
    model: EducationModel,
    scenario: Scenario,
    seed: int,
    replicate: int,
    clock: tuple[float, float, float],
) -> RunResult:
    """Collect the run's tables and manifest; ``clock`` is (started, built, finished), s."""
    started, built, finished = clock
    county = pd.DataFrame(model.county_rows, columns=COUNTY_COLUMNS)
    county.insert(0, "replicate", replicate)
    schools = pd.concat(model.school_panels, ignore_index=True)[SCHOOL_COLUMNS]
    schools.insert(0, "replicate", replicate)
    events = model.events_frame()
    events.insert(0, "replicate", replicate)
    world = model.world.to_frames()
    manifest = _manifest(scenario, seed, [replicate])
    manifest["timings"] = {
        "build_seconds": round(built - started, TIMING_DIGITS),
        "simulate_seconds": round(finished - built, TIMING_DIGITS),
        "pupil_years": int(county["pupils"].sum()),
    }
    # Agents and model refer to each other; unlinking them frees the model's tables at once
    # instead of at the next cyclic garbage collection (sweep workers build thousands).
    model.remove_all_agents()
    return RunResult(county=county, schools=schools, events=events, manifest=manifest, world=world)


def run(
    scenario: Scenario,
    seed: int | None = None,
    replicates: int = 1,
    progress: Progress | None = None,
    check: bool = False,
) -> RunResult:
    """Simulate several replicates of a scenario from one root seed.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    seed : int, optional
        Root seed (default ``scenario.seed``).
    replicates : int, default 1
        Number of replicates (0..replicates-1), at least 1.
    progress : callable, optional
        ``progress(replicate, years_done, years)`` after each simulated year.
    check : bool, default False
        Assert the state invariants after every step (slower; used by tests).

    Returns
    -------
    RunResult
        The replicates' tables stacked, with a ``replicate`` column; the world of the first.

    Raises
    ------
    ValueError
        ``replicates`` is below 1.
    """
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    seed = scenario.seed if seed is None else int(seed)
    parts = [run_replicate(scenario, seed, r, progress, check) for r in range(replicates)]
    timings = [p.manifest["timings"] for p in parts]
    manifest = _manifest(scenario, seed, list(range(replicates)))
    manifest["timings"] = {
        "per_replicate": timings,
        "total_seconds": round(
            sum(t["build_seconds"] + t["simulate_seconds"] for t in timings), TIMING_DIGITS
        ),
    }
    events = (
        pd.concat([p.events for p in parts], ignore_index=True)
        if parts
        else pd.DataFrame(columns=EVENT_COLUMNS)
    )
    return RunResult(
        county=pd.concat([p.county for p in parts], ignore_index=True),
        schools=pd.concat([p.schools for p in parts], ignore_index=True),
        events=events,
        manifest=manifest,
        world=parts[0].world,
    )


def _manifest(scenario: Scenario, seed: int, replicates: list[int]) -> dict:
    rerun = f"edusim run <this folder>/manifest.json --seed {seed} --replicates {len(replicates)}"
    return {
        "scenario": scenario.model_dump(mode="json"),
        "scenario_name": scenario.name,
        "seed": seed,
        "replicates": len(replicates),
        "replicate_ids": replicates,
        "years": scenario.years,
        "version": package_version(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "rerun": rerun,
    }

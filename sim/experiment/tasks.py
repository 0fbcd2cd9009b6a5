"""One run of an experiment: the task sent to a worker and the default model evaluation.

A :class:`Task` is plain, picklable data (the resolved scenario as a dict, the varied
parameters, the replicate and the root seed), so it can travel to a local worker process or
a Dask worker on another machine. An *evaluation* is any picklable top-level callable
``evaluate(task) -> DataFrame | dict[str, DataFrame]``; :func:`evaluate_model` runs the
simulation. A bare DataFrame is stored as the run's ``county`` table.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Union

import pandas as pd

from sim.runner import check_scenario, run_replicate
from sim.scenario import Scenario, load_scenario, validate
from sim.scenario.keys import set_dotted
from sim.scenario.loading import parse_overrides

Tables = dict[str, pd.DataFrame]
Evaluation = Callable[["Task"], Union[pd.DataFrame, Tables]]
MAIN_TABLE = "county"


@dataclass(frozen=True)
class Task:
    """One run: a scenario, the parameter values that differ from it, a replicate and a seed.

    Attributes
    ----------
    run_id
        Unique name of the run within its experiment (a file stem, e.g. ``p000012-r03``).
    point
        Index of the design point (0-based); replicates of one point share it.
    replicate
        Replicate number r (0-based): the run's random numbers come from
        ``sim.seeds.replicate_rng(seed, r)``, so replicate r of every point or scenario
        shares its random numbers (common random numbers).
    seed
        Root seed of the experiment.
    params
        Dotted scenario key -> value applied on top of ``scenario`` (may be empty).
    scenario
        The resolved base scenario as a plain dict (``Scenario.model_dump(mode="json")``).
    label
        Free text naming the scenario (compare uses it; sweeps leave it empty).
    """

    run_id: str
    point: int
    replicate: int
    seed: int
    params: Mapping[str, Any] = field(default_factory=dict)
    scenario: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""


def scenario_with(base: Mapping[str, Any], params: Mapping[str, Any]) -> Scenario:
    """Validate ``base`` (a scenario as a plain dict) with dotted ``params`` set on top.

    Raises
    ------
    ScenarioError
        A key is unknown or a value is out of range (the message names key and value).
    """
    data = copy.deepcopy(dict(base))
    for key, value in params.items():
        set_dotted(data, key, value)
    return validate(data)


def evaluate_model(task: Task) -> Tables:
    """Run one replicate of the model: ``{"county": ..., "schools": ...}`` (DESIGN §8 columns)."""
    scenario = scenario_with(task.scenario, task.params)
    result = run_replicate(scenario, task.seed, task.replicate)
    return {"county": result.county, "schools": result.schools}


def as_tables(value: pd.DataFrame | Mapping[str, pd.DataFrame]) -> Tables:
    """Normalise an evaluation's return value to ``{table name: DataFrame}`` with a county table."""
    if isinstance(value, pd.DataFrame):
        return {MAIN_TABLE: value}
    if isinstance(value, Mapping) and isinstance(value.get(MAIN_TABLE), pd.DataFrame):
        bad = [
            k
            for k, v in value.items()
            if not isinstance(v, pd.DataFrame) or not str(k).isidentifier()
        ]
        if not bad:
            return dict(value)
    raise TypeError(
        "an evaluation must return a DataFrame or a dict of DataFrames with a 'county' key "
        f"(table names are identifiers), got {type(value).__name__}"
    )


def resolve_scenario(
    scenario: str | Path | Scenario | None,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
) -> Scenario:
    """Resolve a scenario and check it by building it once (:func:`sim.runner.check_scenario`).

    Parameters
    ----------
    scenario
        A bundled name, a file, a :class:`Scenario` or None (the embedded default).
    overrides
        ``--set`` style overrides (``["key=value", ...]`` or ``{"key": value}``).

    Returns
    -------
    Scenario
        The validated scenario with the overrides applied.

    Raises
    ------
    ScenarioError
        Unknown scenario, key or value (the message names it).
    """
    if isinstance(scenario, Scenario):
        parsed = dict(parse_overrides(overrides))
        resolved = scenario_with(scenario.model_dump(mode="json"), parsed) if parsed else scenario
    else:
        resolved = load_scenario(scenario, overrides)
    check_scenario(resolved)
    return resolved

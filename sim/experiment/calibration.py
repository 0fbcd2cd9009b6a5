"""Calibration: the simulated method of moments against a targets file (DESIGN §10).

A *targets file* (TOML, ``calibration/targets/*.toml``) lists

- **moments**: a series of the run (a county metric of ``sim.metrics`` or one of the
  :data:`DERIVED` series below), either its *level* in a year (``year = 2001``) or its
  *relative change* between two years (``change = [2001, 2010]``: ``v[2010] / v[2001] - 1``),
  with the observed value, a weight and the source;
- **parameters**: dotted scenario keys to fit, each with bounds ``low < high`` (a key whose
  scenario field holds integers is fitted over integers).

For a parameter vector θ the model runs R replicates; replicate r of *every* θ uses root seed
``seed`` and replicate number r (``sim.seeds.replicate_rng(seed, r)``): common random numbers,
so two candidates differ by their parameters, not by their luck, and the objective is a
deterministic function of θ. The simulated moment is the mean over replicates, and the
objective is the weighted mean squared relative error::

    J(θ) = Σ_m w_m · ((mean_r s_m(θ, r) − o_m) / |o_m|)² / Σ_m w_m

``scipy.optimize.differential_evolution`` minimises J (``updating="deferred"``: each
generation is one batch of candidates, evaluated through the experiment executors — this
process, a local process pool or Dask — exactly as sweeps are). The budget counts model runs:
a population of P candidates over G generations uses ``P · G · R`` runs (see
:func:`de_settings`). Everything is seeded, so the same arguments give the same fit.

Calibration runs stop at the last year any moment needs; the fit table and the projection
are then computed from ``report_replicates`` full-length runs (replicates 0..n-1 of the same
root seed) at the fitted values as written to the overlay (floats to 4 significant digits), so
the overlay reproduces the table exactly. Series not among the county metrics are computed
from the state each year (:data:`DERIVED`, :func:`evaluate_calibration_run`).

Outputs (:func:`write_calibration`): ``<targets name>.toml`` (a scenario overlay that
``extends`` the calibrated scenario and sets the fitted keys), ``fit_table.csv``, ``fit.png``,
``projection.csv`` (every series per year, mean and 95% interval, at the fitted values),
``evaluations.csv`` (every candidate and its objective) and ``calibration.json`` (targets,
scenario, seed, budget, settings, best objective, history: everything to rerun).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import time
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import EdusimError
from sim.experiment.design import NOT_VARIABLE
from sim.experiment.errors import ExperimentError
from sim.experiment.executors import Executor, make_executor
from sim.experiment.replicates import mean_interval, summarise
from sim.experiment.tasks import Task, dotted_get, package_version, resolve_scenario, scenario_with
from sim.metrics import COUNTY_COLUMNS
from sim.outputs import write_csv, write_json, write_text
from sim.scenario import Scenario

#: Series computed from the state each year besides the county metrics. "Rural" means the
#: village and township tiers (schools outside the county town).
DERIVED: dict[str, str] = {
    "rural_primary_schools": "open schools of level primary (teaching points and nine-year schools not counted) "
    "in the village and township tiers",
    "village_primary_schools": "open schools of level primary in the village tier",
    "rural_junior_schools": "open junior and nine-year schools in the village and township tiers",
    "rural_pupils_primary": "enrolled pupils of grades 1-6 in village- and township-tier schools",
    "rural_pupils_junior": "enrolled pupils of grades 7-9 in village- and township-tier schools",
    "urban_town_pupil_share": "pupils in county-town and township-tier schools over all pupils (城区+镇区 when "
    "township seats count as towns)",
}
SERIES = [c for c in COUNTY_COLUMNS if c != "year"] + list(DERIVED)
#: Objective of a candidate whose runs failed or whose moments are undefined (0/0).
PENALTY = 1e6
DEFAULT_REPLICATES = 2
DEFAULT_REPORT_REPLICATES = 10
DEFAULT_BUDGET = 600
MAX_POPSIZE = 15


# ---- the targets file ---------------------------------------------------------------------------

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Moment(_Strict):
    """One target: a series' level in ``year`` or its relative change over ``change``."""

    name: str | None = Field(None, description="Label (default: metric and years).")
    metric: str = Field(description="A county metric (sim.metrics) or a derived series (DERIVED).")
    year: int | None = Field(None, description="Level of the series in this year.")
    change: tuple[int, int] | None = Field(None, description="[from, to]: relative change v[to] / v[from] - 1.")
    observed: float = Field(description="Observed value (a fraction for shares and changes).")
    weight: float = Field(1.0, gt=0, description="Weight in the objective.")
    source: str = Field(min_length=1, description="Where the observed value comes from.")
    note: str = Field("", description="How the observation maps to the model.")

    @model_validator(mode="after")
    def _one_kind(self) -> "Moment":
        if (self.year is None) == (self.change is None):
            raise ValueError("give exactly one of 'year' (a level) and 'change' ([from, to], a relative change)")
        if self.change is not None and self.change[0] >= self.change[1]:
            raise ValueError(f"change {list(self.change)}: the first year must be before the second")
        if self.observed == 0 or not math.isfinite(self.observed):
            raise ValueError(f"observed {self.observed}: must be finite and non-zero (errors are relative)")
        if self.change is not None and self.observed <= -1:
            raise ValueError(f"observed {self.observed}: a relative change is above -1")
        return self

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        return f"{self.metric} {self.year}" if self.year is not None else f"{self.metric} {self.change[0]}-{self.change[1]}"

    @property
    def years(self) -> tuple[int, ...]:
        return (self.year,) if self.year is not None else tuple(self.change)

    @property
    def kind(self) -> str:
        return f"level {self.year}" if self.year is not None else f"change {self.change[0]}-{self.change[1]}"


class Parameter(_Strict):
    """A scenario key to fit within ``[low, high]``."""

    key: str = Field(min_length=1, description="Dotted scenario key, e.g. migration.town_constant.")
    low: float = Field(description="Lower bound.")
    high: float = Field(description="Upper bound.")

    @model_validator(mode="after")
    def _ordered(self) -> "Parameter":
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ValueError("bounds must be finite")
        if self.low >= self.high:
            raise ValueError(f"bounds reversed or empty: low {self.low} must be below high {self.high}")
        return self


class Targets(_Strict):
    """A targets file: moments to match and parameters to fit."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$", description="Short name (file stems use it).")
    description: str = Field("", description="What the targets are.")
    moments: list[Moment] = Field(min_length=1)
    parameters: list[Parameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "Targets":
        for what, names in (("moment", [m.label for m in self.moments]), ("parameter key", [p.key for p in self.parameters])):
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"{what} {repeated[0]!r} is given twice")
        return self


@dataclass(frozen=True)
class ParamSpec:
    """A checked parameter: key, bounds, and whether the scenario field holds integers."""

    key: str
    low: float
    high: float
    integer: bool

    def value(self, x: float) -> int | float:
        """The scenario value for coordinate ``x`` (integers rounded; floats to 4 significant digits)."""
        x = min(max(float(x), self.low), self.high)
        return int(round(x)) if self.integer else float(f"{x:.4g}")


def load_targets(path: str | Path) -> Targets:
    """Read and validate a targets file (schema only; :func:`check_targets` checks it against a scenario).

    Raises
    ------
    ExperimentError
        Missing file, not TOML, an unknown or missing key, a wrong value, bounds reversed.
    """
    path = Path(path)
    if not path.is_file():
        raise ExperimentError(f"--targets {path}: no such file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ExperimentError(f"--targets {path}: not a valid TOML file: {exc}") from None
    data.setdefault("name", path.stem)
    try:
        return Targets.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(file)"
            if err["type"] == "extra_forbidden":
                lines.append(f"unknown key '{where}'")
            else:
                value = "" if err["type"] == "missing" else f" = {err.get('input')!r}"
                lines.append(f"key '{where}'{value}: {err['msg'].removeprefix('Value error, ')}")
        raise ExperimentError(f"--targets {path}: " + "; ".join(lines)) from None


def check_targets(targets: Targets, scenario: Scenario) -> list[ParamSpec]:
    """Check the targets against the scenario before anything runs.

    Raises
    ------
    ExperimentError
        An unknown metric (the message lists the known ones), a year outside the run
        (``start_year`` to ``start_year + years - 1``), a parameter key unknown or not
        variable, a bound the scenario rejects.
    """
    first, last = scenario.start_year, scenario.start_year + scenario.years - 1
    for m in targets.moments:
        if m.metric not in SERIES:
            raise ExperimentError(
                f"targets '{targets.name}', moment '{m.label}': unknown metric '{m.metric}'; known: {', '.join(SERIES)}"
            )
        outside = [y for y in m.years if not first <= y <= last]
        if outside:
            raise ExperimentError(
                f"targets '{targets.name}', moment '{m.label}': year {outside[0]} is outside the run of scenario "
                f"'{scenario.name}' ({first}-{last})"
            )
    base = scenario.model_dump(mode="json")
    specs = []
    for p in targets.parameters:
        where = f"targets '{targets.name}', parameter '{p.key}'"
        if p.key in NOT_VARIABLE:
            raise ExperimentError(f"{where}: cannot be fitted (the seed is set by --seed; name and description are labels)")
        kind = _leaf_type(p.key)
        if kind is None:
            raise ExperimentError(f"{where}: no such key in the scenario schema (see `edusim schema`)")
        if kind not in (int, float):
            now = dotted_get(base, p.key)
            raise ExperimentError(f"{where}: not a number (now {now!r}); only numeric keys can be fitted")
        spec = ParamSpec(p.key, p.low, p.high, integer=kind is int)
        for bound in (p.low, p.high):
            try:
                scenario_with(base, {p.key: spec.value(bound)})
            except EdusimError as exc:
                raise ExperimentError(f"{where}: bound {bound}: {exc}") from None
        specs.append(spec)
    return specs


def _leaf_type(key: str) -> Any:
    """The type of the scenario field at a dotted key (through optional blocks and dicts), or None."""
    node: Any = Scenario
    for part in key.split("."):
        if isinstance(node, type) and issubclass(node, BaseModel):
            field = node.model_fields.get(part)
            if field is None:
                return None
            node = _unwrap(field.annotation)
        elif typing.get_origin(node) is dict:
            node = _unwrap(typing.get_args(node)[1])
        else:
            return None
    return node


def _unwrap(annotation: Any) -> Any:
    """``X`` from ``X | None``; anything else unchanged."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


# ---- moments -----------------------------------------------------------------------------------

def derived_row(model) -> dict[str, float]:
    """This year's :data:`DERIVED` series from the model's state (vectorised over pupils)."""
    from sim.state import COUNTY_TOWN_TIER, ENROLLED, JUNIOR, NINE_YEAR, OPEN, PRIMARY, PRIMARY_TOP_GRADE, VILLAGE_TIER

    s, c = model.schools, model.children
    open_ = s.status == OPEN
    rural = s.tier != COUNTY_TOWN_TIER
    enrolled = np.flatnonzero(c.status == ENROLLED)
    tier = s.tier[c.school[enrolled]]
    primary = c.grade[enrolled] <= PRIMARY_TOP_GRADE
    rural_pupil = tier != COUNTY_TOWN_TIER
    return {
        "rural_primary_schools": int((open_ & rural & (s.level == PRIMARY)).sum()),
        "village_primary_schools": int((open_ & (s.tier == VILLAGE_TIER) & (s.level == PRIMARY)).sum()),
        "rural_junior_schools": int((open_ & rural & np.isin(s.level, (JUNIOR, NINE_YEAR))).sum()),
        "rural_pupils_primary": int((rural_pupil & primary).sum()),
        "rural_pupils_junior": int((rural_pupil & ~primary).sum()),
        "urban_town_pupil_share": float((tier != VILLAGE_TIER).sum() / max(enrolled.size, 1)),
    }


def evaluate_calibration_run(task: Task) -> pd.DataFrame:
    """Run one replicate and return its county table with the :data:`DERIVED` series added.

    A top-level callable, so local and Dask workers can run it (``sim.experiment.executors``).
    """
    from sim.model import EducationModel  # imported in the worker

    scenario = scenario_with(task.scenario, task.params)
    model = EducationModel(scenario, seed=task.seed, replicate=task.replicate)
    extra = []
    for _ in range(scenario.years):
        model.step()
        extra.append(derived_row(model))
    county = pd.DataFrame(model.county_rows, columns=COUNTY_COLUMNS)
    county = pd.concat([county, pd.DataFrame(extra)], axis=1)
    county.insert(0, "replicate", task.replicate)
    model.remove_all_agents()  # frees the model's tables now, not at the next cyclic collection (as sim.runner)
    return county


def moment_values(county: pd.DataFrame, moments: Sequence[Moment]) -> np.ndarray:
    """Simulated moments, shape (replicates, moments), from county tables with a ``replicate``
    column (levels; relative changes are NaN where the first year's value is 0)."""
    out = []
    for _, frame in county.groupby("replicate", sort=True):
        by_year = frame.set_index("year")
        row = []
        for m in moments:
            if m.year is not None:
                row.append(float(by_year.at[m.year, m.metric]))
            else:
                a, b = (float(by_year.at[y, m.metric]) for y in m.change)
                row.append(b / a - 1 if a != 0 else math.nan)
        out.append(row)
    return np.asarray(out, dtype=float)


def objective(simulated: np.ndarray, moments: Sequence[Moment]) -> float:
    """Weighted mean squared relative error of the replicate means (:data:`PENALTY` if undefined).

    Parameters
    ----------
    simulated
        (replicates, moments) array of simulated moments.
    moments
        The targets' moments (observed values and weights).
    """
    observed = np.array([m.observed for m in moments])
    weights = np.array([m.weight for m in moments])
    mean = simulated.mean(axis=0)
    value = float((weights * ((mean - observed) / np.abs(observed)) ** 2).sum() / weights.sum())
    return value if math.isfinite(value) else PENALTY


def fit_table(simulated: np.ndarray, moments: Sequence[Moment]) -> pd.DataFrame:
    """Observed against simulated: mean and 95% interval over replicates, error (simulated −
    observed) and relative error, one row per moment."""
    rows = []
    for j, m in enumerate(moments):
        mean, lo, hi, n = mean_interval(simulated[:, j])
        rows.append({
            "moment": m.label, "metric": m.metric, "kind": m.kind, "observed": m.observed,
            "simulated": mean, "lo": lo, "hi": hi, "replicates": n, "error": mean - m.observed,
            "relative_error": (mean - m.observed) / abs(m.observed), "weight": m.weight, "source": m.source,
        })
    return pd.DataFrame(rows)


# ---- the optimiser -----------------------------------------------------------------------------

def de_settings(budget: int, replicates: int, dims: int) -> tuple[int, int, int]:
    """Differential-evolution settings for a budget of model runs.

    Candidates C = budget // replicates; population multiplier ``popsize = clamp(floor(√C / D),
    1, 15)`` (scipy's population is ``max(5, popsize · D)`` = P); generations after the first
    ``maxiter = C // P - 1``. Returns ``(popsize, maxiter, P)``; at most ``P · (maxiter + 1) · R``
    runs are used.

    Raises
    ------
    ExperimentError
        The budget does not cover the first population and one more generation.
    """
    if replicates < 1:
        raise ExperimentError(f"--replicates {replicates}: must be at least 1")
    candidates = budget // replicates
    popsize = min(max(int(math.isqrt(max(candidates, 0)) // dims), 1), MAX_POPSIZE)
    population = max(5, popsize * dims)
    if candidates < 2 * population:
        need = 2 * max(5, dims) * replicates
        raise ExperimentError(
            f"--budget {budget}: too small for {dims} parameters and {replicates} replicates; at least {need} "
            "model runs are needed (a first population and one generation)"
        )
    return popsize, candidates // population - 1, population


@dataclass
class Calibration:
    """A validated calibration problem, ready to run (:func:`plan_calibration`).

    Attributes
    ----------
    targets, specs
        The targets and the checked parameters.
    scenario
        The calibrated scenario (as resolved, full length).
    source
        How the scenario was named (bundled name or path).
    overrides
        ``--set`` overrides applied before fitting (written into the overlay too).
    replicates, seed, budget
        Replicates per candidate, root seed (common random numbers), model runs allowed.
    popsize, maxiter, population
        From :func:`de_settings`.
    fit_years
        Years of the calibration runs (up to the last year a moment needs).
    targets_source
        The targets file's path (empty when targets were given as an object).
    report_replicates
        Full-length replicates at the fitted values for the fit table and the projection
        (replicates 0..n-1 of the same root seed; not counted in the budget).
    """

    targets: Targets
    specs: list[ParamSpec]
    scenario: Scenario
    source: str
    overrides: list[str]
    replicates: int
    seed: int
    budget: int
    popsize: int
    maxiter: int
    population: int
    fit_years: int
    targets_source: str = ""
    report_replicates: int = DEFAULT_REPORT_REPLICATES

    @property
    def total_runs(self) -> int:
        """Runs of the fit (at most) plus the final runs at the fitted values."""
        return self.population * (self.maxiter + 1) * self.replicates + self.report_replicates


@dataclass
class CalibrationResult:
    """What a calibration found (see the module docstring for the files it is written to).

    Attributes
    ----------
    problem
        The calibration problem.
    params
        Fitted values by dotted key (as written to the overlay).
    objective
        J at the fitted values over the ``report_replicates`` full-length runs.
    fit
        The fit table (:func:`fit_table`) from those runs.
    projection
        Every series of :data:`SERIES` per year at the fitted values: ``year, metric, n, mean,
        sd, lo, hi`` (95% interval over the report replicates).
    evaluations
        One row per candidate: ``evaluation, generation, <keys>, objective, error``.
    history
        Best candidate after each generation (:func:`_history`).
    runs, failed_runs
        Model runs made (fit and report) and how many failed.
    seconds
        Wall time (s).
    message
        The optimiser's stopping message.
    started
        Start time (ISO 8601, local).
    fit_objective
        The best J the optimiser saw (over the fit's ``replicates``).
    """

    problem: Calibration
    params: dict[str, int | float]
    objective: float
    fit: pd.DataFrame
    projection: pd.DataFrame
    evaluations: pd.DataFrame
    history: list[dict[str, Any]]
    runs: int
    failed_runs: int
    seconds: float
    message: str
    started: str = ""
    fit_objective: float = math.nan

    def manifest(self) -> dict[str, Any]:
        """``calibration.json``: everything needed to rerun and judge the fit."""
        p = self.problem
        return {
            "kind": "edusim-calibration",
            "targets": p.targets.model_dump(mode="json"),
            "scenario_source": p.source,
            "targets_source": p.targets_source,
            "scenario": p.scenario.model_dump(mode="json"),
            "overrides": p.overrides,
            "seed": p.seed,
            "replicates": p.replicates,
            "budget": p.budget,
            "optimiser": {
                "method": "scipy.optimize.differential_evolution", "strategy": "best1bin", "popsize": p.popsize,
                "population": p.population, "maxiter": p.maxiter, "init": "latinhypercube", "updating": "deferred",
                "polish": False, "tol": 0, "rng": p.seed, "message": self.message,
            },
            "fit_years": p.fit_years,
            "parameters": [{"key": s.key, "low": s.low, "high": s.high, "integer": s.integer} for s in p.specs],
            "fitted": self.params,
            "objective": self.objective,
            "objective_fit": self.fit_objective,
            "report_replicates": p.report_replicates,
            "runs": self.runs,
            "failed_runs": self.failed_runs,
            "seconds": round(self.seconds, 1),
            "started": self.started,
            "history": self.history,
            "fit_table": self.fit.to_dict(orient="records"),
            "version": package_version(),
            "rerun": rerun_command(p),
        }


def plan_calibration(
    scenario: str | Path | Scenario,
    targets: str | Path | Targets,
    *,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    budget: int = DEFAULT_BUDGET,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = None,
    report_replicates: int = DEFAULT_REPORT_REPLICATES,
) -> Calibration:
    """Validate everything (scenario, targets, budget); nothing runs or is written.

    Raises
    ------
    ScenarioError, ExperimentError
        A bad scenario, targets file, budget, replicate count or seed.
    """
    resolved = resolve_scenario(scenario, overrides)
    targets_source = "" if isinstance(targets, Targets) else str(targets)
    targets = targets if isinstance(targets, Targets) else load_targets(targets)
    specs = check_targets(targets, resolved)
    root = resolved.seed if seed is None else int(seed)
    if root < 0:
        raise ExperimentError(f"--seed {root}: must be non-negative")
    popsize, maxiter, population = de_settings(budget, replicates, len(specs))
    if report_replicates < 1:
        raise ExperimentError(f"--report-replicates {report_replicates}: must be at least 1")
    last = max(y for m in targets.moments for y in m.years)
    source = resolved.name if isinstance(scenario, Scenario) else str(scenario)
    ov = [f"{k}={v!r}" for k, v in overrides.items()] if isinstance(overrides, Mapping) else list(overrides or [])
    return Calibration(targets, specs, resolved, source, ov, replicates, root, budget, popsize, maxiter, population,
                       last - resolved.start_year + 1, targets_source, report_replicates)


class _Evaluator:
    """Evaluates batches of candidates through an executor (the ``workers`` map of scipy's DE)."""

    def __init__(self, problem: Calibration, executor: Executor, progress: Callable[[int, int], None] | None) -> None:
        self.p = problem
        self.executor = executor
        self.progress = progress
        base = problem.scenario.model_dump(mode="json")
        self.fit_base = {**base, "years": problem.fit_years}
        self.full_base = base
        self.rows: list[dict[str, Any]] = []
        self.runs = 0
        self.failed = 0
        self.generation = 0
        self.first_error: str | None = None

    def params(self, x: Sequence[float]) -> dict[str, int | float]:
        return {s.key: s.value(v) for s, v in zip(self.p.specs, x)}

    def run(self, points: list[dict[str, Any]], base: Mapping[str, Any], tag: str,
            r: int) -> tuple[list[pd.DataFrame | None], list[str | None]]:
        """Run ``r`` replicates of every point; county tables per point (None where a run failed)."""
        tasks = [
            Task(run_id=f"{tag}{i:05d}-r{k:02d}", point=i, replicate=k, seed=self.p.seed, params=pt, scenario=base)
            for i, pt in enumerate(points) for k in range(r)
        ]
        parts: list[list[pd.DataFrame]] = [[] for _ in points]
        errors: list[str | None] = [None] * len(points)
        for outcome in self.executor.map(evaluate_calibration_run, tasks):
            self.runs += 1
            i = outcome.task.point
            if outcome.ok:
                parts[i].append(outcome.value)
            else:
                self.failed += 1
                errors[i] = errors[i] or outcome.error
                self.first_error = self.first_error or f"{outcome.task.run_id}: {outcome.error}"
            if self.progress:
                self.progress(self.runs, self.p.total_runs)
        tables = [pd.concat(ps, ignore_index=True) if len(ps) == r else None for ps in parts]
        return tables, errors

    def __call__(self, func: Any, population: Sequence[Sequence[float]]) -> list[float]:
        """scipy's ``workers`` map: ``func`` is ignored; the batch goes through the executor."""
        points = [self.params(x) for x in population]
        tables, errors = self.run(points, self.fit_base, f"g{self.generation:03d}-c", self.p.replicates)
        values = []
        for pt, table, error in zip(points, tables, errors):
            value = PENALTY if table is None else objective(moment_values(table, self.p.targets.moments), self.p.targets.moments)
            values.append(value)
            self.rows.append({"evaluation": len(self.rows), "generation": self.generation, **pt, "objective": value,
                              "error": error or ""})
        if all(t is None for t in tables):
            raise RuntimeError(f"every run of generation {self.generation} failed; first: {self.first_error}")
        self.generation += 1
        return values


def run_calibration(
    problem: Calibration,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CalibrationResult:
    """Fit the parameters by differential evolution, then evaluate the fit at full length.

    Parameters
    ----------
    problem
        From :func:`plan_calibration`.
    workers, scheduler, executor
        Where runs are evaluated (see :func:`sim.experiment.executors.make_executor`).
    progress
        ``progress(runs_done, runs_total)`` after every model run.

    Raises
    ------
    ExperimentError
        The Dask scheduler cannot be reached.
    RuntimeError
        Every run of a generation failed (the message has the first error).
    """
    from scipy.optimize import differential_evolution

    started = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    start = time.perf_counter()
    executor = executor if executor is not None else make_executor(workers, scheduler)
    with executor:
        ev = _Evaluator(problem, executor, progress)
        seeding = {"rng": np.random.default_rng(problem.seed)} if "rng" in _de_parameters() else {"seed": problem.seed}
        result = differential_evolution(
            _never_called, [(s.low, s.high) for s in problem.specs], popsize=problem.popsize, maxiter=problem.maxiter,
            init="latinhypercube", polish=False, tol=0, updating="deferred", workers=ev,
            integrality=[s.integer for s in problem.specs], **seeding,
        )
        params = ev.params(result.x)
        tables, errors = ev.run([params], ev.full_base, "final-", problem.report_replicates)
    if tables[0] is None:
        raise RuntimeError(f"a run at the fitted values failed: {errors[0]}")
    county = tables[0]
    simulated = moment_values(county, problem.targets.moments)
    fit = fit_table(simulated, problem.targets.moments)
    evaluations = pd.DataFrame(ev.rows)
    projection = summarise(county, metrics=SERIES)
    return CalibrationResult(
        problem, params, objective(simulated, problem.targets.moments), fit, projection, evaluations,
        _history(evaluations, [s.key for s in problem.specs]),
        ev.runs, ev.failed, time.perf_counter() - start, str(result.message), started, float(result.fun),
    )


def _de_parameters() -> set[str]:
    import inspect

    from scipy.optimize import differential_evolution

    return set(inspect.signature(differential_evolution).parameters)


def _history(evaluations: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    """Best candidate so far after each generation (DE keeps the best, so this is the
    population's best): generation, candidates evaluated, objective, parameters."""
    out = []
    best = None
    for generation, rows in evaluations.groupby("generation", sort=True):
        top = rows.loc[rows["objective"].idxmin()]
        if best is None or top["objective"] < best["objective"]:
            best = top
        out.append({"generation": int(generation), "candidates": int(rows["evaluation"].max()) + 1,
                    "objective": float(best["objective"]), "params": {k: _plain(best[k]) for k in keys}})
    return out


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _never_called(x: np.ndarray) -> float:  # pragma: no cover - the workers map evaluates instead
    raise RuntimeError("calibration evaluates candidates through its executor map")


def calibrate(scenario: str | Path | Scenario, targets: str | Path | Targets, **options: Any) -> CalibrationResult:
    """:func:`plan_calibration` then :func:`run_calibration` (options are split between the two)."""
    run_keys = {"workers", "scheduler", "executor", "progress"}
    problem = plan_calibration(scenario, targets, **{k: v for k, v in options.items() if k not in run_keys})
    return run_calibration(problem, **{k: v for k, v in options.items() if k in run_keys})


# ---- outputs -----------------------------------------------------------------------------------

def rerun_command(problem: Calibration) -> str:
    """The ``edusim calibrate`` command line of a problem."""
    sets = "".join(f" --set {o}" for o in problem.overrides)
    return (f"edusim calibrate {problem.source} --targets {problem.targets_source or '<targets file>'} --budget {problem.budget} "
            f"--replicates {problem.replicates} --report-replicates {problem.report_replicates} --seed {problem.seed}{sets}")


def default_out(problem: Calibration) -> Path:
    """``calibration/runs/<scenario name>-<targets name>``."""
    return Path("calibration") / "runs" / f"{problem.scenario.name}-{problem.targets.name}"


def overlay_text(result: CalibrationResult, folder: Path) -> str:
    """The fitted scenario overlay (TOML): ``extends`` the calibrated scenario from ``folder``,
    sets the ``--set`` overrides and the fitted keys; comments give date, objective and budget."""
    p = result.problem
    source = p.source
    if Path(source).is_file():
        source = os.path.relpath(Path(source).resolve(), folder.resolve())
    values: dict[str, Any] = {}
    for item in p.overrides:
        key, _, text = item.partition("=")
        try:
            values[key.strip()] = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            values[key.strip()] = text.strip()
    values.update(result.params)
    worst = result.fit.loc[result.fit["relative_error"].abs().idxmax()]
    lines = [
        f"# Fitted by edusim {package_version()} on {result.started[:10]}: simulated method of moments against",
        f"# the targets '{p.targets.name}' ({len(p.targets.moments)} moments), differential evolution with a budget of",
        f"# {p.budget} model runs ({result.runs - p.report_replicates} used, population {p.population}, {len(result.history)} generations),",
        f"# {p.replicates} replicates per candidate with common random numbers (seed {p.seed}), {result.seconds / 60:.1f} min.",
        f"# Objective (weighted mean squared relative error) {result.objective:.4g} over {p.report_replicates} full-length",
        f"# replicates ({result.fit_objective:.4g} in the fit); largest relative error {worst['relative_error']:+.1%}",
        f"# ({worst['moment']}). Fit table: {p.targets.name}_fit.csv.",
        f"# Rerun: {rerun_command(p)}",
        f"name = {_toml_value(p.scenario.name + '_fitted')}",
        f"extends = {_toml_value(source)}",
        f"description = {_toml_value(_overlay_description(result))}",
        "",
    ]
    tables: dict[str, list[str]] = {}
    for key, value in values.items():
        head, _, leaf = key.rpartition(".")
        tables.setdefault(head, []).append(f"{leaf} = {_toml_value(value)}")
    for head, items in tables.items():
        if head:
            lines.append(f"[{head}]")
        lines += items + [""]
    text = "\n".join(lines)
    tomllib.loads(text)  # a malformed overlay is a bug: fail before writing
    return text


def _overlay_description(result: CalibrationResult) -> str:
    p = result.problem
    fitted = ", ".join(f"{k} = {v}" for k, v in result.params.items())
    return (f"{p.scenario.description.strip().splitlines()[0]} Parameters fitted to the targets "
            f"'{p.targets.name}': {fitted}.")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} to TOML")


def fit_figure(fit: pd.DataFrame, title: str):
    """Observed (black diamond) against simulated (mean and 95% interval), one row per moment.

    Returns a matplotlib Figure on the Agg canvas.
    """
    from sim.viz.style import BLACK, BLUE, figure_style, new_figure

    n = len(fit)
    with figure_style():
        fig = new_figure(7.5, 1.0 + 0.45 * n)
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        ax.errorbar(fit["simulated"], y, xerr=[fit["simulated"] - fit["lo"], fit["hi"] - fit["simulated"]],
                    fmt="o", color=BLUE, capsize=3, label="simulated (mean, 95% interval)")
        ax.scatter(fit["observed"], y, marker="D", color=BLACK, zorder=3, label="observed")
        ax.set_yticks(y, [f"{m}\n{k}" for m, k in zip(fit["moment"], fit["kind"])])
        ax.axvline(0, color="#BBBBBB", linewidth=0.8)
        ax.xaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        ax.set_xlabel("level or relative change")
        ax.set_title(title)
        ax.legend(loc="best")
    return fig


def write_calibration(result: CalibrationResult, out: str | Path, fitted_dir: str | Path | None = None) -> Path:
    """Write the run folder (see the module docstring); with ``fitted_dir`` also
    ``<fitted_dir>/<targets>.toml``, ``<targets>_fit.csv`` and ``<targets>_fit.png``.

    Every file is written atomically.
    """
    from sim.viz.style import save_png

    out = Path(out)
    name = result.problem.targets.name
    out.mkdir(parents=True, exist_ok=True)
    fig = fit_figure(result.fit, f"{result.problem.scenario.name} fitted to {name}")
    write_text(out / f"{name}.toml", overlay_text(result, out))
    write_csv(out / "fit_table.csv", result.fit)
    save_png(fig, out / "fit.png")
    write_csv(out / "projection.csv", result.projection)
    write_csv(out / "evaluations.csv", result.evaluations)
    write_json(out / "calibration.json", result.manifest())
    if fitted_dir is not None:
        fitted = Path(fitted_dir)
        fitted.mkdir(parents=True, exist_ok=True)
        write_text(fitted / f"{name}.toml", overlay_text(result, fitted))
        write_csv(fitted / f"{name}_fit.csv", result.fit)
        save_png(fig, fitted / f"{name}_fit.png")
    return out


__all__ = [
    "DERIVED", "SERIES", "Calibration", "CalibrationResult", "Moment", "Parameter", "ParamSpec", "Targets",
    "calibrate", "check_targets", "de_settings", "default_out", "evaluate_calibration_run", "fit_figure",
    "fit_table", "load_targets", "moment_values", "objective", "overlay_text", "plan_calibration",
    "run_calibration", "write_calibration",
]

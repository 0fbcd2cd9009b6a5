"""The search: differential evolution over the fitted keys, through the experiment executors.

``scipy.optimize.differential_evolution`` minimises the objective
(:mod:`sim.experiment.calibration.objective`) with ``updating="deferred"``: each generation is
one batch of candidates, evaluated through the experiment executors — this process, a local
process pool or Dask — exactly as sweeps are. The budget counts model runs: a population of P
candidates over G generations uses ``P · G · R`` runs (:func:`de_settings`). Everything is
seeded, so the same arguments give the same fit.

Calibration runs stop at the last year any moment needs; the fit table and the projection are
then computed from ``report_replicates`` full-length runs (replicates 0..n-1 of the same root
seed) at the fitted values as written to the overlay (floats to 4 significant digits), so the
overlay reproduces the table exactly.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import differential_evolution

from sim.experiment.calibration.objective import (
    PENALTY,
    evaluate_calibration_run,
    fit_table,
    moment_values,
    objective,
)
from sim.experiment.calibration.targets import (
    SERIES,
    ParamSpec,
    Targets,
    check_targets,
    load_targets,
)
from sim.experiment.errors import ExperimentError
from sim.experiment.executors import Executor, make_executor
from sim.experiment.replicates import check_seed, summarise
from sim.experiment.tasks import Task, resolve_scenario
from sim.scenario import Scenario
from sim.version import package_version

DEFAULT_REPLICATES = 2
DEFAULT_REPORT_REPLICATES = 10
DEFAULT_BUDGET = 3000
#: Largest population multiplier (scipy's ``popsize``).
MAX_POPSIZE = 15
#: scipy's smallest population, whatever the multiplier.
MIN_POPULATION = 5
#: The optimiser's settings besides population and generations (recorded in the manifest).
DE_OPTIONS: dict[str, Any] = {
    "strategy": "best1bin", "init": "latinhypercube", "updating": "deferred", "polish": False,
    "tol": 0,
}
#: Keyword arguments of :func:`calibrate` that go to :func:`run_calibration`.
RUN_OPTIONS = frozenset({"workers", "scheduler", "executor", "progress"})


def de_settings(budget: int, replicates: int, dims: int) -> tuple[int, int, int]:
    """Choose the differential-evolution settings for a budget of model runs.

    Candidates C = budget // replicates; population multiplier ``popsize = clamp(floor(√C / D),
    1, 15)`` (scipy's population is ``max(5, popsize · D)`` = P); generations after the first
    ``maxiter = C // P - 1``. At most ``P · (maxiter + 1) · R`` runs are used.

    Parameters
    ----------
    budget
        Model runs allowed.
    replicates
        Replicates R per candidate.
    dims
        Number D of fitted parameters.

    Returns
    -------
    tuple[int, int, int]
        ``(popsize, maxiter, P)``.

    Raises
    ------
    ExperimentError
        Fewer than one replicate, or the budget does not cover the first population and one
        more generation.
    """
    if replicates < 1:
        raise ExperimentError(f"--replicates {replicates}: must be at least 1")
    candidates = budget // replicates
    popsize = min(max(int(math.isqrt(max(candidates, 0)) // dims), 1), MAX_POPSIZE)
    population = max(MIN_POPULATION, popsize * dims)
    if candidates < 2 * population:
        need = 2 * max(MIN_POPULATION, dims) * replicates
        raise ExperimentError(
            f"--budget {budget}: too small for {dims} parameters and {replicates} replicates; "
            f"at least {need} model runs are needed (a first population and one generation)"
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
        """Count the runs of the fit (at most) plus the final runs at the fitted values."""
        return self.population * (self.maxiter + 1) * self.replicates + self.report_replicates


def rerun_command(problem: Calibration) -> str:
    """Spell out the ``edusim calibrate`` command line of a problem.

    Parameters
    ----------
    problem
        From :func:`plan_calibration`.

    Returns
    -------
    str
        The command, with every option that changes the fit.
    """
    sets = "".join(f" --set {o}" for o in problem.overrides)
    targets = problem.targets_source or "<targets file>"
    return (
        f"edusim calibrate {problem.source} --targets {targets} --budget {problem.budget} "
        f"--replicates {problem.replicates} --report-replicates {problem.report_replicates} "
        f"--seed {problem.seed}{sets}"
    )


@dataclass
class CalibrationResult:
    """What a calibration found (``sim.experiment.calibration.output`` writes it).

    Attributes
    ----------
    problem
        The calibration problem.
    params
        Fitted values by dotted key (as written to the overlay).
    objective
        J at the fitted values over the ``report_replicates`` full-length runs.
    fit
        The fit table (``objective.fit_table``) from those runs.
    projection
        Every series of ``targets.SERIES`` per year at the fitted values: ``year, metric, n,
        mean, sd, lo, hi`` (95% interval over the report replicates).
    evaluations
        One row per candidate: ``evaluation, generation, <keys>, objective, error``.
    history
        Best candidate after each generation (``_history``).
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
        """Describe the calibration for ``calibration.json``: everything to rerun and judge the fit.

        Returns
        -------
        dict[str, Any]
            Targets, scenario, seed, budget, optimiser settings, fitted values, objectives,
            run counts, history, fit table, version and the rerun command (JSON types).
        """
        p = self.problem
        optimiser = {
            "method": "scipy.optimize.differential_evolution", "strategy": DE_OPTIONS["strategy"],
            "popsize": p.popsize, "population": p.population, "maxiter": p.maxiter,
            "init": DE_OPTIONS["init"], "updating": DE_OPTIONS["updating"],
            "polish": DE_OPTIONS["polish"], "tol": DE_OPTIONS["tol"], "rng": p.seed,
            "message": self.message,
        }
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
            "optimiser": optimiser,
            "fit_years": p.fit_years,
            "parameters": [
                {"key": s.key, "low": s.low, "high": s.high, "integer": s.integer} for s in p.specs
            ],
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


def _override_texts(overrides: Sequence[str] | Mapping[str, Any] | None) -> list[str]:
    """``--set`` overrides as ``key=value`` texts (a mapping's values by ``repr``)."""
    if isinstance(overrides, Mapping):
        return [f"{k}={v!r}" for k, v in overrides.items()]
    return list(overrides or [])


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

    Parameters
    ----------
    scenario
        Bundled name, file or scenario to calibrate.
    targets
        Targets file or targets.
    overrides
        ``--set`` overrides applied before fitting (``["key=value", ...]`` or a mapping).
    budget
        Model runs the optimiser may use.
    replicates
        Replicates per candidate (common random numbers).
    seed
        Root seed of the runs and the optimiser (default: the scenario's).
    report_replicates
        Full-length replicates at the fitted values.

    Returns
    -------
    Calibration
        The problem, ready for :func:`run_calibration`.

    Raises
    ------
    ScenarioError, ExperimentError
        A bad scenario, targets file, budget, replicate count or seed.
    """
    resolved = resolve_scenario(scenario, overrides)
    targets_source = "" if isinstance(targets, Targets) else str(targets)
    targets = targets if isinstance(targets, Targets) else load_targets(targets)
    specs = check_targets(targets, resolved)
    root = resolved.seed if seed is None else check_seed(seed)
    popsize, maxiter, population = de_settings(budget, replicates, len(specs))
    if report_replicates < 1:
        raise ExperimentError(f"--report-replicates {report_replicates}: must be at least 1")
    last = max(y for m in targets.moments for y in m.years)
    source = resolved.name if isinstance(scenario, Scenario) else str(scenario)
    return Calibration(
        targets, specs, resolved, source, _override_texts(overrides), replicates, root, budget,
        popsize, maxiter, population, last - resolved.start_year + 1, targets_source,
        report_replicates,
    )


class _Evaluator:
    """Evaluate batches of candidates through an executor (the ``workers`` map of scipy's DE)."""

    def __init__(self, problem: Calibration, executor: Executor,
                 progress: Callable[[int, int], None] | None) -> None:
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
        """Map an optimiser vector to scenario values by dotted key."""
        return {s.key: s.value(v) for s, v in zip(self.p.specs, x)}

    def run(self, points: list[dict[str, Any]], base: Mapping[str, Any], tag: str,
            replicates: int) -> tuple[list[pd.DataFrame | None], list[str | None]]:
        """Run ``replicates`` replicates of every point.

        Returns the county tables per point (None where a run failed) and the first error per
        point.
        """
        tasks = [
            Task(run_id=f"{tag}{i:05d}-r{k:02d}", point=i, replicate=k, seed=self.p.seed,
                 params=pt, scenario=base)
            for i, pt in enumerate(points) for k in range(replicates)
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
        tables = [pd.concat(ps, ignore_index=True) if len(ps) == replicates else None
                  for ps in parts]
        return tables, errors

    def __call__(self, func: Any, population: Sequence[Sequence[float]]) -> list[float]:
        """Evaluate a generation for scipy (its ``workers`` map): ``func`` is ignored."""
        moments = self.p.targets.moments
        points = [self.params(x) for x in population]
        tag = f"g{self.generation:03d}-c"
        tables, errors = self.run(points, self.fit_base, tag, self.p.replicates)
        values = []
        for pt, table, error in zip(points, tables, errors):
            value = PENALTY if table is None else objective(moment_values(table, moments), moments)
            values.append(value)
            self.rows.append({"evaluation": len(self.rows), "generation": self.generation, **pt,
                              "objective": value, "error": error or ""})
        if all(t is None for t in tables):
            raise RuntimeError(
                f"every run of generation {self.generation} failed; first: {self.first_error}"
            )
        self.generation += 1
        return values


def _seeding(seed: int) -> dict[str, Any]:
    """Seed the optimiser: ``rng`` in scipy ≥ 1.15, ``seed`` before."""
    if "rng" in inspect.signature(differential_evolution).parameters:
        return {"rng": np.random.default_rng(seed)}
    return {"seed": seed}


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

    Returns
    -------
    CalibrationResult
        The fitted values, fit table, projection, evaluations and history.

    Raises
    ------
    ExperimentError
        The Dask scheduler cannot be reached.
    RuntimeError
        Every run of a generation failed (the message has the first error).
    """
    started = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    start = time.perf_counter()
    executor = executor if executor is not None else make_executor(workers, scheduler)
    options = {k: v for k, v in DE_OPTIONS.items() if k != "strategy"}
    with executor:
        evaluator = _Evaluator(problem, executor, progress)
        found = differential_evolution(
            _never_called, [(s.low, s.high) for s in problem.specs], popsize=problem.popsize,
            maxiter=problem.maxiter, workers=evaluator,
            integrality=[s.integer for s in problem.specs], **options, **_seeding(problem.seed),
        )
        params = evaluator.params(found.x)
        tables, errors = evaluator.run([params], evaluator.full_base, "final-",
                                       problem.report_replicates)
    if tables[0] is None:
        raise RuntimeError(f"a run at the fitted values failed: {errors[0]}")
    county = tables[0]
    moments = problem.targets.moments
    simulated = moment_values(county, moments)
    evaluations = pd.DataFrame(evaluator.rows)
    return CalibrationResult(
        problem, params, objective(simulated, moments), fit_table(simulated, moments),
        summarise(county, metrics=SERIES), evaluations,
        _history(evaluations, [s.key for s in problem.specs]), evaluator.runs,
        evaluator.failed, time.perf_counter() - start, str(found.message), started,
        float(found.fun),
    )


def _history(evaluations: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    """List the best candidate so far after each generation.

    DE keeps the best, so this is the population's best: generation, candidates evaluated,
    objective, parameters.
    """
    out = []
    best = None
    for generation, rows in evaluations.groupby("generation", sort=True):
        top = rows.loc[rows["objective"].idxmin()]
        if best is None or top["objective"] < best["objective"]:
            best = top
        out.append({
            "generation": int(generation), "candidates": int(rows["evaluation"].max()) + 1,
            "objective": float(best["objective"]), "params": {k: _plain(best[k]) for k in keys},
        })
    return out


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _never_called(x: np.ndarray) -> float:  # pragma: no cover - the workers map evaluates
    raise RuntimeError("calibration evaluates candidates through its executor map")


def calibrate(scenario: str | Path | Scenario, targets: str | Path | Targets,
              **options: Any) -> CalibrationResult:
    """:func:`plan_calibration` then :func:`run_calibration` (options are split between them).

    Parameters
    ----------
    scenario, targets
        As for :func:`plan_calibration`.
    **options
        ``workers``, ``scheduler``, ``executor`` and ``progress`` go to
        :func:`run_calibration`, the rest to :func:`plan_calibration`.

    Returns
    -------
    CalibrationResult
        What the calibration found.

    Raises
    ------
    ScenarioError, ExperimentError, RuntimeError
        As the two steps raise them.
    """
    plan_options = {k: v for k, v in options.items() if k not in RUN_OPTIONS}
    problem = plan_calibration(scenario, targets, **plan_options)
    return run_calibration(problem, **{k: v for k, v in options.items() if k in RUN_OPTIONS})


__all__ = [
    "Calibration", "CalibrationResult", "calibrate", "de_settings", "plan_calibration",
    "rerun_command", "run_calibration",
]

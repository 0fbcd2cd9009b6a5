"""Running a validation: check everything, run the model and the null model, write the folder.

:func:`plan_validation` checks everything (scenario, facts file, null model, replicates, seed)
before any run; :func:`run_validation` runs ``replicates`` replicates of the scenario and of the
null model (:mod:`sim.experiment.validation.null`) with common random numbers through an
executor (local pool or Dask) and scores every fact (:mod:`sim.experiment.validation.scoring`);
:func:`write_validation` writes the folder whole: ``validation.csv``, ``validation.md``
(:mod:`sim.experiment.validation.report`), ``validation.json`` (everything to rerun) and the
figure (drawn by ``sim.viz.validation``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from sim.errors import EdusimError
from sim.experiment.calibration.objective import evaluate_calibration_run
from sim.experiment.errors import ExperimentError
from sim.experiment.executors import Executor, make_executor
from sim.experiment.folders import VALIDATION, check_out_folder, staged_folder
from sim.experiment.replicates import check_seed
from sim.experiment.tasks import Task, resolve_scenario, scenario_with
from sim.experiment.validation.facts import FactsFile, check_facts, load_facts
from sim.experiment.validation.null import null_overrides
from sim.experiment.validation.report import (
    FIGURE_NAME,
    calibration_sections,
    validation_markdown,
)
from sim.experiment.validation.scoring import fact_values, validation_table
from sim.outputs import write_csv, write_json, write_text
from sim.scenario import Scenario
from sim.scenario.loading import parse_overrides
from sim.version import package_version

#: Default replicates of each model.
DEFAULT_REPLICATES = 10
#: The models a validation runs, in order: the scenario, then the null model.
MODELS = ("model", "null")


@dataclass(frozen=True)
class Validation:
    """A checked validation problem (:func:`plan_validation`).

    Attributes
    ----------
    scenario
        The resolved scenario (with the ``--set`` overrides).
    source
        How it was named (bundled name or file).
    facts, facts_path
        The facts file and its path.
    replicates, seed
        Replicates of each model and the root seed (common random numbers).
    overrides
        The ``--set`` texts.
    years
        Years run: from the start to the last fact's year.
    """

    scenario: Scenario
    source: str
    facts: FactsFile
    facts_path: Path
    replicates: int
    seed: int
    overrides: tuple[str, ...]
    years: int

    def rerun_command(self) -> str:
        """Give the command line that reruns this validation."""
        sets = "".join(f" --set {item}" for item in self.overrides)
        return (f"edusim validation {self.source} --facts {self.facts_path} --replicates "
                f"{self.replicates} --seed {self.seed}{sets}")


@dataclass
class ValidationResult:
    """What a validation found.

    Attributes
    ----------
    plan
        The problem.
    table
        One row per fact (:data:`TABLE_COLUMNS`).
    values
        ``{"model": (replicates, facts), "null": ...}``: each replicate's value of each fact.
    runs, seconds, started
        Model runs made, wall time (s) and start time (ISO 8601, UTC).
    """

    plan: Validation
    table: pd.DataFrame
    values: dict[str, np.ndarray]
    runs: int
    seconds: float
    started: str
    notes: dict[str, Any] = field(default_factory=dict)

    def manifest(self) -> dict[str, Any]:
        """Return everything needed to rerun the validation (``validation.json``)."""
        p = self.plan
        return {
            "kind": "edusim-validation", "version": package_version(), "started": self.started,
            "seconds": round(self.seconds, 1), "runs": self.runs,
            "scenario_source": p.source, "scenario": p.scenario.model_dump(mode="json"),
            "overrides": list(p.overrides), "facts_source": str(p.facts_path),
            "facts": p.facts.model_dump(mode="json"), "replicates": p.replicates,
            "seed": p.seed, "years": p.years, "null_model": null_overrides(),
            "rerun": p.rerun_command(),
        }


def plan_validation(
    scenario: str | Path | Scenario,
    facts: str | Path,
    *,
    overrides: Sequence[str] | Mapping[str, Any] | None = None,
    replicates: int = DEFAULT_REPLICATES,
    seed: int | None = None,
) -> Validation:
    """Check everything (scenario, facts, replicates, seed); nothing runs or is written.

    Parameters
    ----------
    scenario
        Bundled name, file (e.g. a fitted overlay) or scenario.
    facts
        The facts file (:mod:`sim.experiment.validation.facts`).
    overrides
        ``--set`` overrides.
    replicates
        Replicates of the model and of the null model.
    seed
        Root seed (default: the scenario's).

    Returns
    -------
    Validation

    Raises
    ------
    ScenarioError, ExperimentError
        A bad scenario, facts file, replicate count or seed, or a scenario whose null model is
        invalid (one message, naming it).
    """
    resolved = resolve_scenario(scenario, overrides)
    checked, path = load_facts(facts)
    check_facts(checked, path, resolved)
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
        raise ExperimentError(f"--replicates {replicates}: must be a whole number of at least 1")
    try:  # the null model must be a valid scenario too, before anything runs
        scenario_with(resolved.model_dump(mode="json"), null_overrides())
    except EdusimError as exc:
        raise ExperimentError(f"the null model of scenario '{resolved.name}': {exc}") from None
    root = resolved.seed if seed is None else check_seed(seed)
    texts = tuple(f"{k}={v}" for k, v in parse_overrides(overrides)) if overrides else ()
    last = max(f.year for f in checked.facts)
    source = resolved.name if isinstance(scenario, Scenario) else str(scenario)
    return Validation(resolved, source, checked, path, replicates, root, texts,
                      last - resolved.start_year + 1)


def run_validation(
    plan: Validation,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationResult:
    """Run the model and the null model, replicate by replicate, and score every fact.

    Parameters
    ----------
    plan
        From :func:`plan_validation`.
    executor
        Where the runs go (default: one local worker per CPU).
    progress
        Called with (runs done, runs in all) after each run.

    Returns
    -------
    ValidationResult

    Raises
    ------
    RuntimeError
        A run failed (the message names it and its error).
    """
    start, started = time.perf_counter(), datetime.now(timezone.utc).isoformat(timespec="seconds")
    base = {**plan.scenario.model_dump(mode="json"), "years": plan.years}
    params = {"model": {}, "null": null_overrides()}
    tasks = [Task(run_id=f"{name}-r{k:02d}", point=i, replicate=k, seed=plan.seed,
                  params=params[name], scenario=base, label=name)
             for i, name in enumerate(MODELS) for k in range(plan.replicates)]
    counties: dict[str, list[pd.DataFrame]] = {name: [] for name in MODELS}
    executor = executor if executor is not None else make_executor()
    done = 0
    with executor:
        for outcome in executor.map(evaluate_calibration_run, tasks):
            if not outcome.ok:
                raise RuntimeError(f"run {outcome.task.run_id}: {outcome.error}")
            counties[outcome.task.label].append(outcome.value)
            done += 1
            if progress:
                progress(done, len(tasks))
    values = {name: fact_values(pd.concat(frames), plan.facts.facts)
              for name, frames in counties.items()}
    table = validation_table(values["model"], values["null"], plan.facts.facts)
    return ValidationResult(plan, table, values, len(tasks), time.perf_counter() - start,
                            started)


def check_validation_out(out: str | Path, force: bool = False) -> None:
    """Check, before running, that ``out`` may be written.

    New or empty, or an earlier validation replaced with ``force``.

    Raises
    ------
    EdusimError
        The folder is refused (``sim.experiment.folders.check_out_folder``).
    """
    check_out_folder(out, VALIDATION, force)


def write_validation(
    result: ValidationResult,
    out: str | Path,
    *,
    force: bool = False,
    figures: Callable[[Path], Any] | None = None,
    extras: Sequence[str] = (),
) -> Path:
    """Write the validation folder whole: table, report, manifest, figure.

    Parameters
    ----------
    result
        What the validation found.
    out
        New or empty, or an earlier validation replaced with ``force``.
    force
        Replace an earlier validation (only the files a validation writes).
    figures
        Called with the hidden folder to draw ``validation.png`` there.
    extras
        Further Markdown sections for the report.

    Returns
    -------
    pathlib.Path
        The folder.
    """
    out = Path(out)
    with staged_folder(out, VALIDATION, force) as folder:
        write_csv(folder / "validation.csv", result.table)
        write_json(folder / "validation.json", result.manifest())
        if figures is not None:
            figures(folder)
        figure = FIGURE_NAME if (folder / FIGURE_NAME).is_file() else None
        sections = [*calibration_sections(result.plan.facts, result.plan.facts_path), *extras]
        write_text(folder / "validation.md", validation_markdown(result, figure, sections))
    return out


__all__ = ["DEFAULT_REPLICATES", "MODELS", "Validation", "ValidationResult",
           "check_validation_out", "plan_validation", "run_validation", "write_validation"]

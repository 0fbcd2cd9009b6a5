"""What a calibration writes: the fitted overlay, the fit table, the projection (data only).

:func:`write_calibration` writes the run folder: ``<targets name>.toml`` (a scenario overlay
that ``extends`` the calibrated scenario and sets the fitted keys), ``fit_table.csv``,
``projection.csv`` (every series per year, mean and 95% interval, at the fitted values),
``evaluations.csv`` (every candidate and its objective) and ``calibration.json`` (targets,
scenario, seed, budget, settings, best objective, history: everything to rerun). The figure
of the fit is drawn by ``sim.viz.calibration`` (the CLI calls it after this).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from sim.experiment.calibration.search import Calibration, CalibrationResult, rerun_command
from sim.outputs import write_csv, write_json, write_text
from sim.scenario.keys import toml_value
from sim.version import package_version

#: Where runs are written unless told otherwise (below the working directory).
RUNS_DIR = Path("calibration") / "runs"
#: Suffix of the fitted scenario's name.
FITTED_SUFFIX = "_fitted"


def default_out(problem: Calibration) -> Path:
    """Name the default run folder of a problem.

    Parameters
    ----------
    problem
        From ``plan_calibration``.

    Returns
    -------
    pathlib.Path
        ``calibration/runs/<scenario name>-<targets name>``.
    """
    return RUNS_DIR / f"{problem.scenario.name}-{problem.targets.name}"


def _overlay_values(result: CalibrationResult) -> dict[str, Any]:
    """Collect the keys the overlay sets: the ``--set`` overrides, then the fitted values."""
    values: dict[str, Any] = {}
    for item in result.problem.overrides:
        key, _, text = item.partition("=")
        try:
            values[key.strip()] = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            values[key.strip()] = text.strip()
    values.update(result.params)
    return values


def _overlay_comments(result: CalibrationResult) -> list[str]:
    """Write the overlay's opening comments: date, method, budget, objective, rerun command."""
    p = result.problem
    worst = result.fit.loc[result.fit["relative_error"].abs().idxmax()]
    used = result.runs - p.report_replicates
    return [
        f"# Fitted by edusim {package_version()} on {result.started[:10]}: simulated method of "
        "moments against",
        f"# the targets '{p.targets.name}' ({len(p.targets.moments)} moments), differential "
        "evolution with a budget of",
        f"# {p.budget} model runs ({used} used, population {p.population}, "
        f"{len(result.history)} generations),",
        f"# {p.replicates} replicates per candidate with common random numbers (seed {p.seed}), "
        f"{result.seconds / 60:.1f} min.",
        f"# Objective (weighted mean squared relative error) {result.objective:.4g} over "
        f"{p.report_replicates} full-length",
        f"# replicates ({result.fit_objective:.4g} in the fit); largest relative error "
        f"{worst['relative_error']:+.1%}",
        f"# ({worst['moment']}). Fit table: {p.targets.name}_fit.csv.",
        f"# Rerun: {rerun_command(p)}",
    ]


def _overlay_description(result: CalibrationResult) -> str:
    p = result.problem
    fitted = ", ".join(f"{k} = {v}" for k, v in result.params.items())
    return (f"{p.scenario.description.strip().splitlines()[0]} Parameters fitted to the targets "
            f"'{p.targets.name}': {fitted}.")


def overlay_text(result: CalibrationResult, folder: Path) -> str:
    """Write the fitted scenario overlay as TOML text.

    Parameters
    ----------
    result
        What the calibration found.
    folder
        Where the overlay will be written: a scenario given as a file is extended by its path
        relative to this folder.

    Returns
    -------
    str
        The overlay: comments with date, objective and budget; ``name``, ``extends`` the
        calibrated scenario, ``description``; then the ``--set`` overrides and the fitted keys,
        one table per block.

    Raises
    ------
    tomllib.TOMLDecodeError
        The text is not valid TOML (a bug: nothing is written then).
    """
    p = result.problem
    source = p.source
    if Path(source).is_file():
        source = os.path.relpath(Path(source).resolve(), folder.resolve())
    lines = _overlay_comments(result) + [
        f"name = {toml_value(p.scenario.name + FITTED_SUFFIX)}",
        f"extends = {toml_value(source)}",
        f"description = {toml_value(_overlay_description(result))}",
        "",
    ]
    tables: dict[str, list[str]] = {}
    for key, value in _overlay_values(result).items():
        head, _, leaf = key.rpartition(".")
        tables.setdefault(head, []).append(f"{leaf} = {toml_value(value)}")
    for head, items in tables.items():
        if head:
            lines.append(f"[{head}]")
        lines += items + [""]
    text = "\n".join(lines)
    tomllib.loads(text)  # a malformed overlay is a bug: fail before writing
    return text


def write_calibration(result: CalibrationResult, out: str | Path,
                      fitted_dir: str | Path | None = None) -> Path:
    """Write the run folder (see the module docstring), every file atomically.

    Parameters
    ----------
    result
        What the calibration found.
    out
        The run folder (created if needed).
    fitted_dir
        When given, also ``<fitted_dir>/<targets>.toml`` and ``<targets>_fit.csv``.

    Returns
    -------
    pathlib.Path
        The run folder.
    """
    out = Path(out)
    name = result.problem.targets.name
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / f"{name}.toml", overlay_text(result, out))
    write_csv(out / "fit_table.csv", result.fit)
    write_csv(out / "projection.csv", result.projection)
    write_csv(out / "evaluations.csv", result.evaluations)
    write_json(out / "calibration.json", result.manifest())
    if fitted_dir is not None:
        fitted = Path(fitted_dir)
        fitted.mkdir(parents=True, exist_ok=True)
        write_text(fitted / f"{name}.toml", overlay_text(result, fitted))
        write_csv(fitted / f"{name}_fit.csv", result.fit)
    return out


__all__ = ["default_out", "overlay_text", "write_calibration"]

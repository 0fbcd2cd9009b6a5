"""What a calibration writes: the fitted overlay, the fit table, the projection (data only).

:func:`write_calibration` writes the run folder: ``<targets name>.toml`` (a scenario overlay
that ``extends`` the calibrated scenario and sets the fitted keys), ``fit_table.csv``,
``projection.csv`` (every series per year, mean and 95% interval, at the fitted values),
``evaluations.csv`` (every candidate and its objective), ``parameters.csv`` (each fitted value
with its interval over the near-optimal candidates, ``intervals.parameter_table``) and
``calibration.json`` (targets,
scenario, seed, budget, settings, best objective, history: everything to rerun). The figure
of the fit is drawn by ``sim.viz.calibration`` (the CLI calls it after this).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Callable

from sim.errors import EdusimError
from sim.experiment.calibration.intervals import parameter_table
from sim.experiment.calibration.search import Calibration, CalibrationResult, rerun_command
from sim.experiment.folders import CALIBRATION, check_out_folder, staged_folder
from sim.outputs import atomic_write, check_writable_out, write_csv, write_json, write_text
from sim.scenario.keys import toml_value
from sim.version import package_version

#: Where runs are written unless told otherwise (below the working directory).
RUNS_DIR = Path("calibration") / "runs"
#: Suffix of the fitted scenario's name.
FITTED_SUFFIX = "_fitted"
#: The first words of every overlay edusim writes (how an earlier one is recognised).
OVERLAY_HEADER = "# Fitted by edusim"
#: The fit figure in the run folder (drawn by ``sim.viz.calibration``) and its suffix beside
#: the fitted overlay (``<targets>_fit.png``).
FIT_FIGURE_NAME = "fit.png"
FIT_FIGURE = "_fit.png"
#: The parameter table in the run folder and its suffix beside the fitted overlay.
PARAMETERS_NAME = "parameters.csv"
PARAMETERS_SUFFIX = "_parameters.csv"


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
        f"{OVERLAY_HEADER} {package_version()} on {result.started[:10]}: simulated method of "
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


def check_calibration_out(
    out: str | Path, targets_name: str, fitted_dir: str | Path | None = None, force: bool = False
) -> None:
    """Check, before fitting, that the run folder and the fitted overlay's files may be written.

    The run folder follows the rule of :mod:`sim.experiment.folders` (new or empty, or an
    earlier calibration replaced only with ``force``). In ``fitted_dir`` only
    ``<targets>.toml``, ``<targets>_fit.csv``, ``<targets>_fit.png`` and
    ``<targets>_parameters.csv`` are written: existing
    ones are replaced only with ``force``, and a ``<targets>.toml`` that is not an overlay edusim
    wrote is never replaced.

    Parameters
    ----------
    out
        The run folder.
    targets_name
        The targets' name (the overlay's file stem).
    fitted_dir
        The folder of fitted overlays, or None when none is written.
    force
        Replace an earlier calibration and an earlier fitted overlay of these targets.

    Raises
    ------
    EdusimError
        A folder is refused or cannot be written; the message names it and why.
    """
    check_out_folder(out, CALIBRATION, force)
    if fitted_dir is None:
        return
    fitted = Path(fitted_dir)
    check_writable_out(fitted, option="--fitted-dir")
    overlay = fitted / f"{targets_name}.toml"
    if overlay.is_file() and not _is_fitted_overlay(overlay):
        raise EdusimError(
            f"--fitted-dir {fitted}: {overlay.name} exists and is not an overlay edusim "
            "calibrate wrote; it is never replaced: choose another --fitted-dir or move it"
        )
    present = [p.name for p in _fitted_files(fitted, targets_name) if p.exists()]
    if present and not force:
        raise EdusimError(
            f"--fitted-dir {fitted}: holds an earlier fit of '{targets_name}' "
            f"({', '.join(present)}); replace it with --force, or use --no-write-overlay"
        )


def _fitted_files(fitted: Path, name: str) -> tuple[Path, Path, Path, Path]:
    """The overlay, fit table, figure and parameter table a calibration writes beside them."""
    return (fitted / f"{name}.toml", fitted / f"{name}_fit.csv", fitted / f"{name}{FIT_FIGURE}",
            fitted / f"{name}{PARAMETERS_SUFFIX}")


def result_parameters(result: CalibrationResult):  # noqa: ANN201 - pandas.DataFrame
    """Tabulate the fitted parameters with their intervals (``intervals.parameter_table``)."""
    notes = {p.key: p.note for p in result.problem.targets.parameters}
    return parameter_table(result.evaluations, result.problem.specs, result.params, notes)


def _is_fitted_overlay(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline().startswith(OVERLAY_HEADER)
    except (OSError, UnicodeDecodeError):
        return False


def write_calibration(
    result: CalibrationResult,
    out: str | Path,
    fitted_dir: str | Path | None = None,
    *,
    force: bool = False,
    figures: Callable[[Path], Any] | None = None,
) -> Path:
    """Write the run folder (see the module docstring) whole, then the fitted overlay.

    The run folder is written to a hidden folder beside ``out`` and renamed into place when
    complete (:func:`sim.experiment.folders.staged_folder`); then, when ``fitted_dir`` is
    given, ``<fitted_dir>/<targets>.toml``, ``<targets>_fit.csv``, ``<targets>_parameters.csv``
    and (when the run folder has ``fit.png``) ``<targets>_fit.png``, each atomically.

    Parameters
    ----------
    result
        What the calibration found.
    out
        The run folder: new or empty, or an earlier calibration replaced with ``force``.
    fitted_dir
        When given, the folder of fitted overlays.
    force
        Replace an earlier calibration in ``out`` and an earlier fit of these targets in
        ``fitted_dir`` (only the files a calibration writes).
    figures
        Called with the hidden run folder once the data are in it, to draw ``fit.png`` there
        (``sim.viz.calibration.write_calibration_figures``).

    Returns
    -------
    pathlib.Path
        The run folder.

    Raises
    ------
    EdusimError
        A folder is refused or cannot be written (:func:`check_calibration_out`).
    """
    out = Path(out)
    name = result.problem.targets.name
    check_calibration_out(out, name, fitted_dir, force)
    with staged_folder(out, CALIBRATION, force) as folder:
        write_text(folder / f"{name}.toml", overlay_text(result, out))
        write_csv(folder / "fit_table.csv", result.fit)
        write_csv(folder / "projection.csv", result.projection)
        write_csv(folder / "evaluations.csv", result.evaluations)
        write_csv(folder / PARAMETERS_NAME, result_parameters(result))
        write_json(folder / "calibration.json", result.manifest())
        if figures is not None:
            figures(folder)
    if fitted_dir is not None:
        overlay, table, figure, parameters = _fitted_files(Path(fitted_dir), name)
        write_text(overlay, overlay_text(result, overlay.parent))
        write_csv(table, result.fit)
        write_csv(parameters, result_parameters(result))
        if (out / FIT_FIGURE_NAME).is_file():
            data = (out / FIT_FIGURE_NAME).read_bytes()
            atomic_write(figure, lambda p: p.write_bytes(data))
    return out


__all__ = ["check_calibration_out", "default_out", "overlay_text", "result_parameters",
           "write_calibration"]

"""CLI verb ``calibrate``: the simulated method of moments.

One call into ``sim.experiment.calibration`` for the data, then ``sim.viz.calibration`` for the
figure, as ``edusim run`` draws a run's figures after the run.
"""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli.app import app, console, user_errors
from sim.cli.experiment import _print_frame, run_with_bar, say, where_runs

#: ``edusim calibrate --help``: one paragraph per line, as the terminal wraps it.
CALIBRATE_HELP = (
    "Fit scenario parameters to observed moments by differential evolution.\n\n"
    "Writes OUT/<targets>.toml (a scenario overlay with the fitted values), fit_table.csv, "
    "fit.png, projection.csv, evaluations.csv, parameters.csv (each fitted value with its "
    "interval over the near-optimal candidates) and calibration.json; with --write-overlay also "
    "FITTED_DIR/<targets>.toml, <targets>_fit.csv, <targets>_fit.png and "
    "<targets>_parameters.csv. --out must be new or "
    "empty, or hold an earlier calibration, replaced (like an earlier fit in FITTED_DIR) only "
    "with --force. Exit status 2, before any run, on a bad scenario, targets file or option or "
    "a refused or unwritable folder (nothing written), 1 when the runs fail."
)
OUT_HELP = (
    "Output folder (default calibration/runs/<scenario>-<targets>): new or empty, or an earlier "
    "calibration (replaced only with --force)."
)
FORCE_HELP = (
    "Replace an earlier calibration in --out and an earlier fit of these targets in "
    "--fitted-dir (only the files calibrate writes)."
)


@app.command("calibrate", help=CALIBRATE_HELP)
def calibrate_command(
    scenario: str = typer.Argument(..., help="Scenario to calibrate (bundled name or file)."),
    targets: Path = typer.Option(
        ..., "--targets", help="Targets file (TOML): moments and parameters with bounds."),
    budget: int = typer.Option(
        3000, "--budget",
        help="Model runs the optimiser may use (population × generations × replicates)."),
    replicates: int = typer.Option(
        2, "--replicates", "-r", help="Replicates per candidate (common random numbers)."),
    report_replicates: int = typer.Option(
        10, "--report-replicates",
        help="Full-length replicates at the fitted values for the fit table."),
    seed: int | None = typer.Option(
        None, "--seed",
        help="Root seed of the runs and the optimiser (default: the scenario's)."),
    set_: list[str] = typer.Option(
        [], "--set", help="Override a key before fitting: dotted.key=value (repeatable)."),
    workers: int | None = typer.Option(
        None, "--workers",
        help="Worker processes (default: one per CPU; 0 = in this process)."),
    scheduler: str | None = typer.Option(
        None, "--scheduler",
        help="Dask scheduler address, e.g. tcp://host:8786 (needs the edusim\\[cluster] extra)."),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
    write_overlay: bool = typer.Option(
        True, "--write-overlay/--no-write-overlay",
        help="Also write the fitted overlay, fit table and figure to --fitted-dir."),
    fitted_dir: Path = typer.Option(
        Path("calibration/fitted"), "--fitted-dir",
        help="Folder of fitted overlays (with --write-overlay)."),
) -> None:
    """Fit scenario parameters to observed moments (the help text is CALIBRATE_HELP)."""
    from sim.experiment.calibration import (
        check_calibration_out,
        default_out,
        plan_calibration,
        write_calibration,
    )
    from sim.experiment.executors import make_executor
    from sim.experiment.locks import FolderLock, lock_beside
    from sim.viz.calibration import write_calibration_figures

    overlay_dir = fitted_dir if write_overlay else None
    with user_errors():
        executor = make_executor(workers, scheduler)
        problem = plan_calibration(
            scenario, targets, overrides=set_, budget=budget, replicates=replicates, seed=seed,
            report_replicates=report_replicates,
        )
        folder = out if out is not None else default_out(problem)
        check_calibration_out(folder, problem.targets.name, overlay_dir, force)
        console.print(_plan_line(problem, where_runs(workers, scheduler), folder), highlight=False)
        with FolderLock(lock_beside(folder), folder, "calibrate") as lock:
            if lock.took_over:
                say(lock.took_over)
            result = _run(problem, executor)
            write_calibration(
                result, folder, overlay_dir, force=force,
                figures=lambda staged: write_calibration_figures(result, staged),
            )
    _print_fit(result)
    wrote = f" and {fitted_dir / (problem.targets.name + '.toml')}" if write_overlay else ""
    console.print(f"wrote {folder}{wrote}", highlight=False)


def _plan_line(problem, where: str, folder: Path) -> str:  # noqa: ANN001 - Calibration
    """Say in one line what will run, how many runs, where, and where the results go."""
    generations = problem.maxiter + 1
    runs = problem.population * generations * problem.replicates
    return (
        f"calibrate {problem.scenario.name} to {problem.targets.name}: {len(problem.specs)} "
        f"parameters, {len(problem.targets.moments)} moments; population {problem.population}, "
        f"up to {generations} generations × {problem.replicates} replicates = {runs} runs "
        f"of {problem.fit_years} years, then {problem.report_replicates} of "
        f"{problem.scenario.years}; on {where} → {folder}"
    )


def _run(problem, executor):  # noqa: ANN001, ANN202 - Calibration, Executor
    """Run the calibration with a progress bar (``run_with_bar``: Ctrl-C 130, failure 1)."""
    from sim.experiment.calibration import run_calibration

    def work(progress):  # noqa: ANN001, ANN202
        with executor:
            return run_calibration(problem, executor=executor, progress=progress)

    return run_with_bar("calibrate", work)


def _print_fit(result) -> None:
    """Print the fit table (observed, simulated with interval, error) and the fitted values."""
    fit = result.fit
    observed = [f"{lo:.3f}-{hi:.3f}" if hi > lo else (f"{v:+.3f}" if k.startswith("change")
                                                      else f"{v:.3f}")
                for v, lo, hi, k in zip(fit["observed"], fit["observed_low"],
                                        fit["observed_high"], fit["kind"])]
    simulated = [f"{m:.3f} [{lo:.3f}, {hi:.3f}]"
                 for m, lo, hi in zip(fit["simulated"], fit["lo"], fit["hi"])]
    error = [f"{e:+.3f} ({r:+.0%})" for e, r in zip(fit["error"], fit["relative_error"])]
    table = fit.assign(observed=observed, simulated=simulated, error=error)
    title = (f"fit: simulated mean [95% interval] over {result.problem.report_replicates} "
             "replicates; error (relative)")
    _print_frame(table[["moment", "kind", "observed", "simulated", "error"]], title=title)
    from sim.experiment.calibration import result_parameters

    params = result_parameters(result)
    _print_frame(params[["key", "fitted", "interval_low", "interval_high", "near_optimal"]],
                 title="fitted values, interval over the near-optimal candidates")
    fitted = ", ".join(f"{k} = {v}" for k, v in result.params.items())
    console.print(
        f"fitted {fitted}; objective {result.objective:.4g} ({result.runs} runs, "
        f"{result.failed_runs} failed, {result.seconds / 60:.1f} min)",
        highlight=False,
    )

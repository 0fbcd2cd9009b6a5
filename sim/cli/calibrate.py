"""CLI verb ``calibrate``: the simulated method of moments (one call into ``sim.experiment.calibration``)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from sim.cli.app import app, console, err_console, user_errors
from sim.cli.experiment import INTERRUPTED, RUN_FAILED, _bar, _print_frame


@app.command("calibrate")
def calibrate_command(
    scenario: str = typer.Argument(..., help="Scenario to calibrate (bundled name or file)."),
    targets: Path = typer.Option(..., "--targets", help="Targets file (TOML): moments and parameters with bounds."),
    budget: int = typer.Option(600, "--budget", help="Model runs the optimiser may use (population × generations × replicates)."),
    replicates: int = typer.Option(2, "--replicates", "-r", help="Replicates per candidate (common random numbers)."),
    report_replicates: int = typer.Option(10, "--report-replicates", help="Full-length replicates at the fitted values for the fit table."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed of the runs and the optimiser (default: the scenario's)."),
    set_: list[str] = typer.Option([], "--set", help="Override a key before fitting: dotted.key=value (repeatable)."),
    workers: int | None = typer.Option(None, "--workers", help="Worker processes (default: one per CPU; 0 = in this process)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (needs the edusim\\[cluster] extra)."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default calibration/runs/<scenario>-<targets>)."),
    write_overlay: bool = typer.Option(True, "--write-overlay/--no-write-overlay", help="Also write the fitted overlay, fit table and figure to --fitted-dir."),
    fitted_dir: Path = typer.Option(Path("calibration/fitted"), "--fitted-dir", help="Folder of fitted overlays (with --write-overlay)."),
) -> None:
    """Fit scenario parameters to observed moments by differential evolution.

    Writes OUT/<targets>.toml (a scenario overlay with the fitted values), fit_table.csv, fit.png, projection.csv, evaluations.csv and calibration.json; with --write-overlay also FITTED_DIR/<targets>.toml, <targets>_fit.csv and <targets>_fit.png. Exit status 2 on a bad scenario, targets file or option (nothing written), 1 when the runs fail.
    """
    from sim.experiment.calibration import default_out, plan_calibration, run_calibration, write_calibration
    from sim.experiment.executors import make_executor

    with user_errors():
        problem = plan_calibration(
            scenario, targets, overrides=set_, budget=budget, replicates=replicates, seed=seed,
            report_replicates=report_replicates,
        )
        folder = out if out is not None else default_out(problem)
        where = f"Dask at {scheduler}" if scheduler else ("this process" if workers == 0 else f"{workers or os.cpu_count()} workers")
        console.print(
            f"calibrate {problem.scenario.name} to {problem.targets.name}: {len(problem.specs)} parameters, "
            f"{len(problem.targets.moments)} moments; population {problem.population}, up to {problem.maxiter + 1} "
            f"generations × {replicates} replicates = {problem.population * (problem.maxiter + 1) * replicates} runs "
            f"of {problem.fit_years} years, then {report_replicates} of {problem.scenario.years}; on {where} → {folder}",
            highlight=False,
        )
        try:
            with make_executor(workers, scheduler) as executor, _bar("calibrate") as bar:
                result = run_calibration(problem, executor=executor, progress=lambda done, total: bar.update(done, total))
        except KeyboardInterrupt:
            err_console.print("interrupted: nothing written", highlight=False)
            raise typer.Exit(INTERRUPTED) from None
        except RuntimeError as exc:
            err_console.print(f"[bold red]run failed:[/] {exc}", highlight=False)
            raise typer.Exit(RUN_FAILED) from None
    write_calibration(result, folder, fitted_dir if write_overlay else None)
    fit = result.fit
    table = fit.assign(
        observed=[f"{v:+.3f}" if k.startswith("change") else f"{v:.3f}" for v, k in zip(fit["observed"], fit["kind"])],
        simulated=[f"{m:.3f} [{lo:.3f}, {hi:.3f}]" for m, lo, hi in zip(fit["simulated"], fit["lo"], fit["hi"])],
        error=[f"{e:+.3f} ({r:+.0%})" for e, r in zip(fit["error"], fit["relative_error"])],
    )[["moment", "kind", "observed", "simulated", "error"]]
    _print_frame(table, title=f"fit: simulated mean [95% interval] over {report_replicates} replicates; error (relative)")
    fitted = ", ".join(f"{k} = {v}" for k, v in result.params.items())
    console.print(
        f"fitted {fitted}; objective {result.objective:.4g} ({result.runs} runs, {result.failed_runs} failed, "
        f"{result.seconds / 60:.1f} min)",
        highlight=False,
    )
    console.print(f"wrote {folder}" + (f" and {fitted_dir / (problem.targets.name + '.toml')}" if write_overlay else ""),
                  highlight=False)

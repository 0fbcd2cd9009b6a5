"""CLI verbs for experiments: compare, sweep, analyze (each one call into ``sim.experiment``)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from sim.cli.app import app, console, err_console, user_errors

RUN_FAILED = 1
INTERRUPTED = 130


@app.command("compare")
def compare_command(
    scenarios: list[str] = typer.Argument(..., help="Scenarios to compare (bundled names or files); the first is the reference."),
    replicates: int = typer.Option(10, "--replicates", "-r", help="Replicates per scenario (common random numbers)."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed shared by all scenarios (default: the first scenario's)."),
    set_: list[str] = typer.Option([], "--set", help="Override a key in every scenario: dotted.key=value (repeatable)."),
    workers: int | None = typer.Option(None, "--workers", help="Worker processes (default: one per CPU; 0 = in this process)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."),
    out: Path | None = typer.Option(None, "--out", help="Output folder (default outputs/compare-<names>)."),
) -> None:
    """Run scenarios side by side over replicates with common random numbers.

    Writes county_long.parquet/.csv, summary.csv, summary_wide.csv, frontier.csv and manifest.json, and prints final-year and cumulative metrics with 95% intervals and the paired difference from the first scenario.
    """
    from sim.experiment.compare import compare, default_out, write_comparison

    with user_errors(), _bar("runs") as bar:

        def progress(done: int, total: int) -> None:
            bar.update(done, total)

        try:
            result = compare(
                scenarios, overrides=set_, replicates=replicates, seed=seed, workers=workers, scheduler=scheduler, progress=progress
            )
        except RuntimeError as exc:
            err_console.print(f"[bold red]run failed:[/] {exc}", highlight=False)
            raise typer.Exit(RUN_FAILED) from None
    folder = write_comparison(result, out if out is not None else default_out(scenarios))
    from sim.viz.figures import write_compare_figures

    write_compare_figures(folder)
    _print_frame(
        result.side_by_side(),
        title=f"{len(result.labels)} scenarios × {replicates} replicates (seed {result.manifest['seed']}); "
        "final year or cumulative; mean [95% interval]; Δ = paired difference from "
        f"{result.labels[0]}",
    )
    console.print(f"wrote {folder}", highlight=False)


@app.command("sweep")
def sweep_command(
    scenario: str = typer.Argument(..., help="Scenario to sweep (bundled name or file)."),
    vary: list[str] = typer.Option([], "--vary", help="KEY=LOW:HIGH (range) or KEY=a,b,c (list); repeatable."),
    design: str = typer.Option("lhs", "--design", help="grid, lhs (Latin hypercube) or sobol (Saltelli)."),
    samples: int | None = typer.Option(
        None, "--samples", help="grid: levels per range (3); lhs: points (32); sobol: base N, N·(D+2) points (16)."
    ),
    replicates: int = typer.Option(1, "--replicates", "-r", help="Replicates per design point (common random numbers)."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed (default: the scenario's)."),
    set_: list[str] = typer.Option([], "--set", help="Override a key before varying: dotted.key=value (repeatable)."),
    workers: int | None = typer.Option(None, "--workers", help="Worker processes (default: one per CPU; 0 = in this process)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 (needs the edusim\\[cluster] extra)."),
    out: Path | None = typer.Option(None, "--out", help="Sweep folder (default outputs/sweep-<scenario name>)."),
    resume: bool = typer.Option(False, "--resume", help="Continue the sweep in --out: skip finished runs, retry failed ones."),
) -> None:
    """Run a parameter sweep; each run is written as soon as it finishes (resumable).

    Writes sweep.json, design.parquet, runs/county/<run_id>.parquet, runs/schools/<run_id>.parquet and failed/<run_id>.json. Exit status 1 when some runs failed (rerun with --resume to retry them).
    """
    from sim.experiment.executors import make_executor
    from sim.experiment.sweep import execute_sweep, plan_sweep

    with user_errors():
        plan = plan_sweep(
            scenario, vary, overrides=set_, design=design, samples=samples, replicates=replicates, seed=seed, out=out, resume=resume
        )
        where = f"Dask at {scheduler}" if scheduler else ("this process" if workers == 0 else f"{workers or os.cpu_count()} workers")
        points = plan.spec["points"]
        console.print(
            f"sweep {plan.spec['design']}: {len(plan.runs)} runs ({points} points × {replicates} replicates) "
            f"on {where} → {plan.out}" + (" (resuming)" if plan.resume else ""),
            highlight=False,
        )
        try:
            with make_executor(workers, scheduler) as executor, _bar("sweep") as bar:

                def progress(state) -> None:  # noqa: ANN001 - SweepProgress
                    bar.update(state.completed, state.total, state.failed)

                summary = execute_sweep(plan, executor=executor, progress=progress)
        except KeyboardInterrupt:
            err_console.print(
                f"interrupted: finished runs are kept in {plan.out}; continue with the same command and --resume",
                highlight=False,
            )
            raise typer.Exit(INTERRUPTED) from None
    console.print(
        f"{summary.done} runs done, {summary.failed} failed, {summary.skipped} already finished, "
        f"in {summary.seconds:.1f} s → {summary.out}",
        highlight=False,
    )
    if summary.failed:
        from sim.experiment.storage import SweepStore

        failures = SweepStore(summary.out).read_failures().head(5)
        for row in failures.itertuples():
            err_console.print(f"  {row.run_id}: {row.error}", highlight=False, markup=False)
        err_console.print(
            f"{summary.failed} runs failed (details in {summary.out / 'failed'}); rerun with --resume to retry them",
            highlight=False,
        )
        raise typer.Exit(RUN_FAILED)


@app.command("analyze")
def analyze_command(
    sweep_dir: Path = typer.Argument(..., help="A sweep folder."),
    output: list[str] = typer.Option([], "--output", help="Output for Sobol indices, e.g. hollow_share (repeatable)."),
    within_years: int | None = typer.Option(None, "--within-years", help="Hollow-risk horizon in years (default: all years)."),
) -> None:
    """Analyse a sweep: per-run table, Sobol indices, hollow risk of each school.

    Writes SWEEP_DIR/analysis/: runs.parquet/.csv (inputs, status, final-year and cumulative outputs per run), sobol.csv (Sobol designs), hollow_risk.parquet/.csv (per design point and school, across replicates), hollow_risk_by_school.csv and analysis.json.
    """
    from sim.experiment.analysis import analyze, write_analysis

    with user_errors():
        result = analyze(sweep_dir, outputs=output or None, within_years=within_years)
    folder = write_analysis(result, sweep_dir)
    if (result.runs["status"] == "ok").any():
        from sim.viz.figures import write_sweep_figures

        write_sweep_figures(sweep_dir)
    counts = result.runs["status"].value_counts()
    console.print(
        f"{len(result.runs)} runs: {counts.get('ok', 0)} ok, {counts.get('failed', 0)} failed, {counts.get('missing', 0)} missing",
        highlight=False,
    )
    if result.sobol is not None and len(result.sobol):
        frame = result.sobol.assign(
            S1=[f"{s:.3f} ± {c:.3f}" for s, c in zip(result.sobol["S1"], result.sobol["S1_conf"])],
            ST=[f"{s:.3f} ± {c:.3f}" for s, c in zip(result.sobol["ST"], result.sobol["ST_conf"])],
        )[["output", "parameter", "S1", "ST"]]
        _print_frame(frame, title="Sobol indices (first order S1, total ST; ± 95% bootstrap)")
    if result.hollow_risk is not None and len(result.hollow_risk):
        from sim.experiment.analysis import risk_by_school

        top = risk_by_school(result.hollow_risk).head(10).round(3)
        _print_frame(top, title="schools with the highest hollow risk (share of replicates hollow; mean over design points)")
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)
    console.print(f"wrote {folder}", highlight=False)


class _bar:
    """A rich progress bar on stderr (runs done, failed, elapsed, time left), shown from its
    first update, so an error raised before any run prints no empty bar."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.progress: Progress | None = None
        self.task = None

    def __enter__(self) -> "_bar":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def update(self, completed: int, total: int, failed: int = 0) -> None:
        """Show ``completed`` of ``total`` (the first call's count, e.g. runs already finished
        on resume, does not count towards the speed behind the time-left estimate)."""
        if self.progress is None:
            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[red]{task.fields[failed]} failed"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=err_console,
            )
            self.progress.__enter__()
            self.task = self.progress.add_task(self.label, total=total, completed=completed, failed=failed)
        else:
            self.progress.update(self.task, total=total, completed=completed, failed=failed)


def _print_frame(frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title, box=None, header_style="bold", title_justify="left")
    for i, column in enumerate(frame.columns):
        # the first two columns name the row: never wrapped or cut
        width = max([len(str(column)), *(len(str(v)) for v in frame[column])]) if i < 2 else None
        table.add_column(str(column), no_wrap=i < 2, min_width=width)
    for row in frame.itertuples(index=False):
        table.add_row(*[str(v) for v in row])
    console.print(table)

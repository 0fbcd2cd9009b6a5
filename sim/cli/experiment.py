"""CLI verbs for experiments: compare, sweep, analyze (each one call into ``sim.experiment``).

Every check is made before anything is computed: the scenario and options, and the output
folder (``sim.experiment.folders``: new or empty, or an earlier folder of the same kind, which
compare replaces only with --force and sweep continues only with --resume; writable). While a
verb computes for a folder it holds the folder's lock (``sim.experiment.locks``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sim.cli.app import app, console, err_console, user_errors

RUN_FAILED = 1
INTERRUPTED = 130
#: Failed runs whose error ``edusim sweep`` prints (all are in FOLDER/failed/).
SHOWN_FAILURES = 5
#: Schools listed by ``edusim analyze`` (highest hollow risk first).
SHOWN_SCHOOLS = 10
#: Decimals of the hollow risks ``edusim analyze`` prints.
RISK_DECIMALS = 3

COMPARE_OUT_HELP = (
    "Output folder (default outputs/compare-<names>). It must be new or empty, or hold an "
    "earlier comparison, which is replaced only with --force; any other folder is refused."
)
SWEEP_OUT_HELP = (
    "Sweep folder (default outputs/sweep-<scenario name>). It must be new or empty, or hold "
    "this sweep (with --resume); any other folder is refused."
)
FORCE_HELP = (
    "Replace the earlier comparison in --out: only what compare writes is removed; other "
    "files are never touched."
)


def where_runs(workers: int | None, scheduler: str | None) -> str:
    """Say where runs execute: Dask at an address, this process, or N local workers.

    Parameters
    ----------
    workers
        ``--workers`` (None: one per CPU; 0: this process).
    scheduler
        ``--scheduler`` (None: local).

    Returns
    -------
    str
        E.g. ``2 workers``.
    """
    if scheduler is not None:
        return f"Dask at {scheduler}"
    return "this process" if workers == 0 else f"{workers or os.cpu_count()} workers"


def say(message: str) -> None:
    """Print a note to stderr (e.g. a stale lock taken over)."""
    err_console.print(f"note: {escape(message)}", highlight=False)


@app.command("compare")
def compare_command(
    scenarios: list[str] = typer.Argument(
        ..., help="Scenarios to compare (bundled names or files); the first is the reference."
    ),
    replicates: int = typer.Option(
        10, "--replicates", "-r", help="Replicates per scenario (common random numbers)."
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Root seed shared by all scenarios (default: the first scenario's)."
    ),
    set_: list[str] = typer.Option(
        [], "--set", help="Override a key in every scenario: dotted.key=value (repeatable)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Worker processes (default: one per CPU; 0 = in this process)."
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786."
    ),
    out: Path | None = typer.Option(None, "--out", help=COMPARE_OUT_HELP),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
) -> None:
    """Run scenarios side by side over replicates with common random numbers.

    Writes county_long.parquet/.csv, summary.csv, summary_wide.csv, frontier.csv,
    manifest.json and figures/, and prints final-year and cumulative metrics with 95%
    intervals and the paired difference from the first scenario. Exit status 2, before
    anything runs, on a bad scenario or option or an --out that is refused or unwritable.
    """
    from sim.experiment.compare import compare, default_out, write_comparison
    from sim.experiment.folders import COMPARISON, check_out_folder
    from sim.experiment.locks import FolderLock, lock_beside
    from sim.viz.figures import write_compare_figures

    with user_errors():
        target = out if out is not None else default_out(scenarios)
        check_out_folder(target, COMPARISON, force)
        with FolderLock(lock_beside(target), target, "compare") as lock, _bar("runs") as bar:
            if lock.took_over:
                say(lock.took_over)
            try:
                result = compare(
                    scenarios, overrides=set_, replicates=replicates, seed=seed,
                    workers=workers, scheduler=scheduler, progress=bar.update,
                )
            except RuntimeError as exc:
                err_console.print(f"[bold red]run failed:[/] {escape(str(exc))}")
                raise typer.Exit(RUN_FAILED) from None
            folder = write_comparison(result, target, force=force, figures=write_compare_figures)
    _print_frame(
        result.side_by_side(),
        title=f"{len(result.labels)} scenarios × {replicates} replicates (seed "
        f"{result.manifest['seed']}); final year or cumulative; mean [95% interval]; "
        f"Δ = paired difference from {result.labels[0]}",
    )
    console.print(f"wrote {folder}", highlight=False)


@app.command("sweep")
def sweep_command(
    scenario: str = typer.Argument(..., help="Scenario to sweep (bundled name or file)."),
    vary: list[str] = typer.Option(
        [], "--vary", help="KEY=LOW:HIGH (range) or KEY=a,b,c (list); repeatable."
    ),
    design: str = typer.Option(
        "lhs", "--design",
        help="grid, lhs (Latin hypercube), sobol (Saltelli) or morris (screening)."
    ),
    samples: int | None = typer.Option(
        None,
        "--samples",
        help="grid: levels per range (3); lhs: points (32); sobol: base N, N·(D+2) points (16); "
        "morris: trajectories, N·(D+1) points (10).",
    ),
    replicates: int = typer.Option(
        1, "--replicates", "-r", help="Replicates per design point (common random numbers)."
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Root seed, 0 to 2**63 - 1 (default: the scenario's)."
    ),
    set_: list[str] = typer.Option(
        [], "--set", help="Override a key before varying: dotted.key=value (repeatable)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Worker processes (default: one per CPU; 0 = in this process)."
    ),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://host:8786 (needs the edusim\\[cluster] extra).",
    ),
    out: Path | None = typer.Option(None, "--out", help=SWEEP_OUT_HELP),
    resume: bool = typer.Option(
        False,
        "--resume",
        help="Continue the sweep in --out: skip finished runs, retry failed ones.",
    ),
) -> None:
    """Run a parameter sweep; each run is written as soon as it finishes (resumable).

    Writes sweep.json, design.parquet, runs/county/<run_id>.parquet,
    runs/schools/<run_id>.parquet and failed/<run_id>.json. A range over a key of whole
    numbers draws whole numbers (the plan says so). Exit status 2, before any run, on a bad
    scenario or option, a refused or unwritable --out, or a folder another sweep is using; 1
    when some runs failed (rerun with --resume to retry them).
    """
    from sim.experiment.executors import make_executor
    from sim.experiment.sweep import execute_sweep, plan_sweep

    with user_errors():
        executor = make_executor(workers, scheduler)
        plan = plan_sweep(
            scenario, vary, overrides=set_, design=design, samples=samples,
            replicates=replicates, seed=seed, out=out, resume=resume,
        )
        console.print(_plan_line(plan, replicates, where_runs(workers, scheduler)), highlight=False)
        for note in plan.spec.get("notes", []):
            console.print(f"  {note}", highlight=False)
        summary = _resumable(
            "sweep", "runs", plan.out,
            lambda progress: execute_sweep(plan, executor=executor, notify=say,
                                           progress=progress),
        )
    console.print(
        f"{summary.done} runs done, {summary.failed} failed, {summary.skipped} already finished, "
        f"in {summary.seconds:.1f} s → {summary.out}",
        highlight=False,
    )
    if summary.failed:
        _report_failures(summary)


def _resumable(label: str, things: str, out: Path, work):  # noqa: ANN001, ANN202
    """Run ``work(progress)`` (a sweep's runs) under a bar; on Ctrl-C say what is kept, exit 130.

    ``progress`` takes a ``SweepProgress``; ``things`` names what finishes ("runs", "counties").
    """
    try:
        with _bar(label) as bar:
            return work(lambda s: bar.update(s.completed, s.total, s.failed))
    except KeyboardInterrupt:
        err_console.print(
            f"interrupted: finished {things} are kept in {out}; continue with the same command "
            "and --resume",
            highlight=False,
        )
        raise typer.Exit(INTERRUPTED) from None


def _plan_line(plan, replicates: int, where: str) -> str:  # noqa: ANN001 - SweepPlan
    """Say in one line what the sweep runs, where, and into which folder."""
    points = plan.spec["points"]
    resuming = " (resuming)" if plan.resume else ""
    return (
        f"sweep {plan.spec['design']}: {len(plan.runs)} runs ({points} points × {replicates} "
        f"replicates) on {where} → {plan.out}{resuming}"
    )


def _report_failures(summary) -> None:  # noqa: ANN001 - SweepSummary
    """Print the first failed runs' errors and exit 1."""
    from sim.experiment.storage import SweepStore

    failures = SweepStore(summary.out).read_failures().head(SHOWN_FAILURES)
    for row in failures.itertuples():
        err_console.print(f"  {row.run_id}: {row.error}", highlight=False, markup=False)
    err_console.print(
        f"{summary.failed} runs failed (details in {summary.out / 'failed'}); rerun with "
        "--resume to retry them",
        highlight=False,
    )
    raise typer.Exit(RUN_FAILED)


@app.command("analyze")
def analyze_command(
    sweep_dir: Path = typer.Argument(..., help="A sweep folder."),
    output: list[str] = typer.Option(
        [], "--output",
        help="Output for Sobol or Morris indices, e.g. hollow_share (repeatable)."
    ),
    within_years: int | None = typer.Option(
        None, "--within-years", help="Hollow-risk horizon in years (default: all years)."
    ),
) -> None:
    """Analyse a sweep: per-run table, Sobol indices, hollow risk of each school.

    Writes SWEEP_DIR/analysis/: runs.parquet/.csv (inputs, status, final-year and cumulative
    outputs per run), sobol.csv (Sobol designs), morris.csv (Morris designs: μ*, σ),
    hollow_risk.parquet/.csv (per design point
    and school, across replicates), hollow_risk_by_school.csv and analysis.json. Says how many
    runs are missing or failed. Exit status 2 on a folder that is not a sweep, a damaged file
    or an analysis folder that cannot be written.
    """
    from sim.experiment.analysis import analyze, check_analysis_out, write_analysis
    from sim.outputs import check_writable_out

    with user_errors():
        check_analysis_out(sweep_dir)
        check_writable_out(sweep_dir / "figures", option="SWEEP_DIR/figures")
        result = analyze(sweep_dir, outputs=output or None, within_years=within_years)
        folder = write_analysis(result, sweep_dir)
        if (result.runs["status"] == "ok").any():
            from sim.viz.figures import write_sweep_figures

            write_sweep_figures(sweep_dir)
    _print_analysis(result)
    console.print(f"wrote {folder}", highlight=False)


def _print_analysis(result) -> None:  # noqa: ANN001 - Analysis
    """Print the run counts, Sobol indices, riskiest schools and notes of an analysis."""
    counts = result.runs["status"].value_counts()
    console.print(
        f"{len(result.runs)} runs: {counts.get('ok', 0)} ok, {counts.get('failed', 0)} failed, "
        f"{counts.get('missing', 0)} missing",
        highlight=False,
    )
    if result.sobol is not None and len(result.sobol):
        sobol = result.sobol
        frame = sobol.assign(
            S1=[f"{s:.3f} ± {c:.3f}" for s, c in zip(sobol["S1"], sobol["S1_conf"])],
            ST=[f"{s:.3f} ± {c:.3f}" for s, c in zip(sobol["ST"], sobol["ST_conf"])],
        )[["output", "parameter", "S1", "ST"]]
        _print_frame(frame, title="Sobol indices (first order S1, total ST; ± 95% bootstrap)")
    if result.morris is not None and len(result.morris):
        m = result.morris
        frame = m.assign(
            mu_star=[f"{v:.4g} ± {c:.2g}" for v, c in zip(m["mu_star"], m["mu_star_conf"])],
            sigma=[f"{v:.4g}" for v in m["sigma"]],
            share=[f"{v:.2f}" for v in m["mu_star_share"]],
        )[["output", "parameter", "mu_star", "sigma", "share"]]
        _print_frame(frame, title="Morris screening (μ* ± 95% bootstrap, σ; share of the "
                     "output's largest μ*)")
    if result.hollow_risk is not None and len(result.hollow_risk):
        from sim.experiment.analysis import risk_by_school

        top = risk_by_school(result.hollow_risk).head(SHOWN_SCHOOLS).round(RISK_DECIMALS)
        _print_frame(
            top,
            title="schools with the highest hollow risk (share of replicates hollow; mean over "
            "design points)",
        )
    for note in result.notes:
        console.print(f"note: {note}", highlight=False)


def run_with_bar(label: str, work):  # noqa: ANN001, ANN201 - a call taking a progress callback
    """Run ``work(progress)`` under a progress bar; exit 130 on Ctrl-C, 1 when a run fails.

    Parameters
    ----------
    label : str
        The bar's label.
    work : callable
        Called with a function ``(done, total)`` that reports runs; what it returns is
        returned. A ``RuntimeError`` from it (a failed run) prints its message and exits 1;
        nothing is written in either case.

    Returns
    -------
    object
        What ``work`` returned.

    Raises
    ------
    typer.Exit
        130 on Ctrl-C, 1 on a failed run.
    """
    try:
        with _bar(label) as bar:
            return work(lambda done, total: bar.update(done, total))
    except KeyboardInterrupt:
        err_console.print("interrupted: nothing written", highlight=False)
        raise typer.Exit(INTERRUPTED) from None
    except RuntimeError as exc:
        err_console.print(f"[bold red]run failed:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(RUN_FAILED) from None


class _bar:
    """A rich progress bar on stderr (runs done, failed, elapsed, time left).

    Shown from its first update, so an error raised before any run prints no empty bar.
    """

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
        """Show ``completed`` of ``total`` runs, ``failed`` of them failed.

        The first call's count (e.g. runs already finished on resume) does not count towards
        the speed behind the time-left estimate.
        """
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
            self.task = self.progress.add_task(
                self.label, total=total, completed=completed, failed=failed
            )
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


def run_region_file(path: str, out: Path | None, seed: int | None, workers: int | None,
                    scheduler: str | None, resume: bool, figures: bool = True) -> None:
    """``edusim run REGION.toml``: run the counties as tasks, then aggregate and draw.

    Exit status 2 on a bad region file, county or --out (before any county runs); 1 when some
    counties failed (rerun with --resume: finished counties are not run again); 130 on an
    interrupt (finished counties are kept).
    """
    from sim.experiment.executors import make_executor
    from sim.experiment.region import REGION_DIR, plan_region, run_region
    from sim.viz.region import write_region_figure

    with user_errors():
        executor = make_executor(workers, scheduler)
        plan = plan_region(path, out=out, resume=resume, seed=seed)
        resuming = " (resuming)" if plan.resume else ""
        console.print(f"region {plan.spec['region']}: {len(plan.runs)} counties on "
                      f"{where_runs(workers, scheduler)} → {plan.out}{resuming}", highlight=False)
        summary = _resumable(
            "counties", "counties", plan.out,
            lambda progress: run_region(plan, executor=executor, notify=say, progress=progress),
        )
        if summary.failed:
            _report_failures(summary)
        if figures:
            write_region_figure(plan.out)  # run_region wrote the tables
        folder = plan.out / REGION_DIR
    console.print(
        f"{summary.done} counties done, {summary.skipped} already finished, in "
        f"{summary.seconds:.1f} s → {folder}",
        highlight=False,
    )

"""``edusim run``: simulate a scenario and write its run directory."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from sim.cli.app import app, console, err_console, user_errors
from sim.cli.progress import progress_bar
from sim.errors import EdusimError
from sim.experiment.locks import FolderLock, lock_beside
from sim.outputs import check_writable_out
from sim.results import RunResult, check_run_folder, manifest_run
from sim.runner import run
from sim.scenario import load_scenario
from sim.scenario.schema_base import MAX_SEED

#: Values from this size on are printed as whole numbers with thousands separators.
WHOLE_FROM = 1000

OUT_HELP = (
    "Output folder (default outputs/<scenario>-seed<seed>). It must be new or empty, or hold an "
    "earlier edusim run, which is replaced only with --force; any other folder (one with other "
    "files, a sweep, comparison or calibration folder, the current folder) is refused."
)
FORCE_HELP = (
    "Replace the earlier edusim run in --out: only what a run writes (its tables, world/, "
    "figures/, report.html) is removed; other files are never touched."
)


def default_out_dir(name: str, seed: int) -> Path:
    """Name the default run folder.

    Parameters
    ----------
    name : str
        The scenario's name (a slug, see the schema).
    seed : int
        The root seed.

    Returns
    -------
    Path
        ``outputs/<name>-seed<seed>``.
    """
    return Path("outputs") / f"{name}-seed{seed}"


@app.command("run")
def run_command(
    scenario: str | None = typer.Argument(
        None,
        help="Bundled name, TOML file or a run's manifest.json; empty for the embedded default.",
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Root seed (default: the scenario's, or the manifest's)."
    ),
    years: int | None = typer.Option(
        None, "--years", help="School years to simulate (default: the scenario's)."
    ),
    replicates: int | None = typer.Option(
        None,
        "--replicates",
        help="Replicates from the root seed (default 1, or the manifest's when rerunning one).",
    ),
    set_: list[str] = typer.Option(
        [], "--set", help="Override a key: dotted.key=value (repeatable)."
    ),
    out: Path | None = typer.Option(None, "--out", help=OUT_HELP),
    force: bool = typer.Option(False, "--force", help=FORCE_HELP),
    figures: bool = typer.Option(
        True, "--figures/--no-figures", help="Draw figures into DIR/figures/."
    ),
    workers: int | None = typer.Option(
        None, "--workers",
        help="A region file only: worker processes (default one per CPU; 0 = this process).",
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler",
        help="A region file only: Dask scheduler address (needs the edusim\\[cluster] extra).",
    ),
    resume: bool = typer.Option(
        False, "--resume",
        help="A region file only: continue the region in --out (finished counties are kept).",
    ),
) -> None:
    """Simulate a scenario and write manifest, county and school tables, and events.

    A region (a TOML file with [[counties]], or a bundled region's name such as
    example_province) runs each county as a task instead
    (--workers, --scheduler, --resume) and writes the region folder (region/region.csv,
    counties.csv, region.png). Exit status 2, before anything is simulated, on a bad scenario
    or option or an --out that is refused or cannot be written, or that another command is
    writing (it holds the lock).
    """
    from sim.experiment.region import region_path

    if region_path(scenario) is not None:
        with user_errors():
            refused = [name for name, given in (("--set", set_), ("--years", years is not None),
                                                ("--replicates", replicates is not None),
                                                ("--force", force)) if given]
            if refused:
                raise EdusimError(f"{', '.join(refused)}: not for a region file; set a "
                                  "county's keys in the region file's [[counties]] entries")
        from sim.cli.experiment import run_region_file

        run_region_file(scenario, out, seed, workers, scheduler, resume, figures)
        return
    with user_errors():
        given = [name for name, on in (("--workers", workers is not None),
                                       ("--scheduler", scheduler is not None),
                                       ("--resume", resume)) if on]
        if given:
            raise EdusimError(f"{', '.join(given)}: only for a region file (a TOML file "
                              "with [[counties]]); a scenario runs its replicates here")
        overrides = list(set_) + ([f"years={years}"] if years is not None else [])
        loaded = load_scenario(scenario, overrides)
        root, replicates = _seed_and_replicates(scenario, loaded.seed, seed, replicates)
        target = out or default_out_dir(loaded.name, root)
        check_writable_out(target)
        check_writable_out(target.parent, option=f"--out {target}: its parent")
        # One command writes a folder at a time: a second run on it exits 2 naming the holder.
        with FolderLock(lock_beside(target), target, "run") as lock:
            if lock.took_over:
                err_console.print(f"note: {escape(lock.took_over)}", highlight=False)
            check_run_folder(target, force)
            with progress_bar(transient=True) as bar:
                task = bar.add_task(f"{loaded.name}", total=replicates * loaded.years)
                result = run(
                    loaded,
                    seed=root,
                    replicates=replicates,
                    progress=lambda r, y, n: bar.update(task, completed=r * n + y),
                )
            # The figures are drawn into the run folder before it is renamed into place, so a
            # killed run leaves no folder with half its figures.
            draw = None
            if figures:
                from sim.viz.figures import write_run_figures

                def draw(folder: Path) -> None:
                    write_run_figures(result, folder)

            saved = result.save(target, force=force, extras=draw)
    _print_summary(result)
    console.print(f"wrote {saved}")


def _seed_and_replicates(
    scenario: str | None, scenario_seed: int, seed: int | None, replicates: int | None
) -> tuple[int, int]:
    """Choose the root seed and replicates: options, else a rerun manifest's, else defaults."""
    recorded = manifest_run(scenario)
    if recorded is not None:  # rerunning a run: its seed and replicates unless given
        seed = recorded["seed"] if seed is None else seed
        replicates = recorded["replicates"] if replicates is None else replicates
    replicates = 1 if replicates is None else replicates
    if replicates < 1:
        raise EdusimError(f"--replicates must be at least 1, got {replicates}")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise EdusimError(f"--seed must be a whole number from 0 to {MAX_SEED}, got {seed}")
    return (scenario_seed if seed is None else seed), replicates


def _print_summary(result: RunResult) -> None:
    summary = result.summary()
    table = Table("metric", *summary.columns, box=None, header_style="bold")
    for metric, row in summary.iterrows():
        table.add_row(metric, *(_fmt(v) for v in row))
    console.print(table)


def _fmt(value: float) -> str:
    if abs(value) >= WHOLE_FROM or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3f}"

"""``edusim run``: simulate a scenario and write its run directory."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from sim.cli.app import app, console, user_errors
from sim.cli.progress import progress_bar
from sim.errors import EdusimError
from sim.results import RunResult, manifest_run
from sim.runner import run
from sim.scenario import load_scenario


def default_out_dir(name: str, seed: int) -> Path:
    """outputs/<scenario>-seed<seed>"""
    return Path("outputs") / f"{name}-seed{seed}"


@app.command("run")
def run_command(
    scenario: str | None = typer.Argument(None, help="Bundled name, TOML file or a run's manifest.json; "
                                                     "empty for the embedded default."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed (default: the scenario's, or the manifest's)."),
    years: int | None = typer.Option(None, "--years", help="School years to simulate (default: the scenario's)."),
    replicates: int | None = typer.Option(None, "--replicates", help="Replicates from the root seed (default 1, "
                                                                   "or the manifest's when rerunning one)."),
    set_: list[str] = typer.Option([], "--set", help="Override a key: dotted.key=value (repeatable)."),
    out: Path | None = typer.Option(None, "--out", help="Output directory (default outputs/<scenario>-seed<seed>)."),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Draw figures into DIR/figures/."),
) -> None:
    """Simulate a scenario and write manifest, county and school tables, and events."""
    with user_errors():
        overrides = list(set_) + ([f"years={years}"] if years is not None else [])
        loaded = load_scenario(scenario, overrides)
        recorded = manifest_run(scenario)
        if recorded is not None:  # rerunning a run: its seed and replicates unless given
            seed = recorded["seed"] if seed is None else seed
            replicates = recorded["replicates"] if replicates is None else replicates
        replicates = 1 if replicates is None else replicates
        if replicates < 1:
            raise EdusimError(f"--replicates must be at least 1, got {replicates}")
        if seed is not None and seed < 0:
            raise EdusimError(f"--seed must be a non-negative integer, got {seed}")
        root = loaded.seed if seed is None else seed
        target = out or default_out_dir(loaded.name, root)
        if target.exists() and not target.is_dir():
            raise EdusimError(f"--out {target}: exists and is not a directory")
        with progress_bar(transient=True) as bar:
            task = bar.add_task(f"{loaded.name}", total=replicates * loaded.years)
            result = run(loaded, seed=root, replicates=replicates,
                         progress=lambda r, y, n: bar.update(task, completed=r * n + y))
    saved = result.save(target)
    if figures:
        from sim.viz.figures import write_run_figures

        write_run_figures(result, saved)
    _print_summary(result)
    console.print(f"wrote {saved}")


def _print_summary(result: RunResult) -> None:
    summary = result.summary()
    table = Table("metric", *summary.columns, box=None, header_style="bold")
    for metric, row in summary.iterrows():
        table.add_row(metric, *(_fmt(v) for v in row))
    console.print(table)


def _fmt(value: float) -> str:
    if abs(value) >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3f}"

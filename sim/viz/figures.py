"""The standard figure sets, written as PNG files into ``<out>/figures/``.

- a run (:func:`write_run_figures`): ``county_map.png`` (first and last year),
  ``timeseries.png`` (key metrics, 95% bands over replicates), ``school_pupils.png`` (each
  school's pupils, hollow years highlighted), ``tradeoff.png`` (the run's path in the
  hollow-share / hard-access plane);
- a comparison (:func:`write_compare_figures`): ``frontier.png`` (one point per scenario
  with intervals) and ``timeseries.png`` (one line per scenario);
- a sweep (:func:`write_sweep_figures`): ``main_effects.png``.

Figures are drawn on the non-interactive Agg canvas at a fixed dpi without time stamps, so
the same data give the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.analysis import analyze
from sim.experiment.storage import SweepStore
from sim.viz import style
from sim.viz.frontier import frontier_from_county, plot_frontier
from sim.viz.maps import plot_county_map
from sim.viz.schools import plot_school_pupils
from sim.viz.sweep import DEFAULT_OUTPUTS, plot_main_effects
from sim.viz.timeseries import plot_timeseries

FIGURES_DIR = "figures"


def _name(manifest: dict) -> str:
    return str(manifest.get("scenario_name") or manifest.get("scenario", {}).get("name") or "run")


def write_run_figures(result, out_dir: str | Path) -> list[Path]:
    """Write a run's figures into ``out_dir/figures/`` and return their paths.

    Parameters
    ----------
    result : RunResult
        A :class:`~sim.results.RunResult` (the map needs its ``world``; without one the map
        is skipped).
    out_dir : str or Path
        The run directory.

    Returns
    -------
    list of Path
        The PNG files written: ``county_map.png`` (with a world), ``timeseries.png``,
        ``school_pupils.png``, ``tradeoff.png``.
    """
    folder = Path(out_dir) / FIGURES_DIR
    name = _name(result.manifest)
    paths = []
    if result.world and {"settlements", "schools"} <= set(result.world):
        paths.append(style.save_png(plot_county_map(result), folder / "county_map.png"))
    paths.append(
        style.save_png(
            plot_timeseries(result.county, title=f"County metrics over time — {name}"),
            folder / "timeseries.png",
        )
    )
    paths.append(
        style.save_png(
            plot_school_pupils(result.schools, title=f"Pupils of each school — {name}"),
            folder / "school_pupils.png",
        )
    )
    frontier = frontier_from_county(result.county).assign(scenario=name)
    paths.append(
        style.save_png(
            plot_frontier(
                frontier,
                paths=result.county.assign(scenario=name),
                title=f"Trade-off: hollow schools vs hard access — {name}",
            ),
            folder / "tradeoff.png",
        )
    )
    return paths


def load_comparison(compare_dir: str | Path) -> dict[str, Any]:
    """Read the tables of a comparison folder.

    Parameters
    ----------
    compare_dir : str or Path
        The folder ``edusim compare`` wrote.

    Returns
    -------
    dict of str to Any
        ``labels`` (the scenarios, in order), ``county`` (long), ``frontier`` (read, or
        computed from ``county``), ``summary``, ``summary_wide`` (each None when absent) and
        ``manifest`` (empty when absent).
    """
    folder = Path(compare_dir)
    county = (
        pd.read_parquet(folder / "county_long.parquet")
        if (folder / "county_long.parquet").is_file()
        else (
            pd.read_csv(folder / "county_long.csv")
            if (folder / "county_long.csv").is_file()
            else None
        )
    )
    frontier = pd.read_csv(folder / "frontier.csv") if (folder / "frontier.csv").is_file() else None
    manifest = (
        json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if (folder / "manifest.json").is_file()
        else {}
    )
    # frontier.csv keeps the scenarios' order (the manifest's keys are sorted on writing)
    labels = [str(s) for s in frontier["scenario"]] if frontier is not None else []
    if not labels:
        labels = list(manifest.get("scenarios", {}) or [])
    if not labels and county is not None:
        labels = list(dict.fromkeys(county["scenario"].astype(str)))
    if frontier is None and county is not None:
        frontier = frontier_from_county(county)

    def read(name: str) -> pd.DataFrame | None:
        return pd.read_csv(folder / name) if (folder / name).is_file() else None

    return {
        "labels": labels,
        "county": county,
        "frontier": frontier,
        "summary": read("summary.csv"),
        "summary_wide": read("summary_wide.csv"),
        "manifest": manifest,
    }


def write_compare_figures(comparison, out_dir: str | Path | None = None) -> list[Path]:
    """Write a comparison's figures into ``out_dir/figures/`` and return their paths.

    Parameters
    ----------
    comparison : Comparison, str or Path
        A :class:`sim.experiment.compare.Comparison` or the folder it was written to.
    out_dir : str or Path, optional
        Where ``figures/`` goes (default: the comparison folder; required for an object).

    Returns
    -------
    list of Path
        The PNG files written: ``frontier.png`` and ``timeseries.png`` (each when its table
        has rows).

    Raises
    ------
    ValueError
        When ``comparison`` is an object and ``out_dir`` is not given.
    """
    if isinstance(comparison, (str, Path)):
        out_dir = comparison if out_dir is None else out_dir
        tables = load_comparison(comparison)
        labels, county, frontier = tables["labels"], tables["county"], tables["frontier"]
    else:
        if out_dir is None:
            raise ValueError("out_dir is required when a Comparison object is given")
        labels, county, frontier = list(comparison.labels), comparison.county, comparison.frontier
    folder = Path(out_dir) / FIGURES_DIR
    paths = []
    if frontier is not None and len(frontier):
        paths.append(
            style.save_png(
                plot_frontier(frontier, paths=county, order=labels), folder / "frontier.png"
            )
        )
    if county is not None and len(county):
        paths.append(
            style.save_png(
                plot_timeseries(
                    county,
                    by="scenario",
                    order=labels,
                    title="County metrics over time, by scenario",
                ),
                folder / "timeseries.png",
            )
        )
    return paths


def write_sweep_figures(
    sweep_dir: str | Path, out_dir: str | Path | None = None, outputs=None
) -> list[Path]:
    """Write ``main_effects.png`` of a sweep into ``out_dir/figures/`` (default the sweep folder).

    Reads ``analysis/runs.parquet`` when ``edusim analyze`` wrote it, else analyses the
    sweep (:func:`sim.experiment.analysis.analyze`, not written).

    Parameters
    ----------
    sweep_dir : str or Path
        The sweep folder.
    out_dir : str or Path, optional
        Where ``figures/`` goes (default: the sweep folder).
    outputs : sequence of str, optional
        Output columns to draw (default :data:`~sim.viz.sweep.DEFAULT_OUTPUTS` present).

    Returns
    -------
    list of Path
        ``[main_effects.png]``, or empty when there is no input, output or finished run.
    """
    sweep_dir = Path(sweep_dir)
    spec = SweepStore(sweep_dir).read_spec()
    runs_file = sweep_dir / "analysis" / "runs.parquet"
    if runs_file.is_file():
        runs = pd.read_parquet(runs_file)
    else:
        runs = analyze(sweep_dir).runs
    inputs = [k for k in spec.get("keys", []) if k in runs.columns]
    outputs = [o for o in (outputs or DEFAULT_OUTPUTS) if o in runs.columns]
    folder = Path(out_dir if out_dir is not None else sweep_dir) / FIGURES_DIR
    if not inputs or not outputs or not (runs.get("status", pd.Series(["ok"])) == "ok").any():
        return []
    fig = plot_main_effects(
        runs,
        inputs,
        outputs,
        title=f"Main effects — sweep of {spec.get('scenario', {}).get('name', sweep_dir.name)}",
    )
    return [style.save_png(fig, folder / "main_effects.png")]

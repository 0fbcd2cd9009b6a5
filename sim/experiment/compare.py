"""Compare scenarios over replicates with common random numbers.

Replicate r of every scenario is run with the same root seed and replicate number, so it
draws the same random numbers (``sim.seeds.replicate_rng(seed, r)``): two identical
scenarios give identical results, and the difference between two scenarios is measured on
paired replicates, which makes its interval much tighter than the scenarios' own.

Statistics, per scenario and county metric (DESIGN §8):

- ``final``: the value in each scenario's final simulated year;
- ``cumulative``: the sum over all simulated years, for flows (:data:`FLOW_METRICS`:
  dropouts, new hollow schools, cost, and pupil-years of hard access).

Each has a mean and a 95% interval over replicates (:mod:`sim.experiment.replicates`), and
its difference from the first scenario: the mean and interval of the paired replicate
differences (zero, with a zero-width interval, for the first scenario itself).

The frontier (the trade-off DESIGN §1 is about) is taken at each scenario's **final year**:
``hollow_share`` against ``hard_access_share`` (pupils with a daily commute over the limit,
boarding below the minimum grade, or dropped out), each with its interval.

Files written by :func:`write_comparison` (default folder ``outputs/compare-<names>``):

``county_long.parquet`` / ``county_long.csv``
    tidy long table: scenario, replicate, year, metric, value.
``summary.csv``
    scenario, metric, statistic, n, mean, lo, hi, diff_mean, diff_lo, diff_hi.
``summary_wide.csv``
    the side-by-side table: one row per metric and statistic, one column per scenario
    (``mean [lo, hi]``) and per difference from the first scenario.
``frontier.csv``
    scenario, year, n, hollow_share_mean/lo/hi, hard_access_share_mean/lo/hi.
``manifest.json``
    the labels in order, the scenarios as resolved, overrides, seed, replicates, package
    version, timings.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd

from sim.experiment.errors import ExperimentError
from sim.experiment.executors import Executor, make_executor
from sim.experiment.folders import COMPARISON, staged_folder
from sim.experiment.replicates import NON_METRICS, check_seed, summarise
from sim.experiment.tasks import (
    MAIN_TABLE,
    Evaluation,
    Task,
    as_tables,
    evaluate_model,
    resolve_scenario,
)
from sim.outputs import write_csv, write_json, write_parquet
from sim.scenario import Scenario
from sim.version import package_version

FLOW_METRICS = ("dropouts", "new_hollow_schools", "cost_total", "pupils_hard_access")
FRONTIER_METRICS = ("hollow_share", "hard_access_share")
#: Metrics printed by ``edusim compare`` (every metric is in summary.csv).
KEY_METRICS = (
    ("hollow_share", "final"),
    ("hard_access_share", "final"),
    ("schools_open", "final"),
    ("mean_commute_min", "final"),
    ("young_boarders", "final"),
    ("retention_rate", "final"),
    ("quality_rural", "final"),
    ("cost_per_pupil", "final"),
    ("dropouts", "cumulative"),
    ("pupils_hard_access", "cumulative"),
)


@dataclass
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    labels
        Scenario labels in the order given (the first is the reference).
    county
        Tidy long table: scenario, replicate, year, metric, value.
    summary
        scenario, metric, statistic, n, mean, lo, hi, diff_mean, diff_lo, diff_hi.
    frontier
        scenario, year, n, hollow_share_mean/lo/hi, hard_access_share_mean/lo/hi.
    manifest
        What was run (resolved scenarios, seed, replicates, version, seconds).
    """

    labels: list[str]
    county: pd.DataFrame
    summary: pd.DataFrame
    frontier: pd.DataFrame
    manifest: dict[str, Any]

    def side_by_side(self, metrics: Sequence[tuple[str, str]] | None = None) -> pd.DataFrame:
        """Show the summary as a wide table of ``mean [lo, hi]`` texts (:func:`side_by_side`)."""
        return side_by_side(self.summary, self.labels, metrics)


def compare(
    scenarios: Sequence[str | Path | Scenario],
    *,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    replicates: int = 10,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    evaluate: Evaluation = evaluate_model,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Run every scenario ``replicates`` times with common random numbers and summarise.

    Parameters
    ----------
    scenarios
        Bundled names, TOML files, run manifests or :class:`Scenario` objects; the first is
        the reference for differences. Repeated names get ``-2``, ``-3`` labels.
    overrides
        ``--set`` overrides applied to every scenario.
    replicates
        Replicates per scenario (at least 1; with 1 the intervals are points).
    seed
        Root seed shared by all scenarios (default: the first scenario's ``seed``).
    workers, scheduler, executor
        Where runs execute (see :func:`sim.experiment.executors.make_executor`); default a
        local pool with one worker per CPU, capped at the number of runs.
    evaluate
        ``evaluate(task)`` returning the run's tables (default: the model).
    progress
        Called as ``progress(done, total)`` after every run.

    Raises
    ------
    ScenarioError, ExperimentError
        Unknown scenario or key, fewer than one scenario or replicate (nothing is run).
    RuntimeError
        A run failed (the message has its error and traceback).
    """
    if not scenarios:
        raise ExperimentError("compare needs at least one scenario")
    if replicates < 1:
        raise ExperimentError(f"--replicates {replicates}: must be at least 1")
    resolved = [resolve_scenario(s, overrides) for s in scenarios]
    labels = scenario_labels(scenarios, resolved)
    root_seed = resolved[0].seed if seed is None else check_seed(seed)
    dumps = [s.model_dump(mode="json") for s in resolved]
    tasks = [
        Task(
            run_id=f"{label}-r{r}", point=i, replicate=r, seed=root_seed, scenario=dump, label=label
        )
        for i, (label, dump) in enumerate(zip(labels, dumps))
        for r in range(replicates)
    ]
    if executor is None:
        executor = make_executor(
            min(workers or _cpus(), len(tasks)) if workers != 0 else 0, scheduler
        )
    start = time.perf_counter()
    frames: list[pd.DataFrame] = []
    with executor:
        for done, outcome in enumerate(executor.map(evaluate, tasks), start=1):
            if not outcome.ok:
                raise RuntimeError(
                    f"run {outcome.task.run_id} failed: {outcome.error}\n{outcome.traceback or ''}"
                )
            county = as_tables(outcome.value)[MAIN_TABLE].copy()
            county["replicate"] = outcome.task.replicate
            county.insert(0, "scenario", outcome.task.label)
            frames.append(county)
            if progress:
                progress(done, len(tasks))
    county = pd.concat(frames, ignore_index=True)
    county["scenario"] = pd.Categorical(county["scenario"], categories=labels)
    county = county.sort_values(["scenario", "replicate", "year"], kind="stable").reset_index(
        drop=True
    )
    long = long_table(county)
    manifest = {
        "kind": "edusim-compare",
        "labels": labels,
        "scenarios": dict(zip(labels, dumps)),
        "sources": dict(
            zip(labels, [str(s) if not isinstance(s, Scenario) else s.name for s in scenarios])
        ),
        "overrides": list(overrides)
        if overrides is not None and not isinstance(overrides, Mapping)
        else dict(overrides or {}),
        "seed": root_seed,
        "replicates": replicates,
        "frontier_year": "final",
        "flow_metrics": [m for m in FLOW_METRICS if m in set(long["metric"])],
        "version": package_version(),
        "seconds": round(time.perf_counter() - start, 3),
    }
    return Comparison(
        labels, long, summary_table(county, labels), frontier_table(county, labels), manifest
    )


def write_comparison(
    comparison: Comparison,
    out: Path | str | None = None,
    *,
    force: bool = False,
    figures: Callable[[Path], Any] | None = None,
) -> Path:
    """Write the comparison's files (module docstring) into ``out``, whole.

    The folder rule of :mod:`sim.experiment.folders`: ``out`` must be new or empty, or hold an
    earlier comparison, replaced only with ``force`` (only a comparison's entries are removed).
    The files are written to a hidden folder beside ``out`` that is renamed into place when
    complete, so a killed write leaves no partial comparison.

    Parameters
    ----------
    comparison
        From :func:`compare`.
    out
        The folder (default ``outputs/compare-<labels>``).
    force
        Replace an earlier comparison in ``out``.
    figures
        Called with the hidden folder once the tables are in it, to draw figures there too
        (``sim.viz.figures.write_compare_figures``), so that they appear with the tables.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    EdusimError
        ``out`` is refused or cannot be written (nothing is written then).
    """
    out = (
        Path(out)
        if out is not None
        else Path("outputs") / ("compare-" + "-".join(comparison.labels))
    )
    long = comparison.county.assign(scenario=comparison.county["scenario"].astype(str))
    with staged_folder(out, COMPARISON, force) as folder:
        write_parquet(folder / "county_long.parquet", long)
        write_csv(folder / "county_long.csv", long)
        write_csv(folder / "summary.csv", comparison.summary)
        write_csv(folder / "summary_wide.csv", comparison.side_by_side(metrics=[]))
        write_csv(folder / "frontier.csv", comparison.frontier)
        write_json(folder / "manifest.json", comparison.manifest)
        if figures is not None:
            figures(folder)
    return out


def default_out(scenarios: Sequence[str | Path | Scenario]) -> Path:
    """``outputs/compare-<name>-<name>...`` from the scenarios as given (names, file stems)."""
    return Path("outputs") / ("compare-" + "-".join(base_label(s) for s in scenarios))


def base_label(scenario: str | Path | Scenario) -> str:
    """Label a scenario: a bundled name as given, a file's stem, a Scenario's name."""
    if isinstance(scenario, Scenario):
        return scenario.name
    path = Path(str(scenario))
    return path.stem if path.suffix in {".toml", ".json"} or path.is_file() else str(scenario)


def scenario_labels(
    args: Sequence[str | Path | Scenario], resolved: Sequence[Scenario]
) -> list[str]:
    """Make unique labels (:func:`base_label`); repeats get -2, -3."""
    labels: list[str] = []
    for arg, scenario in zip(args, resolved):
        base = base_label(scenario if isinstance(arg, Scenario) else arg)
        label, k = base, 2
        while label in labels:
            label, k = f"{base}-{k}", k + 1
        labels.append(label)
    return labels


def long_table(county: pd.DataFrame) -> pd.DataFrame:
    """Tidy long table (scenario, replicate, year, metric, value) of per-replicate county rows."""
    metrics = _metrics(county)
    long = county.melt(
        id_vars=["scenario", "replicate", "year"],
        value_vars=metrics,
        var_name="metric",
        value_name="value",
    )
    long["value"] = long["value"].astype(float)
    return long


def per_replicate(county: pd.DataFrame) -> pd.DataFrame:
    """Tabulate each scenario, replicate and statistic (``final``, ``cumulative``) by metric."""
    metrics = _metrics(county)
    last = county["year"] == county.groupby("scenario", observed=True)["year"].transform("max")
    final = county.loc[last, ["scenario", "replicate", *metrics]].assign(statistic="final")
    flows = [m for m in FLOW_METRICS if m in metrics]
    cumulative = (
        county.groupby(["scenario", "replicate"], observed=True)[flows]
        .sum(min_count=1)
        .reset_index()
        .assign(statistic="cumulative")
    )
    return pd.concat([final, cumulative], ignore_index=True)


def summary_table(county: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """scenario, metric, statistic, n, mean, lo, hi, diff_mean, diff_lo, diff_hi."""
    metrics = _metrics(county)
    reps = per_replicate(county)
    reps["scenario"] = reps["scenario"].astype(str)
    summary = summarise(reps, metrics, by=["scenario", "statistic"])
    base = reps[reps["scenario"] == labels[0]]
    diffs = []
    for label in labels:
        mine = reps[reps["scenario"] == label]
        paired = mine.merge(base, on=["replicate", "statistic"], suffixes=("", "__base"))
        delta = pd.DataFrame(
            {m: paired[m].astype(float) - paired[f"{m}__base"].astype(float) for m in metrics}
        )
        delta["statistic"] = paired["statistic"].to_numpy()
        d = summarise(delta, metrics, by=["statistic"])[["statistic", "metric", "mean", "lo", "hi"]]
        diffs.append(
            d.rename(columns={"mean": "diff_mean", "lo": "diff_lo", "hi": "diff_hi"}).assign(
                scenario=label
            )
        )
    summary = summary.merge(
        pd.concat(diffs, ignore_index=True), on=["scenario", "statistic", "metric"], how="left"
    )
    summary = summary[
        [
            "scenario",
            "metric",
            "statistic",
            "n",
            "mean",
            "lo",
            "hi",
            "diff_mean",
            "diff_lo",
            "diff_hi",
        ]
    ]
    order = {
        "scenario": {s: i for i, s in enumerate(labels)},
        "metric": {m: i for i, m in enumerate(metrics)},
        "statistic": {"final": 0, "cumulative": 1},
    }
    summary = summary.sort_values(
        ["scenario", "statistic", "metric"], key=lambda s: s.map(order[s.name]), kind="stable"
    )
    return summary.reset_index(drop=True)


def frontier_table(county: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    """Final-year hollow_share and hard_access_share per scenario, with 95% intervals."""
    present = [m for m in FRONTIER_METRICS if m in county.columns]
    last = county["year"] == county.groupby("scenario", observed=True)["year"].transform("max")
    final = county.loc[last].copy()
    final["scenario"] = final["scenario"].astype(str)
    rows = []
    for label in labels:
        mine = final[final["scenario"] == label]
        row: dict[str, Any] = {"scenario": label, "year": int(mine["year"].iloc[0]), "n": len(mine)}
        stats = summarise(mine, present, by=[]) if present else pd.DataFrame()
        for metric in FRONTIER_METRICS:
            hit = stats[stats["metric"] == metric] if len(stats) else stats
            for col in ("mean", "lo", "hi"):
                row[f"{metric}_{col}"] = float(hit[col].iloc[0]) if len(hit) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def side_by_side(
    summary: pd.DataFrame, labels: Sequence[str], metrics: Sequence[tuple[str, str]] | None = None
) -> pd.DataFrame:
    """Set the scenarios side by side, one row per (metric, statistic).

    Per scenario ``mean [lo, hi]`` and, after the first, ``Δ <scenario>``: the paired difference
    from the first scenario, ``mean [lo, hi]``.

    ``metrics`` selects (metric, statistic) rows (default :data:`KEY_METRICS` present in the
    summary; an empty sequence keeps every row).
    """
    if metrics is None:
        metrics = KEY_METRICS
    present = list(dict.fromkeys(zip(summary["metric"], summary["statistic"])))
    rows = [m for m in metrics if m in set(present)] if metrics else present
    if not rows and metrics:
        rows = present
    indexed = summary.set_index(["metric", "statistic", "scenario"])
    table = []
    for metric, statistic in rows:
        row = {"metric": metric, "statistic": statistic}
        for i, label in enumerate(labels):
            if (metric, statistic, label) not in indexed.index:
                # missing in every replicate (e.g. cv with fewer than two eligible schools)
                row[label] = "n/a"
                if i:
                    row[f"Δ {label}"] = "n/a"
                continue
            rec = indexed.loc[(metric, statistic, label)]
            row[label] = _interval_text(rec["mean"], rec["lo"], rec["hi"])
            if i:
                row[f"Δ {label}"] = _interval_text(
                    rec["diff_mean"], rec["diff_lo"], rec["diff_hi"], signed=True
                )
        table.append(row)
    return pd.DataFrame(table)


def _metrics(county: pd.DataFrame) -> list[str]:
    return [
        c
        for c in county.columns
        if c not in NON_METRICS and pd.api.types.is_numeric_dtype(county[c])
    ]


def _interval_text(mean: float, lo: float, hi: float, signed: bool = False) -> str:
    if pd.isna(mean):
        return "n/a"
    if lo == hi:
        return _num(mean, signed)
    return f"{_num(mean, signed)} [{_num(lo, signed)}, {_num(hi, signed)}]"


def _num(x: float, signed: bool = False) -> str:
    sign = "+" if signed and x > 0 else ""
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{sign}{x:,.0f}"
    return f"{sign}{x:.3g}"


def _cpus() -> int:
    import os

    return os.cpu_count() or 1

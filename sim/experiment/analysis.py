"""Sweep analysis: one row per run, Sobol or Morris indices, hollow risk (the last SALib stage).

:func:`analyze` reads a sweep directory (layout in :mod:`sim.experiment.storage`) and
returns, and :func:`write_analysis` writes to ``SWEEP/analysis/``:

``runs.parquet`` / ``runs.csv``
    one row per design run: ``run_id, point, <varied keys>, replicate, seed, status``
    (``ok``, ``failed`` or ``missing``), ``error``, ``final_year``, then every county metric
    at the run's final year and ``<flow>_cumulative`` (sum over the years) for the flows
    dropouts, new_hollow_schools, cost_total, pupils_hard_access.
``sobol.csv`` (Sobol designs only)
    ``output, parameter, S1, S1_conf, ST, ST_conf`` from ``SALib.analyze.sobol.analyze``
    (first-order and total indices, 95% bootstrap half-widths). Each output is a
    ``runs`` column (default: hollow_share, hard_access_share, mean_commute_min,
    cost_per_pupil at the final year), averaged over the replicates of each design point.
``morris.csv`` (Morris designs only)
    ``output, parameter, mu_star, mu_star_conf, mu, sigma, mu_star_share`` from
    ``SALib.analyze.morris.analyze``: the mean absolute elementary effect μ* (with its 95%
    bootstrap half-width), the mean μ and the spread σ (interactions and non-linearity), and
    μ* as a share of the output's largest μ* (to rank parameters across outputs).
``hollow_risk.parquet`` / ``hollow_risk.csv``
    per design point and school: ``point, <varied keys>, school_id, name, hollow_risk``:
    the share of the point's replicates in which the school is hollow in some year within
    ``within_years`` of the first year (``sim.metrics.hollow_risk``; default: all years).
``hollow_risk_by_school.csv``
    per school: mean, lowest and highest hollow risk over the design points
    (meaningful when the sweep does not vary the county itself).
``analysis.json``
    the outputs analysed, counts and notes (e.g. why Sobol indices were not computed).

Runs are read in chunks of whole runs, so a sweep of any size is analysed in bounded memory.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from sim.experiment.compare import FLOW_METRICS
from sim.experiment.design import MORRIS_LEVELS, VarySpec, parse_vary, salib_problem, salib_sample
from sim.experiment.errors import ExperimentError
from sim.experiment.storage import ANALYSIS_DIR, SweepStore
from sim.metrics import hollow_risk
from sim.outputs import check_writable_out, write_csv, write_json, write_parquet

DEFAULT_OUTPUTS = ("hollow_share", "hard_access_share", "mean_commute_min", "cost_per_pupil")
ID_COLUMNS = ("run_id", "point", "replicate", "seed", "year")
#: The hollow-risk files of an analysis (absent without a school panel).
HOLLOW_RISK_FILES = ("hollow_risk.parquet", "hollow_risk.csv", "hollow_risk_by_school.csv")


@dataclass
class Analysis:
    """The result of :func:`analyze` (see the module docstring for the columns).

    Attributes
    ----------
    runs
        One row per design run: inputs, status and outputs.
    sobol
        Sobol indices (None unless the design is Sobol and every point has a result).
    morris
        Morris screening (None unless the design is Morris and every point has a result).
    hollow_risk
        Hollow risk per design point and school (None without a school panel).
    outputs
        The outputs the Sobol indices are computed for.
    notes
        What could not be computed, and why.
    """

    runs: pd.DataFrame
    sobol: pd.DataFrame | None
    hollow_risk: pd.DataFrame | None
    outputs: list[str]
    notes: list[str] = field(default_factory=list)
    morris: pd.DataFrame | None = None


def analyze(
    sweep_dir: Path | str,
    outputs: Sequence[str] | None = None,
    within_years: int | None = None,
) -> Analysis:
    """Analyse a sweep directory.

    Parameters
    ----------
    sweep_dir
        A directory written by a sweep.
    outputs
        ``runs`` columns to compute Sobol indices for (default :data:`DEFAULT_OUTPUTS`
        present in the runs).
    within_years
        Horizon of the hollow risk in years from the first year (default: every year).

    Raises
    ------
    ExperimentError
        Not a sweep directory; a damaged or mismatched file (named in the message); an unknown
        output (the message lists the available ones); ``within_years`` below 1.
    """
    store = SweepStore(sweep_dir)
    spec = store.read_spec()
    design = store.read_design()
    keys = list(spec.get("keys", []))
    absent = [k for k in keys if k not in design.columns]
    if absent:
        raise ExperimentError(
            f"{store.design_path}: lacks the varied keys {', '.join(absent)} that "
            f"{store.spec_path.name} lists; the sweep's files do not belong together"
        )
    if within_years is not None and within_years < 1:
        raise ExperimentError(f"--within-years {within_years}: must be at least 1")
    runs = run_outputs(store, design, keys)
    metric_cols = [
        c for c in runs.columns if c not in {*design.columns, "status", "error", "final_year"}
    ]
    notes = status_notes(runs)
    if outputs:
        unknown = [o for o in outputs if o not in metric_cols]
        if unknown:
            raise ExperimentError(
                f"--output {', '.join(unknown)}: not an output of this sweep; available: "
                f"{', '.join(metric_cols) or '(no finished runs)'}"
            )
        chosen = list(outputs)
    else:
        chosen = [o for o in DEFAULT_OUTPUTS if o in metric_cols] or [
            c for c in metric_cols if pd.api.types.is_numeric_dtype(runs[c])
        ][:4]
    sobol = morris = None
    if spec.get("design") == "sobol":
        sobol = sobol_indices(runs, spec, chosen, notes)
    if spec.get("design") == "morris":
        morris = morris_indices(runs, spec, chosen, notes)
    risk = hollow_risks(store, design, keys, within_years, notes)
    return Analysis(runs=runs, sobol=sobol, hollow_risk=risk, outputs=chosen, notes=notes,
                    morris=morris)


def status_notes(runs: pd.DataFrame) -> list[str]:
    """Say how many of a sweep's runs are missing or failed, and how to complete it.

    Parameters
    ----------
    runs
        The per-run table (:func:`run_outputs`), with its ``status`` column.

    Returns
    -------
    list[str]
        One note per status other than ``ok`` that some runs have; empty for a complete sweep.
    """
    total = len(runs)
    counts = runs["status"].value_counts()
    notes = []
    missing = int(counts.get("missing", 0))
    if missing:
        notes.append(
            f"{missing} of {total} runs are missing: the sweep is unfinished (continue it with "
            "the same edusim sweep command and --resume); results cover the finished runs only"
        )
    failed = int(counts.get("failed", 0))
    if failed:
        notes.append(
            f"{failed} of {total} runs failed (errors in the runs table and failed/); rerun the "
            "sweep with --resume to retry them"
        )
    return notes


def check_analysis_out(sweep_dir: Path | str) -> None:
    """Check, before analysing, that ``SWEEP/analysis/`` can be written.

    Parameters
    ----------
    sweep_dir
        The sweep folder.

    Raises
    ------
    EdusimError
        The analysis folder is a file or cannot be written.
    """
    check_writable_out(Path(sweep_dir) / ANALYSIS_DIR, option="SWEEP_DIR/analysis")


def write_analysis(analysis: Analysis, sweep_dir: Path | str) -> Path:
    """Write ``SWEEP/analysis/`` (module docstring); return that folder.

    Files of an earlier analysis that this one does not produce (``sobol.csv`` or
    ``morris.csv`` of a design
    whose indices are not computed now, the hollow risk of a sweep without a school panel)
    are removed, so the folder describes one analysis.

    Parameters
    ----------
    analysis
        From :func:`analyze`.
    sweep_dir
        The sweep folder.

    Returns
    -------
    Path
        ``SWEEP/analysis``.
    """
    out = Path(sweep_dir) / ANALYSIS_DIR
    if analysis.sobol is None:
        (out / "sobol.csv").unlink(missing_ok=True)
    if analysis.morris is None:
        (out / "morris.csv").unlink(missing_ok=True)
    if analysis.hollow_risk is None:
        for name in HOLLOW_RISK_FILES:
            (out / name).unlink(missing_ok=True)
    write_parquet(out / "runs.parquet", analysis.runs)
    write_csv(out / "runs.csv", analysis.runs)
    if analysis.sobol is not None:
        write_csv(out / "sobol.csv", analysis.sobol)
    if analysis.morris is not None:
        write_csv(out / "morris.csv", analysis.morris)
    if analysis.hollow_risk is not None:
        write_parquet(out / "hollow_risk.parquet", analysis.hollow_risk)
        write_csv(out / "hollow_risk.csv", analysis.hollow_risk)
        write_csv(out / "hollow_risk_by_school.csv", risk_by_school(analysis.hollow_risk))
    status = analysis.runs["status"].value_counts().to_dict() if len(analysis.runs) else {}
    write_json(
        out / "analysis.json",
        {
            "outputs": analysis.outputs,
            "runs": {k: int(v) for k, v in status.items()},
            "notes": analysis.notes,
        },
    )
    return out


def run_outputs(store: SweepStore, design: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """One row per design run: inputs, status, error, final-year metrics and cumulative flows."""
    parts = [_reduce(chunk, keys) for chunk in store.iter_chunks()]
    outputs = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({"run_id": pd.Series(dtype=str)})
    )
    runs = design.merge(outputs, on="run_id", how="left")
    failures = store.read_failures()
    ok = runs["run_id"].isin(store.finished())
    failed = runs["run_id"].isin(set(failures["run_id"])) & ~ok
    runs.insert(
        len(design.columns), "status", np.where(ok, "ok", np.where(failed, "failed", "missing"))
    )
    errors = dict(zip(failures["run_id"], failures["error"]))
    runs.insert(
        len(design.columns) + 1,
        "error",
        [errors.get(r, "") if f else "" for r, f in zip(runs["run_id"], failed)],
    )
    return runs


def _point_means(
    runs: pd.DataFrame, spec: dict[str, Any], outputs: Sequence[str], notes: list[str],
    what: str,
) -> tuple[list[VarySpec], pd.DataFrame] | None:
    """Average each output over the replicates of each design point, for SALib's analyses.

    Returns the varied specs and the means (one row per point, in point order), or None with
    a note naming ``what`` when there is no varied key or a point has no finished run.
    """
    specs: list[VarySpec] = [parse_vary(text) for text in spec.get("vary", [])]
    if not specs:
        notes.append(f"{what} not computed: sweep.json lists no varied key")
        return None
    ok = runs[runs["status"] == "ok"]
    n_points = int(spec.get("points", runs["point"].nunique()))
    means = ok.groupby("point")[list(outputs)].mean(numeric_only=True).reindex(range(n_points))
    missing = int(means.isna().all(axis=1).sum()) if len(outputs) else 0
    if missing:
        notes.append(
            f"{what} not computed: {missing} of {n_points} design points have no "
            "finished run (rerun the sweep with --resume to retry failed runs)"
        )
        return None
    return specs, means


def _analysable(y: np.ndarray, output: str, what: str, notes: list[str]) -> bool:
    """Tell whether an output can be analysed (finite everywhere, not constant); else note."""
    if not np.all(np.isfinite(y)):
        notes.append(f"{what} of {output} not computed: some design points give no value")
        return False
    if np.ptp(y) == 0:
        notes.append(f"{what} of {output} not computed: the output is constant over the design")
        return False
    return True


def morris_indices(
    runs: pd.DataFrame, spec: dict[str, Any], outputs: Sequence[str], notes: list[str]
) -> pd.DataFrame | None:
    """Morris elementary effects of each output (mean over replicates per point).

    The design's sample is drawn again from ``sweep.json`` (same keys, N and seed give the
    same trajectories). Returns None (with a note) when a design point has no finished run.
    """
    from SALib.analyze import morris

    found = _point_means(runs, spec, outputs, notes, "Morris indices")
    if found is None:
        return None
    specs, means = found
    problem = salib_problem(specs)
    x = salib_sample(specs, "morris", int(spec["samples"]), int(spec.get("seed", 0)))
    columns = ["output", "parameter", "mu_star", "mu_star_conf", "mu", "sigma", "mu_star_share"]
    rows = []
    for output in outputs:
        y = means[output].to_numpy(dtype=float)
        if not _analysable(y, output, "Morris indices", notes):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = morris.analyze(problem, x, y, num_levels=MORRIS_LEVELS,
                                    seed=int(spec.get("seed", 0)))
        top = float(np.max(result["mu_star"])) or 1.0
        for i, name in enumerate(problem["names"]):
            rows.append({
                "output": output, "parameter": name, "mu_star": float(result["mu_star"][i]),
                "mu_star_conf": float(result["mu_star_conf"][i]), "mu": float(result["mu"][i]),
                "sigma": float(result["sigma"][i]),
                "mu_star_share": float(result["mu_star"][i]) / top,
            })
    return pd.DataFrame(rows, columns=columns)


def sobol_indices(
    runs: pd.DataFrame, spec: dict[str, Any], outputs: Sequence[str], notes: list[str]
) -> pd.DataFrame | None:
    """First-order and total Sobol indices of each output (mean over replicates per point).

    Returns None (with a note) when a design point has no finished run.
    """
    from SALib.analyze import sobol

    found = _point_means(runs, spec, outputs, notes, "Sobol indices")
    if found is None:
        return None
    specs, means = found
    problem = salib_problem(specs)
    rows = []
    for output in outputs:
        y = means[output].to_numpy(dtype=float)
        if not _analysable(y, output, "Sobol indices", notes):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sobol.analyze(
                problem,
                y,
                calc_second_order=bool(spec.get("second_order", False)),
                seed=int(spec.get("seed", 0)),
            )
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "output": output,
                    "parameter": name,
                    "S1": float(result["S1"][i]),
                    "S1_conf": float(result["S1_conf"][i]),
                    "ST": float(result["ST"][i]),
                    "ST_conf": float(result["ST_conf"][i]),
                }
            )
    return pd.DataFrame(rows, columns=["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"])


def hollow_risks(
    store: SweepStore,
    design: pd.DataFrame,
    keys: Sequence[str],
    within_years: int | None,
    notes: list[str],
) -> pd.DataFrame | None:
    """Hollow risk of each school per design point, across that point's replicates."""
    if "schools" not in store.tables():
        notes.append("hollow risk not computed: the runs wrote no school panel")
        return None
    finished = store.finished()
    done = design[design["run_id"].isin(finished)]
    parts = []
    for point, group in done.groupby("point", sort=True):
        panel = store.read_table("schools", list(group["run_id"]))
        if not len(panel):
            continue
        horizon = within_years if within_years is not None else int(panel["year"].nunique())
        risk = hollow_risk(panel.drop(columns=["run_id", "point"]), horizon)
        head = group.iloc[0]
        front = {"point": int(point), **{k: head[k] for k in keys}}
        risk = risk.assign(**front)
        parts.append(risk[[*front, *[c for c in risk.columns if c not in front]]])
    return pd.concat(parts, ignore_index=True) if parts else None


def risk_by_school(risk: pd.DataFrame) -> pd.DataFrame:
    """Each school's hollow risk over the design points: mean, lowest and highest, sorted by mean.

    Meaningful when the points share one county (the county itself is not varied).
    """
    grouped = risk.groupby(["school_id", "name"], sort=False)["hollow_risk"]
    out = grouped.agg(mean_risk="mean", lowest="min", highest="max", points="size").reset_index()
    return out.sort_values(["mean_risk", "school_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def _reduce(chunk: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    skip = {*ID_COLUMNS, *keys}
    metrics = [
        c for c in chunk.columns if c not in skip and pd.api.types.is_numeric_dtype(chunk[c])
    ]
    if "year" not in chunk.columns:  # an evaluation without years: its last row is "final"
        chunk = chunk.assign(year=chunk.groupby("run_id").cumcount())
    last = chunk["year"] == chunk.groupby("run_id")["year"].transform("max")
    final = chunk.loc[last, ["run_id", "year", *metrics]].rename(columns={"year": "final_year"})
    flows = [m for m in FLOW_METRICS if m in metrics]
    if flows:
        cumulative = (
            chunk.groupby("run_id")[flows].sum(min_count=1).add_suffix("_cumulative").reset_index()
        )
        final = final.merge(cumulative, on="run_id", how="left")
    return final

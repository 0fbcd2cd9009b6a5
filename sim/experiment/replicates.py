"""Replicates: seeds from one root seed, and means with 95% intervals over replicates.

Replicate r of a run uses ``sim.seeds.replicate_rng(root_seed, r)``, the r-th child of
``numpy.random.SeedSequence(root_seed).spawn(...)``. The same (root seed, r) pair gives the
same random numbers in every scenario and design point: *common random numbers*, which
make differences between scenarios tight.

Intervals are Student-t intervals of the mean over replicates:
``mean ± t(0.975, n-1) · sd / √n``. With one replicate (n = 1) there is no spread to
estimate; the interval is the point itself (lo = hi = mean).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiment.errors import ExperimentError
from sim.scenario.schema_base import MAX_SEED

CONFIDENCE = 0.95
NON_METRICS = ("scenario", "replicate", "year", "run_id", "point", "seed")


def check_seed(seed: Any, option: str = "--seed") -> int:
    """Check a root seed: a whole number from 0 to :data:`MAX_SEED` (2**63 - 1).

    Seeds are stored as signed 64-bit integers in the design and run tables, and
    ``SeedSequence`` takes no negative number.

    Parameters
    ----------
    seed
        The seed given.
    option
        How the message names it.

    Returns
    -------
    int
        The seed.

    Raises
    ------
    ExperimentError
        Not a whole number, or outside 0..2**63 - 1 (the message gives the range).
    """
    whole = isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_))
    if not whole or not 0 <= int(seed) <= MAX_SEED:
        raise ExperimentError(
            f"{option} {seed}: must be a whole number from 0 to {MAX_SEED} (2**63 - 1)"
        )
    return int(seed)


def replicate_seeds(root_seed: int, replicates: int) -> list[np.random.SeedSequence]:
    """Spawn the seed sequences of replicates 0..n-1 (``SeedSequence(root_seed).spawn(n)``).

    Equal, replicate by replicate, to ``sim.seeds.replicate_seed_sequence(root_seed, r)``.
    """
    return np.random.SeedSequence(root_seed).spawn(replicates)


def mean_interval(
    values: Iterable[float], confidence: float = CONFIDENCE
) -> tuple[float, float, float, int]:
    """(mean, lo, hi, n) of the finite values: a t interval of the mean (point when n = 1).

    Returns NaNs and n = 0 when no value is finite.
    """
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return (float("nan"), float("nan"), float("nan"), 0)
    mean = float(x.mean())
    half = _half_width(float(x.std(ddof=1)) if n > 1 else 0.0, n, confidence)
    return (mean, mean - half, mean + half, n)


def summarise(
    frame: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    by: Sequence[str] = ("year",),
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Mean and interval over replicates of every metric, per group (default: per year).

    Parameters
    ----------
    frame
        Rows per replicate (e.g. ``RunResult.county``: ``replicate, year, <metrics>``).
    metrics
        Columns to summarise (default: every numeric column except ``by`` and ids).
    by
        Grouping columns; each group's rows are the replicates.
    confidence
        Coverage of the interval (default 0.95).

    Returns
    -------
    DataFrame
        ``<by>, metric, n, mean, sd, lo, hi`` (long: one row per group and metric).
    """
    by = list(by)
    if metrics is None:
        metrics = [
            c
            for c in frame.columns
            if c not in by and c not in NON_METRICS and _is_numeric(frame[c])
        ]
    long = frame.melt(id_vars=by, value_vars=list(metrics), var_name="metric", value_name="value")
    long["value"] = pd.to_numeric(long["value"], errors="coerce").astype(float)
    long = long[np.isfinite(long["value"])]
    grouped = long.groupby([*by, "metric"], sort=False)["value"]
    out = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    out["sd"] = out["sd"].fillna(0.0)
    half = _half_width(out["sd"].to_numpy(), out["n"].to_numpy(), confidence)
    out["lo"] = out["mean"] - half
    out["hi"] = out["mean"] + half
    order = {m: i for i, m in enumerate(metrics)}
    out = out.sort_values(
        [*by, "metric"], key=lambda s: s.map(order) if s.name == "metric" else s, kind="stable"
    )
    return out.reset_index(drop=True)


def _half_width(sd: Any, n: Any, confidence: float) -> Any:
    n = np.asarray(n, dtype=float)
    t = stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1))
    half = np.where(n > 1, t * np.asarray(sd, dtype=float) / np.sqrt(np.maximum(n, 1)), 0.0)
    return float(half) if half.ndim == 0 else half


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)

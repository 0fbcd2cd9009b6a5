"""Time series of the key county metrics: the mean over replicates with its 95% band.

The band is the Student-t 95% interval of the mean over replicates
(:func:`sim.experiment.replicates.summarise`), the same interval as every table of edusim;
with one replicate there is no band. Several scenarios are drawn in one panel each, one
colour per scenario, so a comparison reads at a glance.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from scipy.special import stdtrit

from sim.viz import style

CONFIDENCE = 0.95

KEY_METRICS = (
    "pupils",
    "schools_open",
    "hollow_share",
    "hard_access_share",
    "mean_commute_min",
    "boarders",
    "dropouts",
    "retention_rate",
    "county_town_pupil_share",
    "quality_rural",
    "teachers",
    "cost_per_pupil",
)


def wide_county(county: pd.DataFrame) -> pd.DataFrame:
    """A county table with one column per metric, from the wide or the long form.

    Parameters
    ----------
    county : pandas.DataFrame
        The wide form (``[scenario,] replicate, year, <metrics>``) or the long form of a
        comparison (``scenario, replicate, year, metric, value``).

    Returns
    -------
    pandas.DataFrame
        The wide form (``county`` itself when it is already wide).
    """
    if {"metric", "value"} <= set(county.columns):
        ids = [c for c in ("scenario", "replicate", "year") if c in county.columns]
        wide = county.pivot_table(
            index=ids, columns="metric", values="value", aggfunc="first", observed=True
        )
        return wide.reset_index().rename_axis(columns=None)
    return county


def t_half_width(sd, n, confidence: float = CONFIDENCE):
    """Half-width of the Student-t interval of a mean: t(0.975, n-1)·sd/√n (0 when n < 2).

    The same interval as :func:`sim.experiment.replicates.mean_interval`, computed with
    ``scipy.special`` so that figures do not import ``scipy.stats`` (slow to load).

    Parameters
    ----------
    sd : float or array_like
        Sample standard deviations (NaN counts as 0).
    n : int or array_like
        Sample sizes.
    confidence : float, default CONFIDENCE
        Confidence level, a fraction in (0, 1).

    Returns
    -------
    numpy.ndarray
        The half-widths, in the unit of ``sd``.
    """
    n = np.asarray(n, dtype=float)
    t = stdtrit(np.maximum(n - 1, 1), 0.5 + confidence / 2)
    return np.where(
        n > 1, t * np.nan_to_num(np.asarray(sd, dtype=float)) / np.sqrt(np.maximum(n, 1)), 0.0
    )


def band_table(
    county: pd.DataFrame, metrics: Sequence[str], by: str | Sequence[str] | None = "year"
) -> pd.DataFrame:
    """Mean and 95% interval of each metric over the rows (replicates) of each group.

    Parameters
    ----------
    county : pandas.DataFrame
        A wide county table.
    metrics : sequence of str
        The metric columns to summarise (non-finite values are left out).
    by : str, sequence of str or None, default "year"
        A column, a list of columns or None (one group).

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>, metric, n, mean, lo, hi``.
    """
    groups = [by] if isinstance(by, str) else list(by or [])
    frame = county[[*groups, *metrics]].copy()
    for g in groups:
        if g != "year":
            frame[g] = frame[g].astype(str)
    long = frame.melt(
        id_vars=groups, value_vars=list(metrics), var_name="metric", value_name="value"
    )
    long["value"] = pd.to_numeric(long["value"], errors="coerce").astype(float)
    long = long[np.isfinite(long["value"])]
    out = (
        long.groupby([*groups, "metric"], sort=False)["value"]
        .agg(n="count", mean="mean", sd="std")
        .reset_index()
    )
    half = t_half_width(out["sd"].to_numpy(), out["n"].to_numpy())
    out["lo"] = out["mean"] - half
    out["hi"] = out["mean"] + half
    return out.drop(columns="sd")


def plot_timeseries(
    county: pd.DataFrame,
    metrics: Sequence[str] | None = None,
    by: str | None = None,
    order: Sequence[str] | None = None,
    title: str | None = None,
    ncols: int = 4,
) -> Figure:
    """Small multiples of county metrics over the years, mean and 95% band over replicates.

    Parameters
    ----------
    county : pandas.DataFrame
        ``RunResult.county`` (wide) or a comparison's ``county_long`` (long).
    metrics : sequence of str, optional
        Metrics to draw, one panel each (default :data:`KEY_METRICS` present).
    by : str, optional
        Column with one line per value (e.g. ``"scenario"``); default: the ``scenario``
        column when it has several values, else one line.
    order : sequence of str, optional
        Order (and colours) of the ``by`` values; default order of appearance.
    title : str, optional
        Figure title.
    ncols : int, default 4
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.

    Raises
    ------
    ValueError
        When none of the metrics is in the table.
    """
    county = wide_county(county)
    if by is None and "scenario" in county.columns and county["scenario"].nunique() > 1:
        by = "scenario"
    metrics = [m for m in (metrics or KEY_METRICS) if m in county.columns]
    if not metrics:
        raise ValueError("no metric to draw: none of the requested metrics is in the table")
    bands = band_table(county, metrics, [by, "year"] if by else "year")
    groups = [None]
    if by:
        present = list(dict.fromkeys(county[by].astype(str)))
        groups = [g for g in (order or present) if g in present]
    n_reps = int(county["replicate"].nunique()) if "replicate" in county.columns else 1
    with style.figure_style():
        ncols = min(ncols, len(metrics))
        nrows = int(np.ceil(len(metrics) / ncols))
        legend_rows = int(np.ceil((len(groups) + (n_reps > 1)) / 6)) if by else 0
        legend_in = 0.35 + 0.22 * legend_rows if by else 0.35
        fig = style.new_figure(
            3.1 * ncols, 2.0 * nrows + 0.35 * nrows + 0.5 + legend_in, layout=None
        )
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
        # fixed margins: constrained layout costs ~0.5 s on a 12-panel figure
        style.fixed_margins(
            fig,
            nrows,
            ncols,
            left=0.75,
            right=0.15,
            top=0.75,
            bottom=0.45 + legend_in,
            wspace=0.8,
            hspace=0.5,
        )
        years = sorted(county["year"].unique())
        for i, metric in enumerate(metrics):
            ax = axes.flat[i]
            data = bands[bands["metric"] == metric].copy()
            if (
                len(data) and float(np.nanmin(data["mean"])) >= 0
            ):  # counts and shares cannot go below 0
                data["lo"] = data["lo"].clip(lower=0)
            if style.metric_kind(metric) == "share":
                data["hi"] = data["hi"].clip(upper=1)
            for k, group in enumerate(groups):
                d = data if group is None else data[data[by] == group]
                d = d.sort_values("year")
                color = style.BLUE if group is None else style.CYCLE[k % len(style.CYCLE)]
                if (d["hi"] > d["lo"]).any():
                    ax.fill_between(
                        d["year"],
                        d["lo"],
                        d["hi"],
                        color=color,
                        alpha=0.22 if len(groups) == 1 else 0.15,
                        linewidth=0,
                    )
                ax.plot(
                    d["year"],
                    d["mean"],
                    color=color,
                    linewidth=1.8,
                    marker="o" if len(years) <= 3 else None,
                )
            ax.set_title(
                style.metric_label(metric, with_unit=False), loc="left", fontsize=style.FONT_SIZE
            )
            unit = style.METRICS.get(metric, ("", "", ""))[1]
            ax.set_ylabel(unit)
            style.format_axis(ax.yaxis, metric)
            lo = float(np.nanmin(data["lo"])) if len(data) else 0.0
            if lo >= 0:
                ax.set_ylim(bottom=0)
            if style.metric_kind(metric) == "share":
                top = float(np.nanmax(data["hi"])) if len(data) else 1.0
                ax.set_ylim(top=min(1.02, max(top * 1.1, 0.05)) if top > 0 else 0.05)
            if style.METRICS.get(metric, ("", "", ""))[1] == "index 0–1":
                ax.set_ylim(0, 1)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        for ax in axes.flat[len(metrics) :]:
            ax.set_visible(False)
        for ax in axes[-1]:
            ax.set_xlabel("year")
        band_text = (
            f"line: mean of {n_reps} replicates; band: 95% interval of the mean"
            if n_reps > 1
            else "1 replicate (no interval; run with --replicates for 95% bands)"
        )
        fig.suptitle(title or "County metrics over time")
        if by:
            handles = [
                Line2D([], [], color=style.CYCLE[k % len(style.CYCLE)], linewidth=2.2, label=g)
                for k, g in enumerate(groups)
            ]
            if n_reps > 1:
                handles.append(
                    Patch(facecolor="#888888", alpha=0.3, label="95% interval of the mean")
                )
            fig.legend(
                handles=handles,
                loc="lower center",
                ncol=min(len(handles), 6),
                title=f"{by} — mean of {n_reps} replicates" if n_reps > 1 else by,
            )
        else:
            fig.text(
                0.5,
                0.02,
                band_text,
                ha="center",
                va="bottom",
                fontsize=style.FONT_SIZE - 0.5,
                color="#444444",
            )
    return fig

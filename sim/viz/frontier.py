"""The trade-off the county plans warn about: hollow schools against hard-to-reach schooling.

One point per scenario at its final year: ``hard_access_share`` on x (pupils with a day
commute over the limit, boarding too young, or dropping out) and ``hollow_share`` on y,
each with its 95% interval over replicates as error bars. Lower-left is better on both;
the scenarios no other scenario beats on both axes (the Pareto frontier) are joined by a
dashed line. Optionally each scenario's path over the years is drawn faintly behind its
point, from an open circle at the first year.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.viz import style
from sim.viz.timeseries import band_table, wide_county

X, Y = "hard_access_share", "hollow_share"


def frontier_from_county(county: pd.DataFrame, by: str | None = "scenario") -> pd.DataFrame:
    """The frontier table (as ``frontier.csv`` of a comparison) from county rows.

    Parameters
    ----------
    county : pandas.DataFrame
        County rows, wide or long (:func:`~sim.viz.timeseries.wide_county`).
    by : str or None, default "scenario"
        The column naming the scenario of each row.

    Returns
    -------
    pandas.DataFrame
        ``scenario, year, n, hollow_share_mean/lo/hi, hard_access_share_mean/lo/hi`` (shares
        in [0, 1]) at each scenario's final year; without a ``by`` column the table has one
        row, scenario "run".
    """
    county = wide_county(county)
    if by is None or by not in county.columns:
        county = county.assign(scenario="run")
        by = "scenario"
    county = county.assign(**{by: county[by].astype(str)})
    last = county["year"] == county.groupby(by)["year"].transform("max")
    final = county.loc[last]
    stats = band_table(final, [m for m in (Y, X) if m in final.columns], by)
    rows = []
    for label in dict.fromkeys(final[by]):
        row = {"scenario": label, "year": int(final.loc[final[by] == label, "year"].iloc[0])}
        mine = stats[stats[by] == label]
        row["n"] = int(mine["n"].max()) if len(mine) else 0
        for metric in (Y, X):
            hit = mine[mine["metric"] == metric]
            for col in ("mean", "lo", "hi"):
                row[f"{metric}_{col}"] = float(hit[col].iloc[0]) if len(hit) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def pareto_front(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Indices of the points no other point beats on both x and y (lower is better), by x.

    Parameters
    ----------
    x, y : array_like
        The points' coordinates; points with a non-finite coordinate are never kept.

    Returns
    -------
    numpy.ndarray of int
        Indices of the frontier's points, sorted by x.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = []
    for i in range(len(x)):
        dominated = np.any((x <= x[i]) & (y <= y[i]) & ((x < x[i]) | (y < y[i])))
        if not dominated and np.isfinite(x[i]) and np.isfinite(y[i]):
            keep.append(i)
    keep = np.array(keep, dtype=int)
    return keep[np.argsort(x[keep], kind="stable")] if len(keep) else keep


def plot_frontier(
    frontier: pd.DataFrame,
    paths: pd.DataFrame | None = None,
    order: Sequence[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Hollow share against hard-access share, one point per scenario with 95% intervals.

    Parameters
    ----------
    frontier : pandas.DataFrame
        ``scenario, hollow_share_mean/lo/hi, hard_access_share_mean/lo/hi`` (``frontier.csv``
        or :func:`frontier_from_county`).
    paths : pandas.DataFrame, optional
        County rows (wide or long; with ``scenario`` when several) to draw each scenario's
        yearly path of means behind its point; None for points only.
    order : sequence of str, optional
        Scenario order (and colours); default the table's.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    frontier = frontier.assign(scenario=frontier["scenario"].astype(str))
    labels = [s for s in (order or list(frontier["scenario"])) if s in set(frontier["scenario"])]
    frontier = frontier.set_index("scenario").loc[labels].reset_index()
    colors = {s: style.CYCLE[i % len(style.CYCLE)] for i, s in enumerate(labels)}
    with style.figure_style():
        fig = style.new_figure(6.6, 5.4)
        ax = fig.subplots()
        xmax = ymax = 0.0
        if paths is not None:
            wide = wide_county(paths)
            if "scenario" not in wide.columns:
                wide = wide.assign(scenario=labels[0] if labels else "run")
            wide = wide.assign(scenario=wide["scenario"].astype(str))
            means = wide.groupby(["scenario", "year"])[[X, Y]].mean().reset_index()
            for s in labels:
                m = means[means["scenario"] == s].sort_values("year")
                if len(m) < 2:
                    continue
                ax.plot(m[X], m[Y], color=colors[s], alpha=0.45, linewidth=1.2, zorder=2)
                ax.scatter(
                    m[X].iloc[:1],
                    m[Y].iloc[:1],
                    s=28,
                    facecolors="white",
                    edgecolors=colors[s],
                    linewidths=1.2,
                    zorder=3,
                )
                xmax, ymax = max(xmax, m[X].max()), max(ymax, m[Y].max())
        front = pareto_front(frontier[f"{X}_mean"].to_numpy(), frontier[f"{Y}_mean"].to_numpy())
        if len(front) > 1:
            ax.plot(
                frontier[f"{X}_mean"].to_numpy()[front],
                frontier[f"{Y}_mean"].to_numpy()[front],
                color="#555555",
                linestyle="--",
                linewidth=1.0,
                zorder=1,
            )
        for i, row in frontier.iterrows():
            s = row["scenario"]
            xm, ym = row[f"{X}_mean"], row[f"{Y}_mean"]
            xerr = [[max(xm - row[f"{X}_lo"], 0)], [max(row[f"{X}_hi"] - xm, 0)]]
            yerr = [[max(ym - row[f"{Y}_lo"], 0)], [max(row[f"{Y}_hi"] - ym, 0)]]
            ax.errorbar(
                [xm],
                [ym],
                xerr=xerr,
                yerr=yerr,
                fmt="o",
                color=colors[s],
                markersize=8,
                markeredgecolor=style.BLACK,
                markeredgewidth=0.6,
                elinewidth=1.4,
                capsize=3,
                zorder=4,
            )
            ax.annotate(
                s,
                (xm, ym),
                xytext=(7, 6),
                textcoords="offset points",
                fontsize=style.FONT_SIZE,
                color=style.BLACK,
                zorder=5,
            )
            xmax, ymax = max(xmax, row[f"{X}_hi"]), max(ymax, row[f"{Y}_hi"])
        ax.set_xlim(0, max(xmax * 1.2, 0.01))
        ax.set_ylim(0, min(max(ymax * 1.15, 0.05), 1.05))
        ax.set_xlabel("Hard access: day commute over limit, young boarder or dropout (% of pupils)")
        ax.set_ylabel("Hollow schools (% of open schools)")
        style.format_axis(ax.xaxis, X)
        style.format_axis(ax.yaxis, Y)
        year = int(frontier["year"].max()) if "year" in frontier and len(frontier) else None
        n = int(frontier["n"].max()) if "n" in frontier and len(frontier) else 1
        sub = f"final year{f' {year}' if year else ''}; " + (
            f"mean of {n} replicates, bars: 95% interval" if n > 1 else "1 replicate"
        )
        ax.set_title(sub, fontsize=style.FONT_SIZE, fontweight="normal", loc="left")
        fig.suptitle(title or "Trade-off: hollow schools vs hard access")
        ax.text(
            0.99,
            0.01,
            "lower left is better on both",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=style.FONT_SIZE - 1,
            color="#555555",
        )
        handles = []
        if paths is not None:
            handles.append(
                Line2D(
                    [],
                    [],
                    color="#777777",
                    alpha=0.6,
                    marker="o",
                    markerfacecolor="white",
                    label="path over the years (○ = first year)",
                )
            )
        if len(front) > 1:
            handles.append(
                Line2D(
                    [], [], color="#555555", linestyle="--", linewidth=1.0, label="Pareto frontier"
                )
            )
        if handles:
            ax.legend(handles=handles, loc="upper left")
    return fig

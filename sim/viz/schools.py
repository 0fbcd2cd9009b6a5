"""Each school's pupils over time, years in which it is hollow highlighted.

One panel per tier (village, township, county town), because their sizes differ by two
orders of magnitude. A line segment is orange when the school is hollow at its end year and
blue otherwise, so a school "going hollow" changes colour where it crosses the threshold;
schools that were not hollow in the first year but are in the last are drawn thicker. A
closed school's line stops with a grey cross.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.viz import style

TIER_TITLES = {
    "village": "Village schools",
    "township": "Township schools",
    "county_town": "County-town schools",
}


def plot_school_pupils(
    schools: pd.DataFrame, replicate: int | None = None, title: str | None = None
) -> Figure:
    """Pupils of every school by year, one panel per tier, hollow years highlighted.

    Parameters
    ----------
    schools : pandas.DataFrame
        The school panel (``RunResult.schools``: replicate, year, school_id, tier, status,
        pupils, hollow).
    replicate : int, optional
        Replicate shown (default: the first); school stories differ between replicates.
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    panel = schools
    reps = sorted(panel["replicate"].unique()) if "replicate" in panel else [0]
    rep = reps[0] if replicate is None else replicate
    if "replicate" in panel:
        panel = panel[panel["replicate"] == rep]
    panel = panel.sort_values(["school_id", "year"])
    tiers = [t for t in TIER_TITLES if (panel["tier"].astype(str) == t).any()]
    first, last = panel["year"].min(), panel["year"].max()
    with style.figure_style():
        fig = style.new_figure(3.9 * max(len(tiers), 1) + 0.3, 4.4)
        axes = fig.subplots(1, max(len(tiers), 1), squeeze=False)[0]
        for ax, tier in zip(axes, tiers):
            sub = panel[panel["tier"].astype(str) == tier]
            _draw_tier(ax, sub)
            n = sub["school_id"].nunique()
            h0 = int(sub.loc[sub["year"] == first, "hollow"].sum())
            h1 = int(sub.loc[sub["year"] == last, "hollow"].sum())
            ax.set_title(
                f"{TIER_TITLES[tier]} ({n})\nhollow: {h0} in {first} → {h1} in {last}", loc="left"
            )
            ax.set_xlabel("year")
            ax.set_ylabel("pupils")
            ax.set_ylim(bottom=0)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        handles = [
            Line2D([], [], color=style.BLUE, linewidth=1.6, label="not hollow"),
            Line2D(
                [],
                [],
                color=style.ORANGE,
                linewidth=1.6,
                label="hollow (low utilisation or too few pupils)",
            ),
            Line2D([], [], color=style.ORANGE, linewidth=3.0, label=f"became hollow by {last}"),
            Line2D(
                [], [], color=style.GREY, marker="X", linestyle="none", markersize=7, label="closed"
            ),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncol=4)
        rep_text = f"replicate {rep} of {len(reps)}" if len(reps) > 1 else f"replicate {rep}"
        fig.suptitle(f"{title or 'Pupils of each school'} ({rep_text})")
    return fig


def _draw_tier(ax, sub: pd.DataFrame) -> None:
    """Segments between consecutive years of each school, coloured by the end year's flag."""
    first, last = sub["year"].min(), sub["year"].max()
    is_open = sub["status"].astype(str).to_numpy() == "open"
    school = sub["school_id"].to_numpy()
    year = sub["year"].to_numpy(dtype=float)
    pupils = np.where(is_open, sub["pupils"].to_numpy(dtype=float), np.nan)
    hollow = sub["hollow"].fillna(False).to_numpy(dtype=bool)
    start_h = sub[sub["year"] == first].set_index("school_id")["hollow"].astype(bool)
    end_h = sub[sub["year"] == last].set_index("school_id")["hollow"].astype(bool)
    became = set(end_h.index[end_h & ~start_h.reindex(end_h.index, fill_value=False)])
    same = school[1:] == school[:-1]
    ok = same & np.isfinite(pupils[1:]) & np.isfinite(pupils[:-1])
    idx = np.flatnonzero(ok)
    segs = np.stack(
        [
            np.column_stack([year[idx], pupils[idx]]),
            np.column_stack([year[idx + 1], pupils[idx + 1]]),
        ],
        axis=1,
    )
    seg_hollow = hollow[idx + 1]
    seg_became = np.isin(school[idx + 1], list(became))
    # blue first, hollow on top, thick "became hollow" last
    for mask, color, width, z in (
        (~seg_hollow & ~seg_became, style.BLUE, 0.9, 2),
        (~seg_hollow & seg_became, style.BLUE, 2.2, 3),
        (seg_hollow & ~seg_became, style.ORANGE, 0.9, 3),
        (seg_hollow & seg_became, style.ORANGE, 2.2, 4),
    ):
        if mask.any():
            ax.add_collection(
                LineCollection(segs[mask], colors=color, linewidths=width, alpha=0.85, zorder=z)
            )
    # one-year schools and isolated open years: points
    lone = np.isfinite(pupils) & ~np.r_[ok, False] & ~np.r_[False, ok]
    if lone.any():
        ax.scatter(
            year[lone],
            pupils[lone],
            s=10,
            c=np.where(hollow[lone], style.ORANGE, style.BLUE),
            zorder=4,
        )
    # closures: the last open year of a school followed by a closed year
    closed_next = (
        same
        & np.isfinite(pupils[:-1])
        & ~np.isfinite(pupils[1:])
        & (sub["status"].astype(str).to_numpy()[1:] == "closed")
    )
    ci = np.flatnonzero(closed_next)
    if len(ci):
        ax.scatter(
            year[ci],
            pupils[ci],
            s=40,
            marker="X",
            c=style.GREY,
            edgecolors="#555555",
            linewidths=0.4,
            zorder=5,
        )
    ax.set_xlim(first - 0.3, last + 0.3)
    top = np.nanmax(pupils) if np.isfinite(pupils).any() else 1.0
    ax.set_ylim(0, top * 1.05 + 1)

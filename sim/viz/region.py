"""The figure of a region run: its headline metrics by year, each county faint behind.

``sim.experiment.region`` writes the tables; the CLI draws this figure after aggregating.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.experiment.region import REGION_DIR
from sim.experiment.storage import SweepStore
from sim.viz.style import BLUE, GREY, figure_style, format_axis, metric_label, new_figure, save_png

#: The panels: the region's story on both sides (hollow schools, hard access) and its size.
PANELS = ("pupils", "hollow_share", "hard_access_share", "county_town_pupil_share")
FIGURE_NAME = "region.png"


def region_figure(region: pd.DataFrame, county: pd.DataFrame, title: str) -> Figure:
    """Draw the region's metrics by year (bold) over each county's (faint; pupils: none).

    Parameters
    ----------
    region : pandas.DataFrame
        ``region.csv`` (``sim.experiment.region.region_table``).
    county : pandas.DataFrame
        The counties' yearly rows (``runs/county``), with ``point``.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
    """
    with figure_style():
        fig = new_figure(9.0, 6.0)
        axes = fig.subplots(2, 2, sharex=True).ravel()
        for ax, metric in zip(axes, PANELS):
            if metric != "pupils":  # a county's pupils are on another scale than the sum
                for _, runs in county.groupby("point"):
                    ax.plot(runs["year"], runs[metric], color=GREY, linewidth=0.6, alpha=0.35)
            ax.plot(region["year"], region[metric], color=BLUE, linewidth=2.2, label="region")
            ax.set_title(metric_label(metric))
            format_axis(ax.yaxis, metric)
        for ax in axes:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[0].legend(frameon=False, fontsize="small")
        n = int(region["counties"].max()) if len(region) else 0
        fig.suptitle(f"{title}: {n} counties (grey: each county)")
    return fig


def write_region_figure(folder: str | Path) -> Path:
    """Draw ``region/region.png`` of a region folder from its tables.

    Parameters
    ----------
    folder : str or Path
        A region folder with ``region/region.csv`` written.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    folder = Path(folder)
    store = SweepStore(folder)
    region = pd.read_csv(folder / REGION_DIR / "region.csv")
    fig = region_figure(region, store.read_table(), store.read_spec()["region"])
    return save_png(fig, folder / REGION_DIR / FIGURE_NAME)


__all__ = ["FIGURE_NAME", "PANELS", "region_figure", "write_region_figure"]

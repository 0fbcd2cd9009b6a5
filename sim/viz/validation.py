"""The figure of a validation: each fact's observation and tolerance, the model and the null.

``sim.experiment.validation`` returns and writes data only; the CLI draws this figure into the
folder as it is written, as ``edusim calibrate`` draws the fit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiment.validation import FIGURE_NAME, ValidationResult
from sim.viz.style import BLACK, BLUE, GREY, ORANGE, figure_style, new_figure, save_png

#: Figure width (inches); the height grows with the number of facts.
WIDTH_IN = 7.5
#: Height (inches) of the axes and title without facts, and of each fact's row.
BASE_HEIGHT_IN = 1.8
ROW_HEIGHT_IN = 0.55
#: Vertical offset of the model's and the null model's marks within a fact's row.
OFFSET = 0.15
CAP_SIZE = 3


def validation_figure(table: pd.DataFrame, title: str) -> Figure:
    """Draw, a row per fact: the observation with its tolerance band, model and null model.

    Parameters
    ----------
    table : pandas.DataFrame
        A validation table (``sim.experiment.validation.validation_table``).
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, on the Agg canvas. Facts that cannot be compared are drawn in grey with
        "(not comparable)" in their label.
    """
    n = len(table)
    with figure_style():
        fig = new_figure(WIDTH_IN, BASE_HEIGHT_IN + ROW_HEIGHT_IN * n)
        ax = fig.add_subplot()
        y = np.arange(n)[::-1].astype(float)
        scored = table["comparable"].astype(bool).to_numpy()
        obs, tol = table["observed"].to_numpy(float), table["tolerance"].to_numpy(float)
        ax.barh(y[scored], 2 * tol[scored], left=obs[scored] - tol[scored], height=0.6,
                color=GREY, alpha=0.25, label="observed ± tolerance")
        ax.scatter(obs, y, marker="D", color=np.where(scored, BLACK, GREY), zorder=3,
                   label="observed")
        for name, colour, dy, label in (("model", BLUE, OFFSET, "model (mean, 95% interval)"),
                                        ("null", ORANGE, -OFFSET, "null model")):
            mean = table[f"{name}_mean"].to_numpy(float)
            err = [mean - table[f"{name}_lo"].to_numpy(float),
                   table[f"{name}_hi"].to_numpy(float) - mean]
            ax.errorbar(mean, y + dy, xerr=err, fmt="o", color=colour, capsize=CAP_SIZE,
                        label=label)
        labels = [f + ("" if ok else "\n(not comparable)") for f, ok in zip(table["fact"], scored)]
        ax.set_yticks(y, labels)
        values = np.concatenate([obs, table["model_mean"].to_numpy(float),
                                 table["null_mean"].to_numpy(float)])
        if np.nanmin(values) >= 0 and np.nanmax(values) <= 1:  # every fact a share
            ax.xaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
            ax.set_xlabel("share")
        ax.set_title(title)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2,
                  fontsize="small", frameon=False)
    return fig


def write_validation_figure(result: ValidationResult, out: str | Path) -> Path:
    """Draw the figure into a validation folder (``validation.png``).

    Parameters
    ----------
    result : ValidationResult
        What the validation found.
    out : str or Path
        The (hidden, staged) folder being written.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    p = result.plan
    fig = validation_figure(result.table, f"{p.scenario.name} against {p.facts.name}")
    return save_png(fig, Path(out) / FIGURE_NAME)


__all__ = ["validation_figure", "write_validation_figure"]

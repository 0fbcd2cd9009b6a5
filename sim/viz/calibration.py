"""The figure of a calibration's fit: observed against simulated, one row per moment.

``sim.experiment.calibration`` returns and writes data only; the CLI draws this figure after
it, as ``edusim run`` draws a run's figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiment.calibration import CalibrationResult
from sim.viz.style import BLACK, BLUE, figure_style, new_figure, save_png

#: Figure width (inches); the height grows with the number of moments.
WIDTH_IN = 7.5
#: Height (inches) of the axes and title without moments, and of each moment's row.
BASE_HEIGHT_IN = 1.0
ROW_HEIGHT_IN = 0.45
#: The zero line: a light grey, thin.
ZERO_LINE = {"color": "#BBBBBB", "linewidth": 0.8}
#: Half-width of the caps of the simulated intervals (points).
CAP_SIZE = 3
RUN_FIGURE = "fit.png"


def fit_figure(fit: pd.DataFrame, title: str) -> Figure:
    """Draw observed (black diamond, or a grey bar for a range) against simulated, a row each.

    Parameters
    ----------
    fit : pandas.DataFrame
        A fit table (``sim.experiment.calibration.fit_table``): ``moment, kind, observed,
        observed_low, observed_high, simulated, lo, hi``; levels and changes are fractions or
        counts as the moment reads.
    title : str
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, on the Agg canvas.
    """
    n = len(fit)
    with figure_style():
        fig = new_figure(WIDTH_IN, BASE_HEIGHT_IN + ROW_HEIGHT_IN * n)
        ax = fig.add_subplot()
        y = np.arange(n)[::-1]
        interval = [fit["simulated"] - fit["lo"], fit["hi"] - fit["simulated"]]
        ax.errorbar(
            fit["simulated"],
            y,
            xerr=interval,
            fmt="o",
            color=BLUE,
            capsize=CAP_SIZE,
            label="simulated (mean, 95% interval)",
        )
        ranged = (fit["observed_high"] > fit["observed_low"]).to_numpy()
        if ranged.any():
            ax.hlines(y[ranged], fit["observed_low"][ranged], fit["observed_high"][ranged],
                      color=BLACK, linewidth=4, alpha=0.35, label="observed range (pattern)")
        ax.scatter(fit["observed"][~ranged], y[~ranged], marker="D", color=BLACK, zorder=3,
                   label="observed")
        ax.set_yticks(y, [f"{m}\n{k}" for m, k in zip(fit["moment"], fit["kind"])])
        ax.axvline(0, **ZERO_LINE)
        ax.xaxis.set_major_formatter(lambda v, _: f"{100 * v:.0f}%")
        ax.set_xlabel("level or relative change")
        ax.set_title(title)
        ax.legend(loc="best")
    return fig


def write_calibration_figures(
    result: CalibrationResult, out: str | Path, fitted_dir: str | Path | None = None
) -> list[Path]:
    """Draw the fit figure into a calibration's run folder (and beside the fitted overlay).

    Parameters
    ----------
    result : CalibrationResult
        What the calibration found.
    out : str or Path
        The run folder (``sim.experiment.calibration.write_calibration`` wrote it):
        ``fit.png`` goes there.
    fitted_dir : str or Path, optional
        When given, also ``<fitted_dir>/<targets>_fit.png``.

    Returns
    -------
    list[pathlib.Path]
        The files written.
    """
    name = result.problem.targets.name
    fig = fit_figure(result.fit, f"{result.problem.scenario.name} fitted to {name}")
    paths = [save_png(fig, Path(out) / RUN_FIGURE)]
    if fitted_dir is not None:
        paths.append(save_png(fig, Path(fitted_dir) / f"{name}_fit.png"))
    return paths


__all__ = ["fit_figure", "write_calibration_figures"]

"""Main effects of a sweep: how each output moves with each varied input.

One panel per input (columns) and output (rows). Each run is a faint dot; the line is the
output's mean per bin of the input, with the 95% interval of that mean. A grid design's
levels are the bins themselves; a continuous design (Latin hypercube, Sobol) is cut into
bins with equal numbers of runs. The other inputs vary within each bin, so a main effect
is averaged over them (it is the curve a one-at-a-time study would miss interactions of).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.viz import style
from sim.viz.timeseries import t_half_width

DEFAULT_OUTPUTS = ("hollow_share", "hard_access_share", "mean_commute_min", "cost_per_pupil")


def input_label(key: str) -> str:
    """A short label for a dotted scenario key: its last two parts.

    Parameters
    ----------
    key : str
        A dotted scenario key, e.g. ``"policies.consolidation.rule.min_class_size"``.

    Returns
    -------
    str
        The key's last two parts (the key itself when it has two or fewer).
    """
    parts = str(key).split(".")
    return ".".join(parts[-2:]) if len(parts) > 2 else str(key)


def main_effects_table(
    runs: pd.DataFrame, inputs: Sequence[str], outputs: Sequence[str], bins: int = 5
) -> pd.DataFrame:
    """The output's mean per bin of each input, with its 95% interval.

    ``x`` is the mean input value in the bin (numeric inputs) or the level's position
    (categorical inputs, whose level name is in ``label``).

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per run: input and output columns (rows whose ``status`` is not ``ok`` are
        left out).
    inputs : sequence of str
        Input columns; a numeric input with more than ``2 * bins`` values is cut into bins of
        equal numbers of runs, any other has one bin per level.
    outputs : sequence of str
        Output columns.
    bins : int, default 5
        Bins per continuous input.

    Returns
    -------
    pandas.DataFrame
        Columns ``input, bin, x, label, output, n, mean, lo, hi``.
    """
    if "status" in runs.columns:
        runs = runs[runs["status"] == "ok"]
    rows = []
    for key in inputs:
        values = runs[key]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        if numeric and values.nunique() > 2 * bins:
            codes = pd.qcut(values.astype(float), q=bins, labels=False, duplicates="drop")
        else:
            levels = sorted(values.dropna().unique(), key=lambda v: (str(type(v)), v))
            codes = values.map({v: i for i, v in enumerate(levels)})
        for b in sorted(pd.unique(codes.dropna())):
            inside = runs[codes == b]
            if numeric:
                x, label = (
                    float(inside[key].astype(float).mean()),
                    f"{inside[key].min():.3g}–{inside[key].max():.3g}",
                )
            else:
                x, label = float(b), str(inside[key].iloc[0])
            for out in outputs:
                y = inside[out].to_numpy(dtype=float)
                y = y[np.isfinite(y)]
                n = len(y)
                mean = float(y.mean()) if n else float("nan")
                half = (
                    float(t_half_width(y.std(ddof=1) if n > 1 else 0.0, n)) if n else float("nan")
                )
                lo, hi = mean - half, mean + half
                rows.append(
                    {
                        "input": key,
                        "bin": int(b),
                        "x": x,
                        "label": label,
                        "output": out,
                        "n": n,
                        "mean": mean,
                        "lo": lo,
                        "hi": hi,
                    }
                )
    return pd.DataFrame(
        rows, columns=["input", "bin", "x", "label", "output", "n", "mean", "lo", "hi"]
    )


def plot_main_effects(
    runs: pd.DataFrame,
    inputs: Sequence[str],
    outputs: Sequence[str] | None = None,
    bins: int = 5,
    title: str | None = None,
) -> Figure:
    """Main effects of each varied input on each output (module docstring).

    Parameters
    ----------
    runs : pandas.DataFrame
        One row per run: input columns and output columns (``analysis/runs.parquet`` of a
        sweep; rows whose ``status`` is not ``ok`` are left out).
    inputs : sequence of str
        Input columns (the sweep's varied keys).
    outputs : sequence of str, optional
        Output columns (default: :data:`DEFAULT_OUTPUTS` present).
    bins : int, default 5
        Bins per continuous input (at most a quarter of the runs, at least 2).
    title : str, optional
        Figure title.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.

    Raises
    ------
    ValueError
        When there is no input, or none of the outputs is in the runs table.
    """
    if not inputs:
        raise ValueError("no input to draw: the sweep varied no key")
    outputs = [o for o in (outputs or DEFAULT_OUTPUTS) if o in runs.columns]
    if not outputs:
        raise ValueError("no output to draw: none of the requested outputs is in the runs table")
    ok = runs[runs["status"] == "ok"] if "status" in runs.columns else runs
    bins = max(2, min(bins, len(ok) // 4))  # at least ~4 runs per bin
    table = main_effects_table(ok, inputs, outputs, bins)
    # an interval cannot leave the output's range (shares in [0, 1], counts ≥ 0)
    for out in outputs:
        rows = table["output"] == out
        if len(ok) and float(ok[out].min()) >= 0:
            table.loc[rows, "lo"] = table.loc[rows, "lo"].clip(lower=0)
        if style.metric_kind(out) == "share":
            table.loc[rows, "hi"] = table.loc[rows, "hi"].clip(upper=1)
    with style.figure_style():
        fig = style.new_figure(2.9 * len(inputs) + 0.6, 2.3 * len(outputs) + 0.8)
        axes = fig.subplots(len(outputs), len(inputs), squeeze=False, sharey="row")
        for j, key in enumerate(inputs):
            values = ok[key]
            numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
                values
            )
            for i, out in enumerate(outputs):
                ax = axes[i, j]
                eff = table[(table["input"] == key) & (table["output"] == out)].sort_values("x")
                if numeric:
                    ax.scatter(
                        values.astype(float),
                        ok[out],
                        s=8,
                        color=style.GREY,
                        alpha=0.45,
                        linewidths=0,
                        zorder=1,
                    )
                    if pd.api.types.is_integer_dtype(values):
                        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                else:
                    pos = values.map(dict(zip(eff["label"], eff["x"])))
                    ax.scatter(
                        pos, ok[out], s=8, color=style.GREY, alpha=0.45, linewidths=0, zorder=1
                    )
                    ax.set_xticks(eff["x"], eff["label"])
                ax.errorbar(
                    eff["x"],
                    eff["mean"],
                    yerr=[eff["mean"] - eff["lo"], eff["hi"] - eff["mean"]],
                    color=style.CYCLE[j % len(style.CYCLE)],
                    marker="o",
                    markersize=5,
                    capsize=2.5,
                    linewidth=1.8,
                    zorder=3,
                )
                style.format_axis(ax.yaxis, out)
                if j == 0:
                    ax.set_ylabel(style.metric_label(out), fontsize=style.FONT_SIZE - 0.5)
                if i == len(outputs) - 1:
                    ax.set_xlabel(input_label(key))
                if i == 0:
                    ax.set_title(input_label(key), fontsize=style.FONT_SIZE)
        n = len(ok)
        fig.suptitle(title or "Main effects of the varied inputs")
        fig.supxlabel(
            f"{n} runs (grey dots: final-year outputs); line: mean per bin of the input with its "
            "95% interval",
            fontsize=style.FONT_SIZE - 0.5,
            color="#444444",
        )
    return fig

"""One place for the look of every figure: palette, fonts, sizes, metric labels, saving.

Colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), which stays
distinguishable under the common colour-vision deficiencies and in greyscale print; school
status is also coded by marker shape, so no figure relies on colour alone.

Figures are built as :class:`matplotlib.figure.Figure` objects on the Agg canvas, never
through ``pyplot``: no global state, no GUI backend, safe in worker processes. PNGs are
written at a fixed dpi without a "Software" text chunk, so equal data give equal bytes.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Iterator

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.outputs import atomic_write

# Okabe–Ito
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"
GREY = "#999999"

#: Colours for categories in order (scenarios, inputs): Okabe–Ito without yellow (too pale
#: on white for lines) and without grey (reserved for "closed" / background).
CYCLE = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY_BLUE, BLACK)

#: School status on maps and school figures: colour and marker.
STATUS_STYLE = {
    "ok": {"color": BLUE, "marker": "o", "label": "open"},
    "hollow": {"color": ORANGE, "marker": "o", "label": "open, hollow"},
    "closed": {"color": GREY, "marker": "X", "label": "closed"},
    "planned": {"color": "white", "marker": "s", "label": "planned"},
}
#: Map background.
ROAD_COLOR = "#BDBDBD"
SETTLEMENT_COLOR = "#E3DCCB"
SETTLEMENT_EDGE = "#A89F8A"
BUS_COLOR = PURPLE

DPI = 110
FONT_SIZE = 9.5
#: Preferred fonts, first installed one wins for each glyph (CJK names in real counties).
FONT_FAMILIES = (
    "DejaVu Sans",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "SimHei",
)

RC = {
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE + 1,
    "axes.titleweight": "bold",
    "axes.labelsize": FONT_SIZE,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E6E6E6",
    "grid.linewidth": 0.7,
    "axes.axisbelow": True,
    "legend.fontsize": FONT_SIZE - 1,
    "legend.frameon": False,
    "xtick.labelsize": FONT_SIZE - 1,
    "ytick.labelsize": FONT_SIZE - 1,
    "figure.titlesize": FONT_SIZE + 3,
    "figure.titleweight": "bold",
    "lines.linewidth": 1.8,
    "savefig.dpi": DPI,
    "svg.hashsalt": "edusim",
    "path.simplify": True,
}

# label, unit, kind ("share" → percent axis, "count", "min", "yuan", "index")
METRICS: dict[str, tuple[str, str, str]] = {
    "pupils": ("Pupils enrolled", "pupils", "count"),
    "pupils_primary": ("Primary pupils (grades 1–6)", "pupils", "count"),
    "pupils_junior": ("Junior pupils (grades 7–9)", "pupils", "count"),
    "schools_open": ("Schools open", "schools", "count"),
    "schools_open_primary": ("Schools teaching primary", "schools", "count"),
    "schools_open_junior": ("Schools teaching junior", "schools", "count"),
    "teaching_points": ("Teaching points", "schools", "count"),
    "hollow_schools": ("Hollow schools", "schools", "count"),
    "hollow_share": ("Hollow share of open schools", "%", "share"),
    "new_hollow_schools": ("New hollow schools", "schools", "count"),
    "mean_commute_min": ("Mean day commute", "min", "min"),
    "p90_commute_min": ("90th-percentile day commute", "min", "min"),
    "share_primary_over_30min": ("Primary day pupils over 30 min", "%", "share"),
    "share_junior_over_60min": ("Junior day pupils over 60 min", "%", "share"),
    "boarders": ("Boarders", "pupils", "count"),
    "young_boarders": ("Young boarders (grades 1–3)", "pupils", "count"),
    "bus_riders": ("Bus riders", "pupils", "count"),
    "dropouts": ("Dropouts this year", "pupils", "count"),
    "retention_rate": ("Retention rate", "%", "share"),
    "large_class_share": ("Classes of 56+", "%", "share"),
    "superlarge_class_share": ("Classes of 66+", "%", "share"),
    "cv_primary": ("CV of teachers/100 pupils, primary", "coefficient", "index"),
    "cv_junior": ("CV of teachers/100 pupils, junior", "coefficient", "index"),
    "teachers": ("Teachers", "teachers", "count"),
    "teacher_vacancies": ("Teacher vacancies", "posts", "count"),
    "rural_teacher_attrition": ("Rural teacher attrition", "%/yr", "share"),
    "quality_rural": ("Quality, rural schools", "index 0–1", "index"),
    "quality_town": ("Quality, county-town schools", "index 0–1", "index"),
    "county_town_pupil_share": ("Pupils in county-town schools", "%", "share"),
    "migrant_children": ("Migrant children", "pupils", "count"),
    "left_behind_children": ("Left-behind children", "pupils", "count"),
    "idle_buildings": ("Idle school buildings", "buildings", "count"),
    "cost_total": ("County education cost", "million yuan/yr", "myuan"),
    "cost_per_pupil": ("Cost per pupil", "yuan/yr", "yuan"),
    "hard_access_share": ("Pupils with hard access", "%", "share"),
    "pupils_hard_access": ("Pupils with hard access", "pupils", "count"),
    "pupils_without_place": ("Pupils without a place", "pupils", "count"),
}


def metric_label(name: str, with_unit: bool = True) -> str:
    """Human label of a metric (DESIGN §8 name), with its unit in parentheses.

    Parameters
    ----------
    name : str
        The metric's name, e.g. ``"hollow_share"``; an unknown name is spelt out from itself.
    with_unit : bool, default True
        Whether to add the unit, e.g. ``"Mean day commute (min)"``.

    Returns
    -------
    str
        The label.
    """
    label, unit, _ = METRICS.get(name, (name.replace("_", " ").capitalize(), "", "raw"))
    return f"{label} ({unit})" if with_unit and unit else label


def metric_kind(name: str) -> str:
    """The kind of a metric's values, which sets how they are formatted.

    Parameters
    ----------
    name : str
        The metric's name.

    Returns
    -------
    str
        ``"share"``, ``"count"``, ``"min"``, ``"yuan"``, ``"myuan"``, ``"index"`` or ``"raw"``
        (unknown metrics).
    """
    return METRICS.get(name, ("", "", "raw"))[2]


def format_axis(axis, name: str) -> None:
    """Tick format for a metric on a matplotlib axis (x or y): percent, thousands, millions.

    Parameters
    ----------
    axis : matplotlib.axis.Axis
        The axis to format (``ax.xaxis`` or ``ax.yaxis``); left as it is for other kinds.
    name : str
        The metric on that axis.
    """
    kind = metric_kind(name)
    if kind == "share":
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{round(100 * v, 6):g}%"))
    elif kind in ("count", "yuan"):
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    elif kind == "myuan":
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1e6:,.0f}"))


def format_value(name: str, value: float) -> str:
    """A metric value as text for reports: 54%, 19,576, 18.8 min, 7,693 yuan.

    Parameters
    ----------
    name : str
        The metric's name (its kind sets the format).
    value : float
        The value, in the metric's unit (a share as a fraction in [0, 1], yuan, minutes).

    Returns
    -------
    str
        The text; ``"n/a"`` for NaN.
    """
    if value != value:  # NaN
        return "n/a"
    kind = metric_kind(name)
    if kind == "share":
        return f"{100 * value:.0f}%" if abs(value) >= 0.1 else f"{100 * value:.1f}%"
    if kind == "min":
        return f"{value:.1f} min"
    if kind == "yuan":
        return f"{value:,.0f} yuan"
    if kind == "myuan":
        return f"{value / 1e6:,.1f} million yuan"
    if kind == "count":
        return (
            f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"
        )
    return f"{value:.3g}"


def _installed_families() -> list[str]:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in FONT_FAMILIES if f in names] or ["DejaVu Sans"]


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """RcParams for every edusim figure (use around figure construction and saving).

    Returns
    -------
    contextlib.AbstractContextManager
        A context manager (``with figure_style(): ...``) that yields nothing.
    """
    with matplotlib.rc_context({**RC, "font.family": _installed_families()}):
        yield


def new_figure(width: float, height: float, **kwargs) -> Figure:
    """A Figure on the Agg canvas, with constrained layout.

    Parameters
    ----------
    width, height : float
        Size (inches).
    **kwargs
        Passed to :class:`matplotlib.figure.Figure` (``layout`` replaces ``"constrained"``).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, at :data:`DPI`.
    """
    fig = Figure(
        figsize=(width, height), dpi=DPI, layout=kwargs.pop("layout", "constrained"), **kwargs
    )
    FigureCanvasAgg(fig)
    return fig


def fixed_margins(
    fig: Figure,
    nrows: int,
    ncols: int,
    *,
    left: float,
    right: float,
    top: float,
    bottom: float,
    wspace: float,
    hspace: float,
) -> None:
    """Place a grid of subplots with margins and gaps in inches.

    No layout engine: much faster than constrained layout for many small panels.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; its layout engine is removed.
    nrows, ncols : int
        Rows and columns of the grid.
    left, right, top, bottom : float
        Margins (inches).
    wspace, hspace : float
        Gaps between columns and between rows (inches).
    """
    width, height = fig.get_size_inches()
    w = (width - left - right - (ncols - 1) * wspace) / ncols
    h = (height - top - bottom - (nrows - 1) * hspace) / nrows
    fig.set_layout_engine(None)
    fig.subplots_adjust(
        left=left / width,
        right=1 - right / width,
        top=1 - top / height,
        bottom=bottom / height,
        wspace=wspace / w if ncols > 1 else 0.2,
        hspace=hspace / h if nrows > 1 else 0.2,
    )


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG bytes (fixed dpi, no Software/date metadata: deterministic).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.

    Returns
    -------
    bytes
        The PNG file's bytes, on a white background.
    """
    buf = io.BytesIO()
    with figure_style():
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()


def save_png(fig: Figure, path: Path | str) -> Path:
    """Write the figure to ``path`` atomically as PNG (see :func:`png_bytes`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : Path or str
        The PNG file.

    Returns
    -------
    Path
        The file written.
    """
    data = png_bytes(fig)
    return atomic_write(path, lambda p: p.write_bytes(data))

"""What each panel of the app shows, as pure functions of the model's state.

The map and the share plots are matplotlib figures without text in them (their titles,
legend and axis names are page text), so they need no CJK font and a language switch redraws
nothing. The numbers above the map, the year's progress, the map legend and the scenario
notes are data or HTML strings that the page lays out.
"""

from __future__ import annotations

import functools
import html
import re

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.scenario import Scenario
from sim.viz import i18n, maps, style
from sim.viz.app.teaching import TeachingModel
from sim.viz.i18n import t

MAP_SIZE_IN = (6.2, 5.6)
PLOT_SIZE_IN = (4.8, 2.35)
#: The share plots and the name of their colour in :mod:`sim.viz.style`.
PLOT_METRICS = {"hollow_share": "ORANGE", "hard_access_share": "VERMILLION"}
#: Lowest top of each plot's y axis, so the axis stays put while a run unfolds.
PLOT_MIN_TOP = {"hollow_share": 0.5, "hard_access_share": 0.1}
AXIS_TOPS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
#: Room above the highest value of a share plot (factor).
PEAK_HEADROOM = 1.1
#: A share plot whose values need more than this shows the whole 0–1 range, a little over.
FULL_RANGE_NEED = 0.9
FULL_RANGE_OVERHANG = 1.02
#: Slack when comparing a needed axis top with the round tops (float noise).
TOP_TOLERANCE = 1e-12
#: Margin around the county on the app's map (share of its larger extent).
MAP_MARGIN = 0.05
#: Length of the map's scale bar (km): the long bar on maps wider than ``NARROW_MAP_KM``.
SCALE_BAR_KM = 10.0
SHORT_SCALE_BAR_KM = 5.0
NARROW_MAP_KM = 25
#: Where the scale bar sits: this share of the map's width and height from its lower left.
SCALE_BAR_INSET = 0.04
#: Gap between the scale bar and its label (share of the map's height).
SCALE_LABEL_GAP = 0.015
SCALE_BAR_Z = 6
#: Room around a share plot's first and last year (years).
YEAR_PAD = 0.4
#: At most this many year ticks on a share plot.
YEAR_TICKS = 7


def share_axis_top(metric: str, values: np.ndarray) -> float:
    """Top of a share plot's y axis, so that the axis rarely moves between years.

    The axis spans the metric's usual range and widens in round steps only when the values
    outgrow it.

    Parameters
    ----------
    metric : str
        County metric name (a share, 0–1).
    values : numpy.ndarray
        The values plotted so far (NaN allowed).

    Returns
    -------
    float
        The axis top (share).
    """
    finite = len(values) and np.isfinite(values).any()
    peak = float(np.nanmax(values)) * PEAK_HEADROOM if finite else 0.0
    need = max(peak, PLOT_MIN_TOP.get(metric, 0.1))
    top = next((top for top in AXIS_TOPS if top >= need - TOP_TOLERANCE), 1.0)
    return top * (FULL_RANGE_OVERHANG if need > FULL_RANGE_NEED else 1.0)


def _scale_bar(ax, xlim: tuple[float, float], ylim: tuple[float, float]) -> None:
    (x0, x1), (y0, y1) = xlim, ylim
    bar = SCALE_BAR_KM if (x1 - x0) > NARROW_MAP_KM else SHORT_SCALE_BAR_KM
    bx, by = x0 + SCALE_BAR_INSET * (x1 - x0), y0 + SCALE_BAR_INSET * (y1 - y0)
    ax.plot(
        [bx, bx + bar],
        [by, by],
        color=style.BLACK,
        linewidth=2.5,
        solid_capstyle="butt",
        zorder=SCALE_BAR_Z,
    )
    ax.text(
        bx + bar / 2,
        by + SCALE_LABEL_GAP * (y1 - y0),
        f"{bar:g} km",
        ha="center",
        va="bottom",
        fontsize=9,
        zorder=SCALE_BAR_Z,
    )


def draw_map(model: TeachingModel) -> Figure:
    """The county in the current year: roads, settlements, schools sized by pupils, a scale bar.

    The size scale is the largest school at the start, so shrinking schools visibly shrink.

    Parameters
    ----------
    model : TeachingModel
        The app's model, at any step.

    Returns
    -------
    Figure
        The map, without text besides the scale bar's length.
    """
    world = model.map_world()
    with style.figure_style():
        fig = style.new_figure(*MAP_SIZE_IN, layout=None)
        fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
        ax = fig.add_subplot()
        pupil_max = float(max(model.start_panel["pupils"].max(), 1))
        maps.draw_county_map(ax, world, model.panel(), pupil_max=pupil_max, year=model.year)
        xlim, ylim = maps.map_extent(world, MAP_MARGIN)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        _scale_bar(ax, xlim, ylim)
    return fig


def draw_share_plot(model: TeachingModel, metric: str) -> Figure:
    """A share over the years simulated so far; the x axis spans the whole run.

    Parameters
    ----------
    model : TeachingModel
        The app's model, at any step.
    metric : str
        County metric name (a share, 0–1), e.g. ``"hollow_share"``.

    Returns
    -------
    Figure
        The plot (percent ticks and year ticks only).
    """
    frames = model.frames()
    years = frames["year"].to_numpy(int)
    values = frames[metric].to_numpy(float)
    first = model.scenario.start_year - 1
    last = max(model.scenario.start_year + model.scenario.years - 1, int(years.max()))
    color = getattr(style, PLOT_METRICS.get(metric, "BLUE"))
    with style.figure_style():
        fig = style.new_figure(*PLOT_SIZE_IN, layout=None)
        fig.subplots_adjust(left=0.12, right=0.97, top=0.95, bottom=0.14)
        ax = fig.add_subplot()
        ax.fill_between(years, values, color=color, alpha=0.15, linewidth=0)
        ax.plot(years, values, color=color, marker="o", markersize=3.5)
        ax.plot(
            years[-1:],
            values[-1:],
            color=color,
            marker="o",
            markersize=8,
            markeredgecolor=style.BLACK,
        )
        ax.set_xlim(first - YEAR_PAD, last + YEAR_PAD)
        ax.set_ylim(0, share_axis_top(metric, values))
        style.format_axis(ax.yaxis, metric)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=YEAR_TICKS, integer=True))
    return fig


#: One plotter per share plot: ``PLOTTERS[metric](model)`` draws it.
PLOTTERS = {metric: functools.partial(draw_share_plot, metric=metric) for metric in PLOT_METRICS}


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure (fixed dpi, no metadata: the same figure gives the same bytes).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure drawn by this module.

    Returns
    -------
    bytes
        The PNG file.
    """
    return style.png_bytes(fig)


def stats(model: TeachingModel) -> dict[str, int | float]:
    """The numbers above the map, for the current year.

    Parameters
    ----------
    model : TeachingModel
        The app's model, at any step.

    Returns
    -------
    dict
        ``open``, ``hollow`` (open and hollow), ``closed`` (schools), ``pupils``, ``town``
        (share of pupils in county-town schools, 0–1), ``boarders``, ``bus`` (riders).
    """
    panel = model.panel()
    row = model.current_row()
    status = panel["status"].astype(str)
    open_ = status == "open"
    return {
        "open": int(open_.sum()),
        "hollow": int((open_ & panel["hollow"].fillna(False).astype(bool)).sum()),
        "closed": int((status == "closed").sum()),
        "pupils": int(row["pupils"]),
        "town": float(row["county_town_pupil_share"]),
        "boarders": int(row["boarders"]),
        "bus": int(row["bus_riders"]),
    }


def stat_cells(model: TeachingModel, lang: str) -> list[tuple[str, str]]:
    """The numbers above the map as (value text, label) pairs; bus riders only with buses.

    Parameters
    ----------
    model : TeachingModel
        The app's model, at any step.
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    list[tuple[str, str]]
        One pair per number, in display order.
    """
    s = stats(model)
    cells = [
        (f"{s['open']}", t("stat_open", lang)),
        (f"{s['hollow']}", t("stat_hollow", lang)),
        (f"{s['closed']}", t("stat_closed", lang)),
        (f"{s['pupils']:,}", t("stat_pupils", lang)),
        (f"{100 * s['town']:.0f}%", t("stat_town", lang)),
        (f"{s['boarders']:,}", t("stat_boarders", lang)),
    ]
    if model.scenario.policies.busing is not None:
        cells.append((f"{s['bus']:,}", t("stat_bus", lang)))
    return cells


def year_progress(model: TeachingModel, lang: str) -> str:
    """How far the run is, under the year: the start, year k of n, or beyond the scenario's n.

    Parameters
    ----------
    model : TeachingModel
        The app's model, at any step.
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        The line of text.
    """
    n = model.scenario.years
    k = model.simulated_years()
    if k == 0:
        return t("year_start", lang)
    if k <= n:
        return t("year_progress", lang, k=k, n=n)
    return t("year_beyond", lang, k=k, n=n)


def _dot(color: str) -> str:
    return (
        f'<span class="sym" style="width:13px;height:13px;border-radius:50%;background:{color};'
        'border:1px solid #000"></span>'
    )


def legend_html(lang: str, buses: bool) -> str:
    """The map's legend as HTML: school status, level markers, and bus routes when there are any.

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"zh"``.
    buses : bool
        Whether the scenario runs buses (adds the bus-route entry).

    Returns
    -------
    str
        One ``<span>`` per entry.
    """
    items = [
        f"{_dot(style.BLUE)}{t('legend_open', lang)}",
        f"{_dot(style.ORANGE)}{t('legend_hollow', lang)}",
        f'<span class="sym" style="color:{style.GREY};font-weight:900">✖</span>'
        f"{t('legend_closed', lang)}",
        f'<span class="sym">○</span>{t("level_primary", lang)}',
        f'<span class="sym">△</span>{t("level_teaching_point", lang)}',
        f'<span class="sym">□</span>{t("level_junior", lang)}',
        f'<span class="sym">◇</span>{t("level_nine_year", lang)}',
    ]
    if buses:
        bus_line = f"width:22px;border-top:2px dashed {style.BUS_COLOR}"
        items.append(f'<span class="sym" style="{bus_line}"></span>{t("legend_bus", lang)}')
    return "".join(f"<span>{item}</span>" for item in items)


def notes_html(scenario: Scenario, lang: str) -> str:
    """The scenario's "what to look at" text as HTML, with `names` in code type.

    Parameters
    ----------
    scenario : Scenario
        The scenario shown.
    lang : str
        ``"en"`` or ``"zh"``.

    Returns
    -------
    str
        Escaped text with ``<code>`` elements.
    """
    text = html.escape(i18n.scenario_notes(scenario.name, scenario.description, lang))
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)

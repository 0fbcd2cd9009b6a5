"""The county map: roads, settlements, schools by pupils and status, bus routes; a panel a year.

Settlements are sized by population, schools sized by pupils and coloured by status (open,
hollow, closed), bus routes drawn when present; one panel per year.

Every panel of one figure uses the same size scale, so a school that loses pupils visibly
shrinks between the first and the last year, and a closed school turns into a grey cross.
Schools in the same settlement are spread on a small ring around it so none hides another.

Bus routes are drawn when ``world["bus_routes"]`` exists: one row per stop with columns
``route`` (id), ``order`` (stop number along the route), ``settlement`` (settlement id), and
optionally ``year_from`` / ``year_to`` (inclusive years of service; missing = always).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.viz import style

LEVEL_MARKERS = {"teaching_point": "^", "primary": "o", "junior": "s", "nine_year": "D"}
LEVEL_LABELS = {
    "teaching_point": "teaching point",
    "primary": "primary",
    "junior": "junior",
    "nine_year": "nine-year",
}
ROAD_WIDTHS = {"county": 1.6, "township": 1.0, "village": 0.5}
# largest school / settlement marker area (points²)
SCHOOL_MAX_AREA = 420.0
SETTLEMENT_MAX_AREA = 700.0
MIN_AREA = 5.0
#: Margin around the settlements and schools of a map (share of its larger extent).
MAP_MARGIN = 0.04


def school_positions(world: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Map positions of every school in ``world["schools"]``.

    A settlement with k > 1 schools gets them on a ring around it (radius 2.2% of the map's
    extent times √k), in id order, so that each stays visible.

    Parameters
    ----------
    world : dict of str to pandas.DataFrame
        ``settlements`` (``id, x_km, y_km``) and ``schools`` (``id, settlement``) frames.

    Returns
    -------
    pandas.DataFrame
        Columns ``x_km``, ``y_km`` (km), index ``school_id``.
    """
    settlements = world["settlements"].set_index("id")
    schools = world["schools"][["id", "settlement"]].copy()
    x = settlements["x_km"].reindex(schools["settlement"]).to_numpy(dtype=float)
    y = settlements["y_km"].reindex(schools["settlement"]).to_numpy(dtype=float)
    extent = max(float(np.ptp(settlements["x_km"])), float(np.ptp(settlements["y_km"])), 1.0)
    rank = schools.groupby("settlement").cumcount().to_numpy()
    count = schools.groupby("settlement")["id"].transform("size").to_numpy()
    radius = np.where(count > 1, 0.022 * extent * np.sqrt(count), 0.0)
    angle = np.pi / 2 + 2 * np.pi * rank / np.maximum(count, 1)
    return pd.DataFrame(
        {"x_km": x + radius * np.cos(angle), "y_km": y + radius * np.sin(angle)},
        index=pd.Index(schools["id"].to_numpy(), name="school_id"),
    )


def school_category(status: pd.Series, hollow: pd.Series) -> np.ndarray:
    """The map category of each school-year row: ok, hollow, closed or planned.

    Parameters
    ----------
    status : pandas.Series
        The school's status (``"open"``, ``"closed"``, ``"planned"``).
    hollow : pandas.Series
        Whether the school is hollow that year (missing counts as not hollow).

    Returns
    -------
    numpy.ndarray of str
        ``"ok"``, ``"hollow"``, ``"closed"`` or ``"planned"`` per row.
    """
    status = status.astype(str).to_numpy()
    hollow = hollow.fillna(False).to_numpy(dtype=bool)
    return np.where(
        status == "closed",
        "closed",
        np.where(status == "planned", "planned", np.where(hollow, "hollow", "ok")),
    )


def _area(values: np.ndarray, vmax: float, max_area: float) -> np.ndarray:
    """Marker area proportional to the value (area, not radius, carries the number)."""
    return np.maximum(max_area * np.asarray(values, dtype=float) / max(vmax, 1.0), MIN_AREA)


def draw_county_map(
    ax: Axes,
    world: dict[str, pd.DataFrame],
    panel: pd.DataFrame,
    *,
    pupil_max: float | None = None,
    year: int | None = None,
    title: str | None = None,
) -> dict[str, int]:
    """Draw one year of the county on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes to draw on (x and y in km, equal aspect).
    world : dict of str to pandas.DataFrame
        ``settlements``, ``roads``, ``schools`` (and optional ``bus_routes``) frames.
    panel : pandas.DataFrame
        The school panel rows of one year and replicate (``school_id, level, status,
        pupils, hollow``).
    pupil_max : float, optional
        Pupils of the largest marker (share it between panels so sizes compare).
    year : int, optional
        Year shown (selects bus routes in service).
    title : str, optional
        Panel title (a second line with the counts shown is added).

    Returns
    -------
    dict
        Counts shown: open, hollow, closed, pupils.
    """
    settlements = world["settlements"]
    xy = settlements.set_index("id")[["x_km", "y_km"]]
    roads = world.get("roads")
    if roads is not None and len(roads):
        src = xy.reindex(roads["src"]).to_numpy(dtype=float)
        dst = xy.reindex(roads["dst"]).to_numpy(dtype=float)
        widths = roads["road_class"].map(ROAD_WIDTHS).fillna(0.5).to_numpy(dtype=float)
        ax.add_collection(
            LineCollection(
                np.stack([src, dst], axis=1), colors=style.ROAD_COLOR, linewidths=widths, zorder=1
            )
        )
    pop = settlements["population"].to_numpy(dtype=float)
    ax.scatter(
        settlements["x_km"],
        settlements["y_km"],
        s=_area(pop, pop.max() if len(pop) else 1, SETTLEMENT_MAX_AREA),
        c=style.SETTLEMENT_COLOR,
        edgecolors=style.SETTLEMENT_EDGE,
        linewidths=0.5,
        zorder=2,
    )
    _draw_bus_routes(ax, world, xy, year)

    positions = school_positions(world)
    rows = panel[panel["school_id"].isin(positions.index)].sort_values("school_id")
    pos = positions.loc[rows["school_id"].to_numpy()]
    category = school_category(rows["status"], rows["hollow"])
    pupils = rows["pupils"].to_numpy(dtype=float)
    vmax = pupil_max if pupil_max is not None else (pupils.max() if len(pupils) else 1.0)
    area = _area(pupils, vmax, SCHOOL_MAX_AREA)
    levels = rows["level"].astype(str).to_numpy()
    # big schools first, so small ones on top stay visible
    order = np.argsort(-area, kind="stable")
    for cat in ("ok", "hollow", "planned"):
        for level, marker in LEVEL_MARKERS.items():
            sel = order[(category[order] == cat) & (levels[order] == level)]
            if not len(sel):
                continue
            spec = style.STATUS_STYLE[cat]
            ax.scatter(
                pos["x_km"].to_numpy()[sel],
                pos["y_km"].to_numpy()[sel],
                s=area[sel],
                marker=marker,
                c=spec["color"],
                edgecolors=style.BLACK,
                linewidths=0.5,
                alpha=0.9,
                zorder=4 if cat == "hollow" else 3,
            )
    closed = category == "closed"
    if closed.any():
        ax.scatter(
            pos["x_km"].to_numpy()[closed],
            pos["y_km"].to_numpy()[closed],
            s=36,
            marker="X",
            c=style.STATUS_STYLE["closed"]["color"],
            edgecolors="#555555",
            linewidths=0.4,
            zorder=5,
        )
    ax.autoscale_view()
    ax.set_xlabel("x (km)")
    ax.set_ylabel("y (km)")
    ax.grid(False)
    counts = {
        "open": int(np.isin(category, ("ok", "hollow")).sum()),
        "hollow": int((category == "hollow").sum()),
        "closed": int(closed.sum()),
        "pupils": int(pupils.sum()),
    }
    if title:
        ax.set_title(
            f"{title}\n{counts['open']} open ({counts['hollow']} hollow), "
            f"{counts['closed']} closed; {counts['pupils']:,} pupils"
        )
    return counts


def _draw_bus_routes(
    ax: Axes, world: dict[str, pd.DataFrame], xy: pd.DataFrame, year: int | None
) -> None:
    routes = world.get("bus_routes")
    if routes is None or not len(routes):
        return
    routes = routes.copy()
    if year is not None:
        if "year_from" in routes:
            routes = routes[~(routes["year_from"] > year)]
        if "year_to" in routes:
            routes = routes[~(routes["year_to"] < year)]
    lines = []
    for _, stops in routes.sort_values(["route", "order"]).groupby("route", sort=True):
        pts = xy.reindex(stops["settlement"]).to_numpy(dtype=float)
        if len(pts) >= 2:
            lines.append(pts)
    if lines:
        ax.add_collection(
            LineCollection(
                lines, colors=style.BUS_COLOR, linewidths=1.6, linestyles=(0, (4, 2)), zorder=2.5
            )
        )


def map_extent(
    world: dict[str, pd.DataFrame], margin: float = MAP_MARGIN
) -> tuple[tuple[float, float], tuple[float, float]]:
    """X and y limits holding every settlement and school, with a margin on each side.

    Parameters
    ----------
    world : dict of str to pandas.DataFrame
        ``settlements`` (``id, x_km, y_km``) and ``schools`` (``id, settlement``) frames.
    margin : float, default MAP_MARGIN
        Margin on each side, as a share of the larger of the two extents (taken as at
        least 1 km).

    Returns
    -------
    tuple[tuple[float, float], tuple[float, float]]
        ``(x_min, x_max), (y_min, y_max)`` in km.
    """
    settlements = world["settlements"]
    pos = school_positions(world)
    x = np.concatenate(
        [settlements["x_km"].to_numpy(dtype=float), pos["x_km"].to_numpy(dtype=float)]
    )
    y = np.concatenate(
        [settlements["y_km"].to_numpy(dtype=float), pos["y_km"].to_numpy(dtype=float)]
    )
    pad = margin * max(np.ptp(x), np.ptp(y), 1.0)
    return (x.min() - pad, x.max() + pad), (y.min() - pad, y.max() + pad)


def _legend_handles(pupil_max: float, bus: bool) -> tuple[list[Line2D], int]:
    """Legend entries in columns (status, level, size, background), padded to equal length.

    Returns the handles in column-major order and the number of columns.
    """

    def h(label, **kw):
        return Line2D([], [], linestyle="none", label=label, **kw)

    status = [
        h(
            style.STATUS_STYLE["ok"]["label"],
            marker="o",
            markerfacecolor=style.BLUE,
            markeredgecolor=style.BLACK,
            markersize=8,
        ),
        h(
            style.STATUS_STYLE["hollow"]["label"],
            marker="o",
            markerfacecolor=style.ORANGE,
            markeredgecolor=style.BLACK,
            markersize=8,
        ),
        h(
            "closed",
            marker="X",
            markerfacecolor=style.GREY,
            markeredgecolor="#555555",
            markersize=7,
        ),
    ]
    levels = [
        h(
            LEVEL_LABELS[level],
            marker=m,
            markerfacecolor="white",
            markeredgecolor=style.BLACK,
            markersize=7,
        )
        for level, m in LEVEL_MARKERS.items()
    ]
    sizes = []
    for n in _nice_sizes(pupil_max):
        area = float(_area(np.array([n]), pupil_max, SCHOOL_MAX_AREA)[0])
        sizes.append(
            h(
                f"{n:,} pupils",
                marker="o",
                markerfacecolor="none",
                markeredgecolor=style.BLACK,
                markersize=np.sqrt(area),
            )
        )
    background = [
        Line2D([], [], color=style.ROAD_COLOR, linewidth=1.6, label="road (width: class)"),
        h(
            "settlement (area: residents)",
            marker="o",
            markerfacecolor=style.SETTLEMENT_COLOR,
            markeredgecolor=style.SETTLEMENT_EDGE,
            markersize=8,
        ),
    ]
    if bus:
        background.append(
            Line2D(
                [],
                [],
                color=style.BUS_COLOR,
                linewidth=1.6,
                linestyle=(0, (4, 2)),
                label="bus route",
            )
        )
    columns = [status, levels, sizes, background]
    rows = max(len(c) for c in columns)
    handles = []
    for column in columns:
        handles += column + [h(" ", marker=None)] * (rows - len(column))
    return handles, len(columns)


def _nice_sizes(vmax: float) -> list[int]:
    """Up to three round pupil counts for the size legend (e.g. 100, 500, 1,000)."""

    def round125(v: float) -> int:
        if v < 1:
            return 1
        mag = 10 ** np.floor(np.log10(v))
        return int(max(m for m in (1, 2, 5, 10) if m * mag <= v) * mag)

    return sorted({round125(vmax / 10), round125(vmax / 3), round125(vmax)})


def plot_county_map(
    result,
    years: Sequence[int] | None = None,
    replicate: int | None = None,
) -> Figure:
    """The county at the first and last simulated year (or ``years``), side by side.

    Parameters
    ----------
    result : RunResult
        A :class:`~sim.results.RunResult` (needs ``world`` and ``schools``).
    years : sequence of int, optional
        Years to show, one panel each (default: first and last).
    replicate : int, optional
        Replicate shown (default: the first); the title says which.

    Returns
    -------
    matplotlib.figure.Figure
        One map panel per year, with a shared size scale and a legend.
    """
    with style.figure_style():
        panel = result.schools
        reps = sorted(panel["replicate"].unique()) if "replicate" in panel else [0]
        rep = reps[0] if replicate is None else replicate
        if "replicate" in panel:
            panel = panel[panel["replicate"] == rep]
        all_years = sorted(panel["year"].unique())
        if years is None:
            years = [all_years[0], all_years[-1]] if len(all_years) > 1 else all_years[:1]
        pupil_max = float(panel.loc[panel["year"].isin(years), "pupils"].max() or 1.0)
        xlim, ylim = map_extent(result.world)
        aspect = (ylim[1] - ylim[0]) / max(xlim[1] - xlim[0], 1e-9)
        width = 5.0
        fig = style.new_figure(width * len(years) + 0.6, min(width * aspect, 9.0) + 1.9)
        axes = fig.subplots(1, len(years), squeeze=False)[0]
        for ax, year in zip(axes, years):
            draw_county_map(
                ax,
                result.world,
                panel[panel["year"] == year],
                pupil_max=pupil_max,
                year=year,
                title=str(year),
            )
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
            ax.set_aspect("equal", adjustable="box")
        name = result.manifest.get("scenario_name", "")
        rep_text = f"replicate {rep} of {len(reps)}" if len(reps) > 1 else f"replicate {rep}"
        fig.suptitle(f"Schools of the county{' — ' + name if name else ''} ({rep_text})")
        bus = "bus_routes" in result.world and len(result.world["bus_routes"]) > 0
        handles, ncol = _legend_handles(pupil_max, bus)
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncol=ncol,
            handletextpad=0.4,
            columnspacing=1.2,
            labelspacing=0.9,
        )
    return fig

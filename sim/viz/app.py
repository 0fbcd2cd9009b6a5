"""The teaching app: ``edusim viz [SCENARIO]`` serves it with Solara on Mesa's SolaraViz.

What it shows: the county map of the current school year (schools sized by pupils, coloured
open / hollow / closed), live plots of ``hollow_share`` and ``hard_access_share``, the year in
big type, and the levers a county plan pulls (closure threshold, boarding beds and the youngest
boarding grade, school buses, a rural teacher subsidy, the pull of the county town, the birth
trend). Every label exists in Chinese and English (a language switch in the top bar).

How it is built:

- :class:`TeachingModel` is an :class:`~sim.model.EducationModel` whose keyword arguments are
  what Mesa's SolaraViz passes on Reset: the scenario name, ``--set`` overrides, the levers
  and the seed. The levers become scenario keys in :func:`lever_overrides` (the slider →
  scenario mapping) and are applied on top of the loaded scenario (:func:`scenario_with_levers`).
- Moving a lever rebuilds the model at once (the county starts again from its first year); the
  seed slider in Mesa's "Model Parameters" card applies on Reset. Play, Step and Reset are
  SolaraViz's own controls; each step is one school year.
- The map and the plots are matplotlib figures without text in them (titles, legend and axis
  names are page text), so that they need no CJK font and a language switch redraws nothing.

The module-level ``page`` (as in Mesa's examples) is built from the environment variables
``EDUSIM_VIZ_SCENARIO``, ``EDUSIM_VIZ_SET`` (a JSON list of ``key=value``) and
``EDUSIM_VIZ_LANG`` that ``edusim viz`` sets (so ``solara run sim.viz.app`` works too);
:func:`make_page` builds it for any scenario.
Everything above the "page" section works without Solara installed (the tests use it); the
page itself needs the ``viz`` extra (``pip install "edusim[viz]"``).
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import os
import typing
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
from pydantic import BaseModel

from sim.metrics import collect
from sim.model import EducationModel
from sim.scenario import Scenario, load_scenario, validate
from sim.viz import i18n
from sim.viz.i18n import t

DEFAULT_SCENARIO = "hollow_school_demo"
ENV_SCENARIO = "EDUSIM_VIZ_SCENARIO"
ENV_SET = "EDUSIM_VIZ_SET"
ENV_LANG = "EDUSIM_VIZ_LANG"
#: Browser tab title (Solara reads a module-level ``title``).
title = "edusim"


# ---- levers: the sliders and the scenario keys they set ----------------------------------------

@dataclass(frozen=True)
class Lever:
    """One slider (or switch) of the app.

    ``key`` names it in the levers dict; ``path`` is the scenario key it sets (used to check
    that this version's schema has it); ``label`` is the i18n key of its label. ``scale``
    turns the stored value into the slider's (percent for the birth trend).
    """

    key: str
    path: str
    label: str
    kind: str  # "int", "float" or "bool"
    min: float = 0
    max: float = 1
    step: float = 1
    scale: float = 1.0


LEVERS: tuple[Lever, ...] = (
    Lever("closure", "policies.consolidation.rule.min_pupils.primary", "lever_closure", "int", 0, 200, 10),
    Lever("beds", "policies.boarding.expansion", "lever_beds", "int", 0, 300, 25),
    Lever("min_grade", "boarding.min_grade", "lever_min_grade", "int", 1, 9, 1),
    Lever("buses", "policies.busing", "lever_buses", "bool"),
    Lever("subsidy", "policies.teachers.rural_subsidy_yuan_per_month", "lever_subsidy", "int", 0, 1000, 100),
    Lever("town_pull", "migration.town_constant", "lever_town_pull", "float", -6.0, 0.0, 0.5),
    Lever("births", "demography.births_trend_per_year", "lever_births", "float", -5.0, 3.0, 0.5, scale=100.0),
)
LEVER_BY_KEY = {lever.key: lever for lever in LEVERS}


#: Other measures of a teachers policy block that the subsidy lever creates: off.
SUBSIDY_ONLY: dict[str, Any] = {"reallocation": False, "rotation_share": 0.0}


def _block_type(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model in an annotation (``Model`` or ``Model | None``), else None."""
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def schema_has(path: str) -> bool:
    """Whether the scenario schema has the dotted key ``path`` (e.g. a policy block's field)."""
    model: type[BaseModel] | None = Scenario
    for part in path.split("."):
        if model is None or part not in model.model_fields:
            return False
        model = _block_type(model.model_fields[part].annotation)
    return True


def lever_available(key: str) -> bool:
    """Whether this version's scenarios have the key lever ``key`` sets (else it is disabled)."""
    return schema_has(LEVER_BY_KEY[key].path)


def lever_defaults(base: Scenario) -> dict[str, Any]:
    """The levers as the scenario ``base`` sets them (the app opens with these)."""
    pol = base.policies
    rule = pol.consolidation.rule if pol.consolidation is not None else None
    teachers = getattr(pol, "teachers", None)
    return {
        "closure": int(rule.min_pupils.primary) if rule is not None else 0,
        "beds": 0,
        "min_grade": int(base.boarding.min_grade),
        "buses": pol.busing is not None,
        "subsidy": int(getattr(teachers, "rural_subsidy_yuan_per_month", 0) or 0) if teachers is not None else 0,
        "town_pull": float(base.migration.town_constant),
        "births": float(base.demography.births_trend_per_year),
    }


def lever_overrides(levers: Mapping[str, Any], base: Scenario) -> dict[str, Any]:
    """The scenario keys (dotted) and values that the levers set on top of ``base``.

    - ``closure`` N > 0: the consolidation rule closes village primaries and teaching points
      under N pupils (``policies.consolidation.rule.min_pupils``; a rule created here leaves
      junior and nine-year schools alone); 0 removes the rule.
    - ``beds`` N > 0: every township school gets N more boarding beds in the first year
      (an entry of ``policies.boarding.expansion``; a boarding policy created here does not
      also build beds for need, so the slider is the only source of new beds).
    - ``min_grade``: ``boarding.min_grade`` (and the boarding policy's own, when it sets one).
    - ``buses``: the ``policies.busing`` block is present (its defaults) or absent.
    - ``subsidy``: ``policies.teachers.rural_subsidy_yuan_per_month``, only where the schema
      has it; a teachers policy created here switches its other measures off
      (:data:`SUBSIDY_ONLY`), so the slider shows the subsidy's own effect.
    - ``town_pull``: ``migration.town_constant``; ``births``: ``demography.births_trend_per_year``.

    A lever left out of ``levers`` keeps the scenario's value.
    """
    pol = base.policies
    out: dict[str, Any] = {}
    if "closure" in levers:
        n = int(levers["closure"])
        has_rule = pol.consolidation is not None and pol.consolidation.rule is not None
        if n > 0:
            prefix = "policies.consolidation.rule.min_pupils"
            out[f"{prefix}.teaching_point"] = n
            out[f"{prefix}.primary"] = n
            if not has_rule:
                out[f"{prefix}.junior"] = 0
                out[f"{prefix}.nine_year"] = 0
        elif has_rule:
            out["policies.consolidation.rule"] = None
    if "beds" in levers and int(levers["beds"]) > 0:
        entry = {"year": base.start_year, "select": {"tiers": ["township"]}, "beds": int(levers["beds"])}
        if pol.boarding is None:
            out["policies.boarding.beds_for_need"] = False
            out["policies.boarding.expansion"] = [entry]
        else:
            out["policies.boarding.expansion"] = [e.model_dump() for e in pol.boarding.expansion] + [entry]
    if "min_grade" in levers:
        grade = int(levers["min_grade"])
        out["boarding.min_grade"] = grade
        if pol.boarding is not None and pol.boarding.min_grade is not None:
            out["policies.boarding.min_grade"] = grade
    if "buses" in levers:
        if levers["buses"] and pol.busing is None:
            out["policies.busing"] = {}
        elif not levers["buses"] and pol.busing is not None:
            out["policies.busing"] = None
    if "subsidy" in levers and lever_available("subsidy"):
        has_block = getattr(pol, "teachers", None) is not None
        if int(levers["subsidy"]) > 0 or has_block:
            out["policies.teachers.rural_subsidy_yuan_per_month"] = int(levers["subsidy"])
        if int(levers["subsidy"]) > 0 and not has_block:
            for key, value in SUBSIDY_ONLY.items():  # the new block pays the subsidy and nothing else
                if schema_has(f"policies.teachers.{key}"):
                    out[f"policies.teachers.{key}"] = value
    if "town_pull" in levers:
        out["migration.town_constant"] = float(levers["town_pull"])
    if "births" in levers:
        out["demography.births_trend_per_year"] = float(levers["births"])
    return out


def _put(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set a dotted key in a scenario mapping; an absent (None) block becomes a new block."""
    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def scenario_with_levers(base: Scenario, levers: Mapping[str, Any]) -> Scenario:
    """``base`` with the levers applied (validated: a wrong value raises ScenarioError)."""
    data = copy.deepcopy(base.model_dump())
    for key, value in lever_overrides(levers, base).items():
        _put(data, key, value)
    return validate(data)


def toml_value(value: Any) -> str:
    """A value as TOML text, as ``--set key=VALUE`` reads it (numbers, booleans, text, lists,
    inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def command_line(scenario_name: str | None, overrides: Iterable[str], levers: Mapping[str, Any],
                 base: Scenario) -> tuple[str, list[str]]:
    """``edusim run`` with the ``--set`` options that give the same scenario as the levers.

    Returns the command and the blocks it cannot express (a lever that removes a block the
    scenario has: the user deletes it from the file).
    """
    import shlex

    defaults = lever_defaults(base)
    changed = {k: v for k, v in levers.items() if k in defaults and v != defaults[k]}
    args = ["edusim", "run", scenario_name or base.name]
    removed = []
    sets = list(overrides)
    for key, value in lever_overrides(changed, base).items():
        if value is None:
            removed.append(key)
        else:
            sets.append(f"{key}={toml_value(value)}")
    for item in sets:
        args += ["--set", item]
    return " ".join(shlex.quote(a) for a in args), removed


@functools.lru_cache(maxsize=8)
def load_base(scenario: str | None = DEFAULT_SCENARIO, overrides: tuple[str, ...] = ()) -> Scenario:
    """The scenario the app starts from: a bundled name or file, with ``--set`` overrides."""
    return load_scenario(scenario, list(overrides))


# ---- the model ---------------------------------------------------------------------------------

_BUILDS = itertools.count(1)


class TeachingModel(EducationModel):
    """An EducationModel built from the app's inputs (SolaraViz passes them as keywords on Reset).

    Parameters
    ----------
    scenario_name
        Bundled scenario name or TOML file (default ``hollow_school_demo``).
    overrides
        ``dotted.key=value`` strings applied first, as ``--set`` on the command line.
    levers
        The lever values (see :func:`lever_overrides`), or an object holding them in
        ``.value`` (the app passes its reactive variable, so Reset uses the current levers).
    seed
        Root seed (default: the scenario's).

    Attributes
    ----------
    start_row, start_panel : the county row and school panel before the first step (year
        ``start_year - 1``), so the map and the plots have a starting point.
    """

    def __init__(self, scenario_name: str | None = DEFAULT_SCENARIO, overrides: Iterable[str] = (),
                 levers: Any = None, seed: int | None = None):
        base = load_base(scenario_name, tuple(overrides))
        values = getattr(levers, "value", levers) or {}
        self.levers = {**lever_defaults(base), **values}
        self.scenario_name = scenario_name or base.name
        self.build_id = next(_BUILDS)
        self.overrides = tuple(overrides)
        super().__init__(scenario_with_levers(base, self.levers), seed=seed)
        self.start_row, self.start_panel = collect(self, self.structure)
        self._world_frames = self.world.to_frames()

    def frames(self) -> pd.DataFrame:
        """County rows so far, the starting state first (one row per year)."""
        return pd.DataFrame([self.start_row, *list(self.county_rows)])

    def panel(self) -> pd.DataFrame:
        """The school panel of the current year (the starting panel before the first step)."""
        panels = self.school_panels
        return panels[-1] if panels else self.start_panel

    @property
    def version(self) -> tuple[int, int]:
        """(build, step): changes whenever what the page shows changes."""
        return (self.build_id, self.steps)

    def simulated_years(self) -> int:
        """School years simulated so far."""
        return len(self.county_rows)

    def map_world(self) -> dict[str, pd.DataFrame]:
        """Frames for :func:`sim.viz.maps.draw_county_map`: settlements, roads, every school
        (schools built during the run included) and this year's bus routes."""
        n = len(self.schools)
        world = {
            "settlements": self._world_frames["settlements"],
            "roads": self._world_frames["roads"],
            "schools": pd.DataFrame({"id": np.arange(n), "settlement": np.asarray(self.schools.settlement[:n])}),
        }
        routes = bus_routes(self)
        if len(routes):
            world["bus_routes"] = routes
        return world


def bus_routes(model: EducationModel) -> pd.DataFrame:
    """This year's bus routes as stops (``route, order, settlement``), ending at the school.

    Read from any policy that keeps ``routes`` (the busing policy); empty without buses.
    """
    rows = []
    route_id = 0
    for policy in getattr(model, "policies", []):
        for route in getattr(policy, "routes", None) or []:
            stops = [int(s) for s in getattr(route, "stops", ())]
            school = int(model.schools.settlement[int(route.school)])
            for order, settlement in enumerate([*stops, school]):
                rows.append((route_id, order, settlement))
            route_id += 1
    return pd.DataFrame(rows, columns=["route", "order", "settlement"])


# ---- drawing (matplotlib, no text inside the figures) ------------------------------------------

MAP_SIZE_IN = (6.2, 5.6)
PLOT_SIZE_IN = (4.8, 2.35)
PLOT_METRICS = {"hollow_share": "ORANGE", "hard_access_share": "VERMILLION"}
#: Lowest top of each plot's y axis, so the axis stays put while a run unfolds.
PLOT_MIN_TOP = {"hollow_share": 0.5, "hard_access_share": 0.1}
AXIS_TOPS = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0)


def share_axis_top(metric: str, values: np.ndarray) -> float:
    """Top of a share plot's y axis: the metric's usual range, widened in round steps only when
    the values outgrow it (so the axis rarely moves between years)."""
    peak = float(np.nanmax(values)) * 1.1 if len(values) and np.isfinite(values).any() else 0.0
    need = max(peak, PLOT_MIN_TOP.get(metric, 0.1))
    return next((top for top in AXIS_TOPS if top >= need - 1e-12), 1.0) * (1.02 if need > 0.9 else 1.0)


def map_extent(world: dict[str, pd.DataFrame]) -> tuple[tuple[float, float], tuple[float, float]]:
    """x and y limits (km) holding every settlement and school, with a margin."""
    from sim.viz.maps import school_positions

    pos = school_positions(world)
    x = np.concatenate([world["settlements"]["x_km"].to_numpy(float), pos["x_km"].to_numpy(float)])
    y = np.concatenate([world["settlements"]["y_km"].to_numpy(float), pos["y_km"].to_numpy(float)])
    pad = 0.05 * max(np.ptp(x), np.ptp(y), 1.0)
    return (x.min() - pad, x.max() + pad), (y.min() - pad, y.max() + pad)


def draw_map(model: TeachingModel):
    """The county in the current year: roads, settlements, schools sized by pupils (the scale is
    the largest school at the start, so shrinking schools visibly shrink), a 10 km scale bar."""
    from sim.viz import maps, style

    world = model.map_world()
    with style.figure_style():
        fig = style.new_figure(*MAP_SIZE_IN, layout=None)
        fig.subplots_adjust(left=0.01, right=0.99, top=0.99, bottom=0.01)
        ax = fig.add_subplot()
        pupil_max = float(max(model.start_panel["pupils"].max(), 1))
        maps.draw_county_map(ax, world, model.panel(), pupil_max=pupil_max, year=model.year)
        (x0, x1), (y0, y1) = map_extent(world)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        bar = 10.0 if (x1 - x0) > 25 else 5.0
        bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
        ax.plot([bx, bx + bar], [by, by], color=style.BLACK, linewidth=2.5, solid_capstyle="butt", zorder=6)
        ax.text(bx + bar / 2, by + 0.015 * (y1 - y0), f"{bar:g} km", ha="center", va="bottom", fontsize=9, zorder=6)
    return fig


def draw_share_plot(model: TeachingModel, metric: str):
    """``metric`` (a share) over the years simulated so far; the x axis spans the whole run."""
    from sim.viz import style

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
        ax.plot(years[-1:], values[-1:], color=color, marker="o", markersize=8, markeredgecolor=style.BLACK)
        ax.set_xlim(first - 0.4, last + 0.4)
        ax.set_ylim(0, share_axis_top(metric, values))
        style.format_axis(ax.yaxis, metric)
        ax.xaxis.set_major_locator(_year_locator())
    return fig


PLOTTERS = {metric: functools.partial(draw_share_plot, metric=metric) for metric in PLOT_METRICS}


def _year_locator():
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(nbins=7, integer=True)


def figure_png(fig) -> bytes:
    """PNG bytes of a figure (fixed dpi, no metadata)."""
    from sim.viz import style

    return style.png_bytes(fig)


# ---- labels -----------------------------------------------------------------------------------

def lever_label(key: str, value: Any, lang: str) -> str:
    """The label of lever ``key`` at ``value`` in ``lang`` (values in the label: the thumb
    of a slider shows raw numbers only)."""
    if key == "closure":
        return t("lever_closure", lang, value=int(value)) if int(value) > 0 else t("lever_closure_off", lang)
    if key == "births":
        return t("lever_births", lang, value=f"{100 * float(value):+.1f}%")
    if key == "town_pull":
        return t("lever_town_pull", lang, value=f"{float(value):+.1f}")
    if key == "subsidy":
        return t("lever_subsidy", lang, value=f"{int(value):,}")
    return t(LEVER_BY_KEY[key].label, lang, value=value)


def stats(model: TeachingModel) -> dict[str, int | float]:
    """The numbers above the map: schools open / hollow / closed, pupils, county-town share,
    boarders, bus riders (current year)."""
    panel = model.panel()
    row = model.county_rows[-1] if model.county_rows else model.start_row
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


# ---- the page (needs Solara: the viz extra) --------------------------------------------------------

try:  # the viz extra; without it everything above still works, and make_page says what to install
    import solara
except ImportError:  # the components below are then plain functions, never called
    solara = None

    def _component(func):
        return func
else:
    _component = solara.component

MISSING_SOLARA = 'the teaching app needs Solara: pip install "edusim[viz]"'

CSS = """
.edusim-year-box { line-height: 1.05; min-width: 190px; }
.edusim-year { font-size: 64px; font-weight: 700; color: #0072B2; font-variant-numeric: tabular-nums; }
.edusim-year-label { font-size: 14px; text-transform: uppercase; letter-spacing: .08em; color: #555; }
.edusim-year-sub { font-size: 14px; color: #555; }
.edusim-stat { text-align: center; padding: 4px 14px; border-left: 1px solid #e0e0e0; }
.edusim-stat-value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.edusim-stat-label { font-size: 12.5px; color: #555; }
.edusim-card-title { font-size: 16px; font-weight: 600; margin: 0 0 2px 0; }
.edusim-note { font-size: 12.5px; color: #555; margin: 0; }
.edusim-legend { font-size: 12.5px; display: flex; flex-wrap: wrap; gap: 2px 12px; align-items: center; }
.edusim-legend span.sym { display: inline-block; margin-right: 5px; vertical-align: middle; }
.edusim-fig img { max-width: 100%; height: auto; display: block; }
.edusim-lever { margin-top: 10px; }
.edusim-lever-label { font-size: 14px; font-weight: 500; }
.edusim-lever-note { font-size: 12px; color: #666; }
.edusim-lever-off { color: #9a5800; }
.edusim-levers .v-input { margin-top: 0; padding-top: 0; }
.edusim-levers .v-input__slot { margin-bottom: 0; }
.edusim-levers .v-messages { display: none; }
.edusim-levers .v-input--switch .v-label { font-size: 14px; font-weight: 500; color: rgba(0,0,0,.87); }
.edusim-howto { font-size: 14px; color: #333; }
.edusim-notes { font-size: 13.5px; line-height: 1.45; margin: 4px 0 0 0; }
.edusim-notes code { font-size: 12.5px; }
.edusim-command { font-size: 12px; white-space: pre-wrap; word-break: break-all; background: #f5f5f5;
                  padding: 6px 8px; border-radius: 4px; margin: 4px 0; }
"""


def _legend_html(lang: str, buses: bool) -> str:
    from sim.viz import style

    def dot(color: str, edge: str = "#000") -> str:
        return (f'<span class="sym" style="width:13px;height:13px;border-radius:50%;background:{color};'
                f'border:1px solid {edge}"></span>')

    items = [
        f"{dot(style.BLUE)}{t('legend_open', lang)}",
        f"{dot(style.ORANGE)}{t('legend_hollow', lang)}",
        f'<span class="sym" style="color:{style.GREY};font-weight:900">✖</span>{t("legend_closed", lang)}',
        f'<span class="sym">○</span>{t("level_primary", lang)}',
        f'<span class="sym">△</span>{t("level_teaching_point", lang)}',
        f'<span class="sym">□</span>{t("level_junior", lang)}',
        f'<span class="sym">◇</span>{t("level_nine_year", lang)}',
    ]
    if buses:
        items.append(f'<span class="sym" style="width:22px;border-top:2px dashed {style.BUS_COLOR}"></span>'
                     f'{t("legend_bus", lang)}')
    return "".join(f"<span>{item}</span>" for item in items)


def _block(text: str, css_class: str):
    """A line of text as its own block (solara.Text is inline)."""
    return solara.Div(children=[text], classes=[css_class])


def html_escape(text: str) -> str:
    import html

    return html.escape(text)


def notes_html(scenario: Scenario, lang: str) -> str:
    """The scenario's "what to look at" text as HTML (`names` in code type)."""
    import re

    text = html_escape(i18n.scenario_notes(scenario.name, scenario.description, lang))
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


@_component
def YearPanel(model: TeachingModel, lang: str, version: tuple[int, int]):
    """The current school year in big type, and how far the run is."""
    n = model.scenario.years
    k = model.simulated_years()
    if k == 0:
        sub = t("year_start", lang)
    elif k <= n:
        sub = t("year_progress", lang, k=k, n=n)
    else:
        sub = t("year_beyond", lang, k=k, n=n)
    with solara.Column(gap="0px", classes=["edusim-year-box"]):
        solara.Text(t("year", lang), classes=["edusim-year-label"])
        solara.Text(str(model.year), classes=["edusim-year"])
        solara.Text(sub, classes=["edusim-year-sub", "edusim-year-progress"])


@_component
def StatsRow(model: TeachingModel, lang: str, version: tuple[int, int]):
    """Key numbers of the current year."""
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
    with solara.Row(gap="0px", style={"flex-wrap": "wrap", "align-items": "center"}):
        for value, label in cells:
            with solara.Column(gap="0px", classes=["edusim-stat"]):
                solara.Text(value, classes=["edusim-stat-value"])
                solara.Text(label, classes=["edusim-stat-label"])


@_component
def FigureView(fig_builder, model: TeachingModel, css_class: str, version: tuple[int, int]):
    """A matplotlib figure redrawn only when the model or its year changes (``version``)."""
    def render() -> bytes:
        return figure_png(fig_builder(model))

    png = solara.use_memo(render, [version])
    with solara.Div(classes=["edusim-fig", css_class]):
        solara.Image(png, format="png")


@_component
def Dashboard(model_ref, lang_ref):
    """The main area: year, numbers, map, plots, what to look at."""
    from mesa.visualization.utils import update_counter

    update_counter.get()  # redraw after every step SolaraViz runs
    model: TeachingModel = model_ref.value
    lang = lang_ref.value
    with solara.Column(gap="12px", style={"padding": "0 8px 48px 8px", "max-width": "1280px"}):
        with solara.Row(gap="20px", style={"align-items": "center", "flex-wrap": "wrap"}):
            YearPanel(model, lang, model.version)
            StatsRow(model, lang, model.version)
        _block(t("how_to", lang), "edusim-howto")
        with solara.Row(gap="16px", style={"align-items": "flex-start", "flex-wrap": "wrap"}):
            with solara.Card(style={"flex": "1 1 480px", "max-width": "680px"}, classes=["edusim-map-card"]):
                _block(t("map_title", lang, year=model.year), "edusim-card-title")
                solara.HTML(tag="div", unsafe_innerHTML=_legend_html(lang, model.scenario.policies.busing is not None),
                            classes=["edusim-legend"])
                FigureView(draw_map, model, "edusim-map", model.version)
                _block(t("map_caption", lang), "edusim-note")
            with solara.Column(gap="16px", style={"flex": "1 1 360px", "max-width": "560px"}):
                for metric, key in (("hollow_share", "plot_hollow"), ("hard_access_share", "plot_hard")):
                    with solara.Card(classes=[f"edusim-plot-card-{metric}"]):
                        _block(t(key, lang), "edusim-card-title")
                        _block(t(f"{key}_note", lang), "edusim-note")
                        FigureView(PLOTTERS[metric], model, f"edusim-plot-{metric.replace('_', '-')}", model.version)
                with solara.Card(classes=["edusim-notes-card"]):
                    _block(t("what_to_look_at", lang), "edusim-card-title")
                    _block(t("scenario", lang, name=model.scenario.name), "edusim-note")
                    solara.HTML(tag="p", unsafe_innerHTML=notes_html(model.scenario, lang), classes=["edusim-notes"])
                with solara.Card(classes=["edusim-command-card"]):
                    command, removed = command_line(model.scenario_name, model.overrides, model.levers,
                                                    load_base(model.scenario_name, model.overrides))
                    _block(t("command_line", lang), "edusim-card-title")
                    solara.HTML(tag="pre", unsafe_innerHTML=html_escape(command), classes=["edusim-command"])
                    for block in removed:
                        _block(t("command_line_removed", lang, block=block), "edusim-note")
                    _block(t("command_line_note", lang), "edusim-note")


@_component
def LeverControls(levers_ref, lang: str, on_lever, base: Scenario, on_defaults):
    """The policy levers (sidebar card); each change rebuilds the model."""
    levers = levers_ref.value
    with solara.Card(t("levers", lang), classes=["edusim-levers"]):
        solara.Text(t("levers_note", lang), classes=["edusim-note"])
        for lever in LEVERS:
            value = levers[lever.key]
            available = lever_available(lever.key)
            label = lever_label(lever.key, value, lang)
            on_value = functools.partial(on_lever, lever.key)
            with solara.Column(gap="0px", classes=["edusim-lever", f"edusim-lever-{lever.key.replace('_', '-')}"]):
                if lever.kind == "bool":
                    solara.Switch(label=label, value=bool(value), on_value=on_value, disabled=not available)
                    solara.Text(t("lever_buses_note", lang), classes=["edusim-lever-note"])
                    continue
                solara.Text(label, classes=["edusim-lever-label"] + ([] if available else ["edusim-lever-off"]))
                lo, hi = min(lever.min, value * lever.scale), max(lever.max, value * lever.scale)
                if lever.kind == "int":
                    solara.SliderInt("", value=int(value), min=int(lo), max=int(hi), step=int(lever.step),
                                     on_value=on_value, disabled=not available)
                else:
                    def set_scaled(v, key=lever.key, scale=lever.scale):
                        on_lever(key, round(float(v) / scale, 6))

                    solara.SliderFloat("", value=round(float(value) * lever.scale, 6), min=lo, max=hi,
                                       step=lever.step, on_value=set_scaled, disabled=not available)
                if not available:
                    solara.Text(t("lever_unavailable", lang, path=lever.path), classes=["edusim-lever-note", "edusim-lever-off"])
                elif lever.key == "town_pull":
                    growth = base.migration.town_pull_growth_per_year
                    solara.Text(t("lever_town_pull_note", lang, growth=f"{growth:+.2f}"), classes=["edusim-lever-note"])
        solara.Button(t("reset_levers", lang), on_click=on_defaults, text=True, small=True, color="primary")


@_component
def App(scenario_name: str | None = DEFAULT_SCENARIO, overrides: tuple[str, ...] = (), lang: str = i18n.DEFAULT_LANGUAGE):
    """The whole app for one scenario: SolaraViz (top bar, controls, seed) plus the levers,
    the language switch and the dashboard."""
    from mesa.visualization.utils import force_update

    base = solara.use_memo(lambda: load_base(scenario_name, tuple(overrides)), [scenario_name, tuple(overrides)])
    language = solara.use_reactive(lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE)
    levers = solara.use_reactive(lever_defaults(base))
    first = solara.use_memo(lambda: TeachingModel(scenario_name, tuple(overrides), levers=levers.value), [])
    model = solara.use_reactive(first)
    lg = language.value

    def rebuild() -> None:
        model.value = TeachingModel(scenario_name, tuple(overrides), levers=levers.value, seed=model.value.seed)
        force_update()

    def on_lever(key: str, value: Any) -> None:
        if levers.value.get(key) == value:
            return
        levers.value = {**levers.value, key: value}
        rebuild()

    def on_defaults() -> None:
        levers.value = lever_defaults(base)
        rebuild()

    with solara.Column(gap="0px"):  # no gaps for the elements that take no room
        solara.Style(CSS)
        solara.Title(t("app_title", lg))
        _AppChrome(model, levers, language, scenario_name, overrides, base, on_lever, on_defaults)
        Dashboard(model, language)


@_component
def _AppChrome(model, levers, language, scenario_name, overrides, base, on_lever, on_defaults):
    """SolaraViz (top bar, controls, seed, step count), the language switch and the levers."""
    from mesa.visualization import SolaraViz
    from mesa.visualization.user_param import Slider

    lg = language.value
    with solara.AppBar():
        with solara.ToggleButtonsSingle(value=lg, on_value=language.set, mandatory=True, dense=True,
                                        classes=["edusim-language"]):
            for code in i18n.LANGUAGES:
                solara.Button(i18n.LANGUAGE_NAMES[code], value=code, text=True, classes=[f"edusim-lang-{code}"])
    model_params = {
        "scenario_name": scenario_name,
        "overrides": tuple(overrides),
        "levers": levers,
        "seed": Slider(t("lever_seed", lg), value=int(base.seed), min=0, max=99, step=1),
    }
    # SolaraViz's own content goes to the top bar and the sidebar (portals); what is left in
    # place is empty columns with gaps, hidden so the dashboard starts at the top.
    with solara.Div(style={"display": "none"}, classes=["edusim-solaraviz"]):
        SolaraViz(model, components=[], model_params=model_params, name=t("app_title", lg), play_interval=400)
        with solara.Sidebar():
            LeverControls(levers, lg, on_lever, base, on_defaults)


def make_page(scenario: str | None = DEFAULT_SCENARIO, overrides: Iterable[str] = (), lang: str = i18n.DEFAULT_LANGUAGE):
    """The app's root element for ``scenario`` (validated first: a wrong name or key raises
    ScenarioError). Needs the viz extra."""
    if solara is None:
        raise ImportError(MISSING_SOLARA)
    overrides = tuple(overrides)
    load_base(scenario, overrides)
    return App(scenario_name=scenario, overrides=overrides, lang=lang)


def settings_from_env() -> tuple[str | None, tuple[str, ...], str]:
    """(scenario, overrides, language) from the variables ``edusim viz`` sets."""
    scenario = os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO
    overrides = tuple(json.loads(os.environ.get(ENV_SET) or "[]"))
    lang = os.environ.get(ENV_LANG) or i18n.DEFAULT_LANGUAGE
    return scenario, overrides, lang


if solara is not None:
    #: The page ``solara run sim.viz.app`` and ``edusim viz`` serve (an element: each browser
    #: session renders its own App, with its own model).
    page = App(*settings_from_env())

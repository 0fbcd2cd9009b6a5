"""The Solara page of the teaching app: layout only, every value from the pure modules.

The page is Mesa's SolaraViz (top bar, Play / Step / Reset, the seed) with the levers in the
sidebar, a language switch in the top bar and the dashboard (year, numbers, map, plots, what
to look at, the equivalent command line) in the main area. Moving a lever rebuilds the model
at once; the seed applies on Reset. Needs the ``viz`` extra (``pip install "edusim[viz]"``):
without it :data:`solara` is None, the components are plain functions never called and
:func:`make_page` says what to install.
"""

from __future__ import annotations

import functools
import html
import json
import os
import warnings
from typing import Any, Iterable

from sim.scenario import Scenario
from sim.viz import i18n
from sim.viz.app.levers import (
    LEVERS,
    Lever,
    command_line,
    lever_available,
    lever_defaults,
    lever_label,
)
from sim.viz.app.panels import (
    PLOTTERS,
    draw_map,
    figure_png,
    legend_html,
    notes_html,
    stat_cells,
    year_progress,
)
from sim.viz.app.teaching import DEFAULT_SCENARIO, TeachingModel, load_base
from sim.viz.i18n import t

try:  # the viz extra; without it the modules of sim.viz.app still work
    import solara

    with warnings.catch_warnings():
        # Mesa's ComponentsView returns early before a hook (harmless: the app shows none)
        warnings.filterwarnings("ignore", message=".*ComponentsView.*")
        from mesa.visualization import SolaraViz
        from mesa.visualization.user_param import Slider
        from mesa.visualization.utils import force_update, update_counter
except ImportError:
    solara = None

    def _component(func):
        return func
else:
    _component = solara.component

ENV_SCENARIO = "EDUSIM_VIZ_SCENARIO"
ENV_SET = "EDUSIM_VIZ_SET"
ENV_LANG = "EDUSIM_VIZ_LANG"
MISSING_SOLARA = 'the teaching app needs Solara: pip install "edusim[viz]"'
#: Milliseconds between two school years while SolaraViz plays.
PLAY_INTERVAL_MS = 400
#: The seed slider's range.
SEED_RANGE = (0, 99)
#: The share plots beside the map: metric and i18n key of the card's title.
PLOT_CARDS = (("hollow_share", "plot_hollow"), ("hard_access_share", "plot_hard"))

CSS = """
.edusim-year-box { line-height: 1.05; min-width: 190px; }
.edusim-year { font-size: 64px; font-weight: 700; color: #0072B2;
                font-variant-numeric: tabular-nums; }
.edusim-year-label { font-size: 14px; text-transform: uppercase; letter-spacing: .08em;
                      color: #555; }
.edusim-year-sub { font-size: 14px; color: #555; }
.edusim-stat { text-align: center; padding: 4px 14px; border-left: 1px solid #e0e0e0; }
.edusim-stat-value { font-size: 26px; font-weight: 600; font-variant-numeric: tabular-nums; }
.edusim-stat-label { font-size: 12.5px; color: #555; }
.edusim-card-title { font-size: 16px; font-weight: 600; margin: 0 0 2px 0; }
.edusim-note { font-size: 12.5px; color: #555; margin: 0; }
.edusim-legend { font-size: 12.5px; display: flex; flex-wrap: wrap; gap: 2px 12px;
                  align-items: center; }
.edusim-legend span.sym { display: inline-block; margin-right: 5px; vertical-align: middle; }
.edusim-fig img { max-width: 100%; height: auto; display: block; }
.edusim-lever { margin-top: 10px; }
.edusim-lever-label { font-size: 14px; font-weight: 500; }
.edusim-lever-note { font-size: 12px; color: #666; }
.edusim-lever-off { color: #9a5800; }
.edusim-levers .v-input { margin-top: 0; padding-top: 0; }
.edusim-levers .v-input__slot { margin-bottom: 0; }
.edusim-levers .v-messages { display: none; }
.edusim-levers .v-input--switch .v-label { font-size: 14px; font-weight: 500;
                                           color: rgba(0,0,0,.87); }
.edusim-howto { font-size: 14px; color: #333; }
.edusim-notes { font-size: 13.5px; line-height: 1.45; margin: 4px 0 0 0; }
.edusim-notes code { font-size: 12.5px; }
.edusim-command { font-size: 12px; white-space: pre-wrap; word-break: break-all;
                  background: #f5f5f5; padding: 6px 8px; border-radius: 4px; margin: 4px 0; }
"""


def _block(text: str, css_class: str):
    """A line of text as its own block (solara.Text is inline)."""
    return solara.Div(children=[text], classes=[css_class])


def _css_name(key: str) -> str:
    return key.replace("_", "-")


@_component
def YearPanel(model: TeachingModel, lang: str, version: tuple[int, int]):
    """The current school year in big type, and how far the run is.

    Parameters
    ----------
    model : TeachingModel
        The app's model, at any step.
    lang : str
        ``"en"`` or ``"zh"``.
    version : tuple of int
        ``model.version``: the component redraws when it changes.
    """
    with solara.Column(gap="0px", classes=["edusim-year-box"]):
        solara.Text(t("year", lang), classes=["edusim-year-label"])
        solara.Text(str(model.year), classes=["edusim-year"])
        solara.Text(year_progress(model, lang), classes=["edusim-year-sub", "edusim-year-progress"])


@_component
def StatsRow(model: TeachingModel, lang: str, version: tuple[int, int]):
    """Key numbers of the current year.

    Parameters
    ----------
    model : TeachingModel
        The app's model, at any step.
    lang : str
        ``"en"`` or ``"zh"``.
    version : tuple of int
        ``model.version``: the component redraws when it changes.
    """
    with solara.Row(gap="0px", style={"flex-wrap": "wrap", "align-items": "center"}):
        for value, label in stat_cells(model, lang):
            with solara.Column(gap="0px", classes=["edusim-stat"]):
                solara.Text(value, classes=["edusim-stat-value"])
                solara.Text(label, classes=["edusim-stat-label"])


@_component
def FigureView(fig_builder, model: TeachingModel, css_class: str, version: tuple[int, int]):
    """A matplotlib figure redrawn only when the model or its year changes (``version``).

    Parameters
    ----------
    fig_builder : callable
        Draws the figure: ``fig_builder(model)`` returns a matplotlib Figure.
    model : TeachingModel
        The app's model, at any step.
    css_class : str
        CSS class of the figure's box.
    version : tuple of int
        ``model.version``: the component redraws when it changes.
    """

    def render() -> bytes:
        return figure_png(fig_builder(model))

    png = solara.use_memo(render, [version])
    with solara.Div(classes=["edusim-fig", css_class]):
        solara.Image(png, format="png")


@_component
def MapCard(model: TeachingModel, lang: str, version: tuple[int, int]):
    """The county map with its title, legend and caption.

    Parameters
    ----------
    model : TeachingModel
        The app's model, at any step.
    lang : str
        ``"en"`` or ``"zh"``.
    version : tuple of int
        ``model.version``: a prop that changes with every step, so the card re-renders (the
        model itself is the same object before and after a step).
    """
    buses = model.scenario.policies.busing is not None
    card_style = {"flex": "1 1 480px", "max-width": "680px"}
    with solara.Card(style=card_style, classes=["edusim-map-card"]):
        _block(t("map_title", lang, year=model.year), "edusim-card-title")
        solara.HTML(tag="div", unsafe_innerHTML=legend_html(lang, buses), classes=["edusim-legend"])
        FigureView(draw_map, model, "edusim-map", version)
        _block(t("map_caption", lang), "edusim-note")


@_component
def SideCards(model: TeachingModel, lang: str, version: tuple[int, int]):
    """The share plots, what to look at, and the command line of the current levers.

    Parameters
    ----------
    model : TeachingModel
        The app's model, at any step.
    lang : str
        ``"en"`` or ``"zh"``.
    version : tuple of int
        ``model.version``, as for :func:`MapCard`.
    """
    with solara.Column(gap="16px", style={"flex": "1 1 360px", "max-width": "560px"}):
        for metric, key in PLOT_CARDS:
            with solara.Card(classes=[f"edusim-plot-card-{metric}"]):
                _block(t(key, lang), "edusim-card-title")
                _block(t(f"{key}_note", lang), "edusim-note")
                css_class = f"edusim-plot-{_css_name(metric)}"
                FigureView(PLOTTERS[metric], model, css_class, version)
        with solara.Card(classes=["edusim-notes-card"]):
            _block(t("what_to_look_at", lang), "edusim-card-title")
            _block(t("scenario", lang, name=model.scenario.name), "edusim-note")
            solara.HTML(
                tag="p", unsafe_innerHTML=notes_html(model.scenario, lang), classes=["edusim-notes"]
            )
        with solara.Card(classes=["edusim-command-card"]):
            base = load_base(model.scenario_name, model.overrides)
            command, removed = command_line(
                model.scenario_name, model.overrides, model.levers, base
            )
            _block(t("command_line", lang), "edusim-card-title")
            solara.HTML(
                tag="pre", unsafe_innerHTML=html.escape(command), classes=["edusim-command"]
            )
            for block in removed:
                _block(t("command_line_removed", lang, block=block), "edusim-note")
            _block(t("command_line_note", lang), "edusim-note")


@_component
def Dashboard(model_ref, lang_ref):
    """The main area: year, numbers, map, plots, what to look at.

    Parameters
    ----------
    model_ref : solara.Reactive
        Holds the app's model (``.value``), replaced on every rebuild.
    lang_ref : solara.Reactive
        Holds the language, ``"en"`` or ``"zh"``.
    """
    update_counter.get()  # redraw after every step SolaraViz runs
    model: TeachingModel = model_ref.value
    lang = lang_ref.value
    with solara.Column(gap="12px", style={"padding": "0 8px 48px 8px", "max-width": "1280px"}):
        with solara.Row(gap="20px", style={"align-items": "center", "flex-wrap": "wrap"}):
            YearPanel(model, lang, model.version)
            StatsRow(model, lang, model.version)
        _block(t("how_to", lang), "edusim-howto")
        with solara.Row(gap="16px", style={"align-items": "flex-start", "flex-wrap": "wrap"}):
            MapCard(model, lang, model.version)
            SideCards(model, lang, model.version)


@_component
def LeverControl(lever: Lever, value: Any, lang: str, on_lever, base: Scenario):
    """One lever: a switch or a slider, its label with the value, and a note where it has one.

    Parameters
    ----------
    lever : Lever
        The lever.
    value : Any
        Its current value, in scenario units (the slider shows ``value * lever.scale``).
    lang : str
        ``"en"`` or ``"zh"``.
    on_lever : callable
        Called as ``on_lever(lever.key, new_value)`` when the user moves it.
    base : Scenario
        The scenario the app starts from (for the notes).
    """
    available = lever_available(lever.key)
    label = lever_label(lever.key, value, lang)
    on_value = functools.partial(on_lever, lever.key)
    with solara.Column(gap="0px", classes=["edusim-lever", f"edusim-lever-{_css_name(lever.key)}"]):
        if lever.kind == "bool":
            solara.Switch(label=label, value=bool(value), on_value=on_value, disabled=not available)
            solara.Text(t("lever_buses_note", lang), classes=["edusim-lever-note"])
            return
        off = [] if available else ["edusim-lever-off"]
        solara.Text(label, classes=["edusim-lever-label", *off])
        lo, hi = min(lever.min, value * lever.scale), max(lever.max, value * lever.scale)
        if lever.kind == "int":
            solara.SliderInt(
                "",
                value=int(value),
                min=int(lo),
                max=int(hi),
                step=int(lever.step),
                on_value=on_value,
                disabled=not available,
            )
        else:

            def set_scaled(v):
                on_lever(lever.key, round(float(v) / lever.scale, 6))

            solara.SliderFloat(
                "",
                value=round(float(value) * lever.scale, 6),
                min=lo,
                max=hi,
                step=lever.step,
                on_value=set_scaled,
                disabled=not available,
            )
        if not available:
            solara.Text(
                t("lever_unavailable", lang, path=lever.path),
                classes=["edusim-lever-note", "edusim-lever-off"],
            )
        elif lever.key == "town_pull":
            growth = base.migration.town_pull_growth_per_year
            solara.Text(
                t("lever_town_pull_note", lang, growth=f"{growth:+.2f}"),
                classes=["edusim-lever-note"],
            )


@_component
def LeverControls(levers_ref, lang: str, on_lever, base: Scenario, on_defaults):
    """The policy levers (sidebar card); each change rebuilds the model.

    Parameters
    ----------
    levers_ref : solara.Reactive
        Holds the lever values by lever name.
    lang : str
        ``"en"`` or ``"zh"``.
    on_lever : callable
        Called as ``on_lever(key, new_value)`` when a lever moves.
    base : Scenario
        The scenario the app starts from.
    on_defaults : callable
        Called without arguments to set every lever back to the scenario's value.
    """
    levers = levers_ref.value
    with solara.Card(t("levers", lang), classes=["edusim-levers"]):
        solara.Text(t("levers_note", lang), classes=["edusim-note"])
        for lever in LEVERS:
            LeverControl(lever, levers[lever.key], lang, on_lever, base)
        solara.Button(
            t("reset_levers", lang), on_click=on_defaults, text=True, small=True, color="primary"
        )


@_component
def App(
    scenario_name: str | None = DEFAULT_SCENARIO,
    overrides: tuple[str, ...] = (),
    lang: str = i18n.DEFAULT_LANGUAGE,
):
    """The whole app for one scenario.

    SolaraViz (top bar, controls, seed) plus the levers, the language switch and the dashboard.

    Parameters
    ----------
    scenario_name : str or None, default DEFAULT_SCENARIO
        Bundled scenario name or TOML file.
    overrides : tuple of str, default ()
        ``dotted.key=value`` strings, as ``--set``.
    lang : str, default DEFAULT_LANGUAGE
        Language the page opens in (``"en"`` or ``"zh"``; another falls back to the default).
    """
    overrides = tuple(overrides)
    base = solara.use_memo(lambda: load_base(scenario_name, overrides), [scenario_name, overrides])
    language = solara.use_reactive(lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE)
    levers = solara.use_reactive(lever_defaults(base))

    def build(seed: int | None = None) -> TeachingModel:
        return TeachingModel(scenario_name, overrides, levers=levers.value, seed=seed)

    first = solara.use_memo(build, [])
    model = solara.use_reactive(first)

    def rebuild() -> None:
        model.value = build(model.value.seed)
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
        solara.Title(t("app_title", language.value))
        _AppChrome(model, levers, language, scenario_name, overrides, base, on_lever, on_defaults)
        Dashboard(model, language)


@_component
def _AppChrome(model, levers, language, scenario_name, overrides, base, on_lever, on_defaults):
    """SolaraViz (top bar, controls, seed, step count), the language switch and the levers."""
    lg = language.value
    with solara.AppBar():
        with solara.ToggleButtonsSingle(
            value=lg, on_value=language.set, mandatory=True, dense=True, classes=["edusim-language"]
        ):
            for code in i18n.LANGUAGES:
                solara.Button(
                    i18n.LANGUAGE_NAMES[code],
                    value=code,
                    text=True,
                    classes=[f"edusim-lang-{code}"],
                )
    seed_min, seed_max = SEED_RANGE
    model_params = {
        "scenario_name": scenario_name,
        "overrides": tuple(overrides),
        "levers": levers,
        "seed": Slider(
            t("lever_seed", lg), value=int(base.seed), min=seed_min, max=seed_max, step=1
        ),
    }
    # SolaraViz's own content goes to the top bar and the sidebar (portals); what is left in
    # place is empty columns with gaps, hidden so the dashboard starts at the top.
    with solara.Div(style={"display": "none"}, classes=["edusim-solaraviz"]):
        SolaraViz(
            model,
            components=[],
            model_params=model_params,
            name=t("app_title", lg),
            play_interval=PLAY_INTERVAL_MS,
        )
        with solara.Sidebar():
            LeverControls(levers, lg, on_lever, base, on_defaults)


def settings_from_env() -> tuple[str | None, tuple[str, ...], str]:
    """The app's settings from the environment variables ``edusim viz`` sets.

    Returns
    -------
    tuple[str | None, tuple[str, ...], str]
        Scenario (``EDUSIM_VIZ_SCENARIO``, default ``hollow_school_demo``), overrides
        (``EDUSIM_VIZ_SET``, a JSON list of ``key=value``) and language (``EDUSIM_VIZ_LANG``).
    """
    scenario = os.environ.get(ENV_SCENARIO) or DEFAULT_SCENARIO
    overrides = tuple(json.loads(os.environ.get(ENV_SET) or "[]"))
    lang = os.environ.get(ENV_LANG) or i18n.DEFAULT_LANGUAGE
    return scenario, overrides, lang


@_component
def AppFromEnv():
    """The app with the settings ``edusim viz`` passes (see :func:`settings_from_env`).

    Returns
    -------
    solara.Element
        The :func:`App` element.
    """
    return App(*settings_from_env())


def make_page(
    scenario: str | None = DEFAULT_SCENARIO,
    overrides: Iterable[str] = (),
    lang: str = i18n.DEFAULT_LANGUAGE,
):
    """The app's root element for a scenario, validated first.

    Parameters
    ----------
    scenario : str or None, default DEFAULT_SCENARIO
        Bundled scenario name or TOML file.
    overrides : iterable of str, default ()
        ``dotted.key=value`` strings, as ``--set``.
    lang : str, default DEFAULT_LANGUAGE
        Language the page opens in (``"en"`` or ``"zh"``).

    Returns
    -------
    solara.Element
        The :func:`App` element.

    Raises
    ------
    ImportError
        Solara (the ``viz`` extra) is not installed.
    ScenarioError
        A wrong scenario name or key.
    """
    if solara is None:
        raise ImportError(MISSING_SOLARA)
    overrides = tuple(overrides)
    load_base(scenario, overrides)
    return App(scenario_name=scenario, overrides=overrides, lang=lang)

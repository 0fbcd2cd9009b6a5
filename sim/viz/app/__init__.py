"""The teaching app: ``edusim viz [SCENARIO]`` serves it with Solara on Mesa's SolaraViz.

What it shows: the county map of the current school year (schools sized by pupils, coloured
open / hollow / closed), live plots of ``hollow_share`` and ``hard_access_share``, the year in
big type, and the levers a county plan pulls (closure threshold, boarding beds and the youngest
boarding grade, school buses, a rural teacher subsidy, the pull of the county town, the birth
trend). Every label exists in Chinese and English (a language switch in the top bar).

How it is built, one module per job:

- :mod:`~sim.viz.app.levers`: the sliders, the scenario key each sets and its label;
  :func:`lever_overrides` (the slider → scenario mapping), :func:`scenario_with_levers` and
  the equivalent command line (:func:`command_line`). Pure functions.
- :mod:`~sim.viz.app.teaching`: :class:`TeachingModel`, an
  :class:`~sim.model.EducationModel` whose keyword arguments are what Mesa's SolaraViz passes
  on Reset (the scenario name, ``--set`` overrides, the levers and the seed).
- :mod:`~sim.viz.app.panels`: the map and the share plots (matplotlib figures without text in
  them, so they need no CJK font and a language switch redraws nothing), the numbers above the
  map, the legend and the notes. Pure functions of the model's state.
- :mod:`~sim.viz.app.ui`: the Solara page (layout only). Moving a lever rebuilds the model at
  once (the county starts again from its first year); the seed slider in Mesa's "Model
  Parameters" card applies on Reset. Play, Step and Reset are SolaraViz's own controls; each
  step is one school year.

``edusim viz`` (and ``solara run sim.viz.app``) serves this package: its ``Page`` component
reads the environment variables ``EDUSIM_VIZ_SCENARIO``, ``EDUSIM_VIZ_SET`` (a JSON list of
``key=value``) and ``EDUSIM_VIZ_LANG`` that ``edusim viz`` sets; ``page`` is the same app as
an element (as in Mesa's examples); :func:`make_page` builds it for any scenario. Everything
but the page works without Solara installed (the tests use it); the page itself needs the
``viz`` extra (``pip install "edusim[viz]"``).
"""

from sim.viz.app.levers import (
    LEVER_BY_KEY,
    LEVERS,
    SUBSIDY_ONLY,
    Lever,
    command_line,
    lever_available,
    lever_defaults,
    lever_label,
    lever_overrides,
    scenario_with_levers,
)
from sim.viz.app.panels import (
    PLOT_METRICS,
    PLOTTERS,
    draw_map,
    draw_share_plot,
    figure_png,
    legend_html,
    notes_html,
    share_axis_top,
    stat_cells,
    stats,
    year_progress,
)
from sim.viz.app.teaching import DEFAULT_SCENARIO, TeachingModel, bus_routes, load_base
from sim.viz.app.ui import (
    ENV_LANG,
    ENV_SCENARIO,
    ENV_SET,
    MISSING_SOLARA,
    App,
    AppFromEnv,
    make_page,
    settings_from_env,
    solara,
)

#: Browser tab title (Solara reads a package's ``title``).
title = "edusim"

if solara is not None:
    #: The component Solara renders for this package (each browser session its own App).
    Page = AppFromEnv
    #: The same app as an element, built from the environment when the package is imported.
    page = App(*settings_from_env())

__all__ = [
    "DEFAULT_SCENARIO",
    "ENV_LANG",
    "ENV_SCENARIO",
    "ENV_SET",
    "LEVERS",
    "LEVER_BY_KEY",
    "Lever",
    "MISSING_SOLARA",
    "PLOTTERS",
    "PLOT_METRICS",
    "SUBSIDY_ONLY",
    "TeachingModel",
    "bus_routes",
    "command_line",
    "draw_map",
    "draw_share_plot",
    "figure_png",
    "legend_html",
    "lever_available",
    "lever_defaults",
    "lever_label",
    "lever_overrides",
    "load_base",
    "make_page",
    "notes_html",
    "scenario_with_levers",
    "settings_from_env",
    "share_axis_top",
    "stat_cells",
    "stats",
    "year_progress",
]

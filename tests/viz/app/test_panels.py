"""The app's panels: map and share plots (PNG, fast, no CJK text), numbers, progress, legend."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

from sim.viz import i18n
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
from sim.viz.app.teaching import TeachingModel, load_base

DEMO = "hollow_school_demo"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def stepped() -> TeachingModel:
    """The demo with closures and buses, four years on."""
    model = TeachingModel(DEMO, levers={"closure": 60, "buses": True})
    for _ in range(4):
        model.step()
    return model


def test_figures_are_png_and_fast():
    model = TeachingModel(DEMO, levers={"closure": 60, "buses": True})
    figure_png(draw_map(model))  # warm-up (fonts, imports)
    for _ in range(4):
        model.step()
    started = time.perf_counter()
    images = [figure_png(draw_map(model))] + [
        figure_png(draw_share_plot(model, metric)) for metric in PLOT_METRICS
    ]
    elapsed = time.perf_counter() - started
    assert all(png.startswith(PNG) and len(png) > 5_000 for png in images)
    assert elapsed < 1.5, elapsed  # budget: a step's drawing stays well under a second


def test_figures_change_with_the_year():
    model = TeachingModel(DEMO)
    before = figure_png(draw_share_plot(model, "hollow_share"))
    model.step()
    assert figure_png(draw_share_plot(model, "hollow_share")) != before


def test_figures_carry_no_text_that_needs_a_cjk_font():
    model = TeachingModel(DEMO)
    for fig in (draw_map(model), draw_share_plot(model, "hollow_share")):
        texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
        assert not any(re.search(r"[\u3000-\u9fff]", text or "") for text in texts)


def test_share_axis_stays_put_while_values_fit():
    assert share_axis_top("hollow_share", np.array([0.1, 0.3])) == 0.5
    assert share_axis_top("hollow_share", np.array([0.3, 0.5])) == 0.75
    assert share_axis_top("hard_access_share", np.array([0.04])) == 0.1
    assert share_axis_top("hard_access_share", np.array([0.98])) > 1.0
    assert share_axis_top("hard_access_share", np.array([])) == 0.1


def test_notes_put_names_in_code_type():
    assert "<code>hollow_share</code>" in notes_html(load_base(DEMO), "en")


# ---- new: the pure panel functions on their own -------------------------------------------------


def test_share_axis_ignores_missing_values_and_knows_unknown_metrics():
    assert share_axis_top("hollow_share", np.array([np.nan, np.nan])) == 0.5
    assert share_axis_top("hollow_share", np.array([np.nan, 0.6])) == 0.75
    assert share_axis_top("other_share", np.array([0.15])) == 0.2


def test_plotters_draw_the_share_plot_of_their_metric(stepped):
    assert set(PLOTTERS) == set(PLOT_METRICS)
    for metric, plot in PLOTTERS.items():
        assert figure_png(plot(stepped)) == figure_png(draw_share_plot(stepped, metric))


def test_the_share_plot_spans_the_whole_run_and_ends_at_the_current_year(stepped):
    fig = draw_share_plot(stepped, "hollow_share")
    [ax] = fig.axes
    scenario = stepped.scenario
    first, last = scenario.start_year - 1, scenario.start_year + scenario.years - 1
    lo, hi = ax.get_xlim()
    assert lo < first < last < hi
    marker = ax.lines[-1]  # the big dot: the current year
    assert list(marker.get_xdata()) == [stepped.year]
    assert marker.get_ydata()[0] == pytest.approx(stepped.frames()["hollow_share"].iloc[-1])


def test_the_map_shows_the_whole_county_and_is_deterministic(stepped):
    fig = draw_map(stepped)
    [ax] = fig.axes
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    settlements = stepped.map_world()["settlements"]
    assert x0 < settlements["x_km"].min() and settlements["x_km"].max() < x1
    assert y0 < settlements["y_km"].min() and settlements["y_km"].max() < y1
    assert [t.get_text() for t in ax.texts] == ["10 km"]
    assert figure_png(fig) == figure_png(draw_map(stepped))


def test_stats_count_the_current_panel(stepped):
    s = stats(stepped)
    panel = stepped.panel()
    assert s["open"] + s["closed"] <= len(panel)
    assert s["closed"] == int((panel["status"].astype(str) == "closed").sum())
    assert 0 <= s["hollow"] <= s["open"]
    row = stepped.county_rows[-1]
    assert s["pupils"] == row["pupils"] and s["bus"] == row["bus_riders"]
    assert 0.0 <= s["town"] <= 1.0


def test_stat_cells_format_the_numbers_and_show_riders_only_with_buses(stepped):
    cells = stat_cells(stepped, "en")
    s = stats(stepped)
    assert cells[0] == (str(s["open"]), i18n.t("stat_open", "en"))
    assert cells[3][0] == f"{s['pupils']:,}" and cells[4][0].endswith("%")
    assert cells[-1][1] == i18n.t("stat_bus", "en")
    assert [label for _, label in stat_cells(stepped, "zh")][0] == i18n.t("stat_open", "zh")
    plain = TeachingModel(DEMO)
    assert i18n.t("stat_bus", "en") not in [label for _, label in stat_cells(plain, "en")]
    assert len(stat_cells(plain, "en")) == len(cells) - 1


def test_year_progress_from_the_start_to_beyond_the_scenario():
    model = TeachingModel(DEMO, overrides=("years=2",))
    assert year_progress(model, "en") == i18n.t("year_start", "en")
    model.step()
    assert year_progress(model, "en") == i18n.t("year_progress", "en", k=1, n=2)
    model.step()
    model.step()
    assert year_progress(model, "zh") == i18n.t("year_beyond", "zh", k=3, n=2)


def test_legend_lists_the_markers_and_the_bus_only_with_buses():
    with_bus, without = legend_html("en", True), legend_html("en", False)
    assert i18n.t("legend_bus", "en") in with_bus and i18n.t("legend_bus", "en") not in without
    assert without.count("<span>") == 7 and with_bus.count("<span>") == 8
    assert i18n.t("legend_hollow", "zh") in legend_html("zh", False)


def test_notes_escape_html():
    scenario = load_base(DEMO).model_copy(update={"name": "other", "description": "a <b> & `c`"})
    assert notes_html(scenario, "en") == "a &lt;b&gt; &amp; <code>c</code>"

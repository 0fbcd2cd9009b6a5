"""The teaching app without a browser: levers → scenario keys, the model it builds, its
figures, the labels in both languages, and ``edusim viz``'s errors (exit 2 before serving)."""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest

import sim
import sim.cli.viz  # noqa: F401  (registers ``viz`` until sim/cli/__init__.py imports it)
from sim.errors import ScenarioError
from sim.viz import app, i18n

DEMO = "hollow_school_demo"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def base() -> sim.Scenario:
    return app.load_base(DEMO)


# ---- levers → scenario ------------------------------------------------------------------------

def test_defaults_read_the_scenario(base):
    levers = app.lever_defaults(base)
    assert set(levers) == {lever.key for lever in app.LEVERS}
    assert levers["closure"] == 0 and levers["beds"] == 0 and levers["buses"] is False
    assert levers["min_grade"] == base.boarding.min_grade == 4
    assert levers["town_pull"] == base.migration.town_constant == -3.0
    assert levers["births"] == base.demography.births_trend_per_year == 0.0


def test_default_levers_leave_the_scenario_unchanged(base):
    assert app.scenario_with_levers(base, app.lever_defaults(base)) == base
    assert app.scenario_with_levers(base, {}) == base


def test_closure_threshold_sets_the_rule(base):
    scn = app.scenario_with_levers(base, {"closure": 60})
    rule = scn.policies.consolidation.rule
    assert rule.min_pupils.primary == 60 and rule.min_pupils.teaching_point == 60
    assert rule.min_pupils.junior == 0 and rule.min_pupils.nine_year == 0  # a new rule leaves them alone
    # 0 removes a rule the scenario has, and keeps the rest of its consolidation block
    with_rule = app.scenario_with_levers(base, {"closure": 80})
    off = app.scenario_with_levers(with_rule, {"closure": 0})
    assert off.policies.consolidation is not None and off.policies.consolidation.rule is None
    assert app.lever_defaults(with_rule)["closure"] == 80
    # an existing rule keeps its junior thresholds
    kept = app.scenario_with_levers(
        sim.load_scenario(DEMO, ["policies.consolidation.rule.min_pupils.junior=300"]), {"closure": 40})
    assert kept.policies.consolidation.rule.min_pupils.junior == 300
    assert kept.policies.consolidation.rule.min_pupils.primary == 40


def test_beds_min_grade_buses_town_pull_births(base):
    scn = app.scenario_with_levers(base, {"beds": 75, "min_grade": 3, "buses": True, "town_pull": -1.5,
                                          "births": -0.025})
    boarding = scn.policies.boarding
    assert boarding is not None and boarding.beds_for_need is False
    [entry] = boarding.expansion
    assert entry.beds == 75 and entry.year == base.start_year and entry.select.tiers == ["township"]
    assert scn.boarding.min_grade == 3
    assert scn.policies.busing is not None
    assert scn.migration.town_constant == -1.5
    assert scn.demography.births_trend_per_year == -0.025
    # buses off removes a busing block the scenario has; beds 0 adds nothing
    off = app.scenario_with_levers(scn, {"buses": False, "beds": 0})
    assert off.policies.busing is None and off.policies.boarding == boarding


def test_subsidy_lever_follows_the_schema(base):
    key = "policies.teachers.rural_subsidy_yuan_per_month"
    assert app.lever_available("subsidy") == app.schema_has(key)
    out = app.lever_overrides({"subsidy": 400}, base)
    if app.lever_available("subsidy"):
        assert out[key] == 400
        teachers = app.scenario_with_levers(base, {"subsidy": 400}).policies.teachers
        assert teachers.rural_subsidy_yuan_per_month == 400
        for other, value in app.SUBSIDY_ONLY.items():  # only the subsidy is switched on
            if hasattr(teachers, other):
                assert getattr(teachers, other) == value
        assert app.lever_overrides({"subsidy": 0}, base) == {}
    else:
        assert out == {}  # guarded: the slider shows disabled with a note


def test_schema_has():
    assert app.schema_has("migration.town_constant")
    assert app.schema_has("policies.consolidation.rule.min_pupils.primary")
    assert not app.schema_has("migration.no_such_key")
    assert not app.schema_has("migration.town_constant.deeper")


def test_every_lever_but_the_guarded_one_is_available():
    missing = [lever.key for lever in app.LEVERS if not app.lever_available(lever.key)]
    assert set(missing) <= {"subsidy"}, missing


def test_command_line_gives_the_same_scenario(base):
    levers = {**app.lever_defaults(base), "closure": 60, "beds": 50, "buses": True, "births": -0.02,
              "town_pull": -2.5, "min_grade": 5}
    command, removed = app.command_line(DEMO, ["years=8"], levers, base)
    assert removed == []
    args = shlex.split(command)
    assert args[:3] == ["edusim", "run", DEMO]
    sets = [args[i + 1] for i, a in enumerate(args) if a == "--set"]
    assert sets[0] == "years=8"
    expected = app.scenario_with_levers(app.load_base(DEMO, ("years=8",)), levers)
    assert sim.load_scenario(DEMO, sets) == expected
    # unchanged levers add nothing
    assert app.command_line(DEMO, [], app.lever_defaults(base), base)[0] == f"edusim run {DEMO}"


def test_toml_value():
    assert app.toml_value(True) == "true"
    assert app.toml_value([{"a": 1, "b": {"c": ["x"]}}]) == '[{a = 1, b = {c = ["x"]}}]'
    with pytest.raises(TypeError):
        app.toml_value(None)


# ---- the model --------------------------------------------------------------------------------

def test_teaching_model_matches_education_model(base):
    taught = app.TeachingModel(DEMO)
    plain = sim.EducationModel(base)
    for _ in range(3):
        taught.step()
        plain.step()
    pd.testing.assert_frame_equal(pd.DataFrame(taught.county_rows), pd.DataFrame(plain.county_rows))
    assert taught.steps == 3 and taught.simulated_years() == 3


def test_teaching_model_takes_solaraviz_keywords_and_a_reactive():
    class Holder:  # what the app passes: its reactive variable, read at build time
        value = {"closure": 50, "buses": True}

    model = app.TeachingModel(scenario_name=DEMO, overrides=("years=5",), levers=Holder(), seed=3)
    assert model.seed == 3 and model.scenario.years == 5
    assert model.levers["closure"] == 50 and model.levers["town_pull"] == -3.0
    assert model.scenario.policies.consolidation.rule.min_pupils.primary == 50
    assert model.scenario.policies.busing is not None


def test_frames_panel_and_stats_start_before_the_first_year():
    model = app.TeachingModel(DEMO)
    start = model.scenario.start_year - 1
    assert model.year == start
    assert model.frames()["year"].tolist() == [start]
    assert model.panel()["pupils"].sum() > 0
    s0 = app.stats(model)
    assert s0["open"] > 0 and s0["closed"] == 0 and s0["pupils"] > 0
    model.step()
    model.step()
    frames = model.frames()
    assert frames["year"].tolist() == [start, start + 1, start + 2]
    assert frames[["hollow_share", "hard_access_share"]].notna().all().all()
    assert (model.panel()["year"] == start + 2).all()
    assert model.version == (model.build_id, 2)
    assert app.TeachingModel(DEMO).build_id != model.build_id


def test_closure_lever_closes_schools_and_buses_ride():
    model = app.TeachingModel(DEMO, levers={"closure": 100, "buses": True})
    for _ in range(7):
        model.step()
    assert app.stats(model)["closed"] > 0
    routes = app.bus_routes(model)
    assert list(routes.columns) == ["route", "order", "settlement"]
    world = model.map_world()
    assert len(world["schools"]) == len(model.schools)
    assert ("bus_routes" in world) == (len(routes) > 0)


def test_figures_are_png_and_fast():
    model = app.TeachingModel(DEMO, levers={"closure": 60, "buses": True})
    app.figure_png(app.draw_map(model))  # warm-up (fonts, imports)
    for _ in range(4):
        model.step()
    started = time.perf_counter()
    images = [app.figure_png(app.draw_map(model))] + [
        app.figure_png(app.draw_share_plot(model, metric)) for metric in app.PLOT_METRICS]
    elapsed = time.perf_counter() - started
    assert all(png.startswith(PNG) and len(png) > 5_000 for png in images)
    assert elapsed < 1.5, elapsed  # budget: a step's drawing stays well under a second


def test_figures_change_with_the_year():
    model = app.TeachingModel(DEMO)
    before = app.figure_png(app.draw_share_plot(model, "hollow_share"))
    model.step()
    assert app.figure_png(app.draw_share_plot(model, "hollow_share")) != before


def test_figures_carry_no_text_that_needs_a_cjk_font():
    model = app.TeachingModel(DEMO)
    for fig in (app.draw_map(model), app.draw_share_plot(model, "hollow_share")):
        texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
        assert not any(re.search(r"[\u3000-\u9fff]", text or "") for text in texts)


# ---- labels -----------------------------------------------------------------------------------

def _fields(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_label_in_both_languages_with_the_same_fields():
    for key, entry in i18n.LABELS.items():
        assert set(entry) == set(i18n.LANGUAGES), key
        assert entry["zh"] and (entry["en"] or key == "description_in_english"), key
        assert _fields(entry["en"]) == _fields(entry["zh"]) or not entry["en"], key


def test_lever_labels_change_with_the_language(base):
    levers = app.lever_defaults(base)
    for lever in app.LEVERS:
        en = app.lever_label(lever.key, levers[lever.key], "en")
        zh = app.lever_label(lever.key, levers[lever.key], "zh")
        assert en and zh and en != zh, lever.key
        assert i18n.t(lever.label, "en") and i18n.t(lever.label, "zh")
    assert "60" in app.lever_label("closure", 60, "en") and "60" in app.lever_label("closure", 60, "zh")
    assert app.lever_label("births", -0.025, "en").endswith("-2.5%")


def test_scenario_notes(base):
    assert i18n.scenario_notes(DEMO, base.description, "en").startswith("Teaching demo")
    assert "空心校" in i18n.scenario_notes(DEMO, base.description, "zh")
    assert i18n.scenario_notes("other", "Some text.", "zh").endswith("Some text.")
    assert "<code>hollow_share</code>" in app.notes_html(base, "en")
    assert i18n.t("year", "fr") == i18n.t("year", "en")


def test_app_module_imports_without_solara():
    code = ("import sys; sys.modules['solara'] = None; import sim.viz.app as a; "
            "assert a.solara is None and not hasattr(a, 'page'); "
            "m = a.TeachingModel(); m.step(); print(m.year)\n"
            "try:\n a.make_page()\nexcept ImportError as e:\n print(e)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert 'pip install "edusim[viz]"' in out.stdout


def test_make_page_validates_the_scenario():
    pytest.importorskip("solara", reason='solara is not installed (pip install "edusim[viz]")')
    assert app.make_page(DEMO, ["years=4"], "zh") is not None
    with pytest.raises(ScenarioError):
        app.make_page("no_such_scenario")


# ---- edusim viz: errors before serving ---------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["viz", "no_such_scenario"], "neither a file nor a bundled scenario"),
    (["viz", "--set", "migration.no_such_key=1"], "no_such_key"),
    (["viz", "--lang", "fr"], "--lang"),
    (["viz", "--port", "70000"], "--port"),
])
def test_viz_rejects_bad_input_with_exit_2(invoke, args, message):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_viz_without_the_extra_names_it(invoke, monkeypatch):
    monkeypatch.setattr(sim.cli.viz, "missing_viz_modules", lambda: ["solara"])
    result = invoke("viz")
    assert result.exit_code == 2
    assert 'pip install "edusim[viz]"' in result.stderr and "solara" in result.stderr


def test_viz_port_in_use_is_exit_2(invoke, monkeypatch):
    monkeypatch.setattr(sim.cli.viz, "missing_viz_modules", lambda: [])
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = invoke("viz", "--port", str(port))
    assert result.exit_code == 2
    assert "cannot listen" in result.stderr


def test_viz_help_lists_the_options(invoke):
    result = invoke("viz", "--help")
    assert result.exit_code == 0
    for option in ("--host", "--port", "--set", "--lang"):
        assert option in result.stdout


def test_lever_ranges_hold_the_defaults(base):
    levers = app.lever_defaults(base)
    for lever in app.LEVERS:
        if lever.kind != "bool":
            value = levers[lever.key] * lever.scale
            assert lever.min <= value <= lever.max, lever.key
            assert np.isclose((value - lever.min) / lever.step, round((value - lever.min) / lever.step)), lever.key


def test_share_axis_stays_put_while_values_fit():
    assert app.share_axis_top("hollow_share", np.array([0.1, 0.3])) == 0.5
    assert app.share_axis_top("hollow_share", np.array([0.3, 0.5])) == 0.75
    assert app.share_axis_top("hard_access_share", np.array([0.04])) == 0.1
    assert app.share_axis_top("hard_access_share", np.array([0.98])) > 1.0
    assert app.share_axis_top("hard_access_share", np.array([])) == 0.1

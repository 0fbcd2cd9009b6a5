"""The Solara page rendered without a browser: what it shows, a lever rebuilding the county, Step,
the language, and the checks before it is built. Needs the viz extra (skipped otherwise)."""

from __future__ import annotations

import pytest

from sim.errors import ScenarioError
from sim.viz import i18n
from sim.viz.app import ui
from sim.viz.app.levers import LEVERS
from sim.viz.app.teaching import DEFAULT_SCENARIO

solara = pytest.importorskip("solara", reason='solara is not installed (pip install "edusim[viz]")')
kernel_context = pytest.importorskip("solara.server.kernel_context")

DEMO = "hollow_school_demo"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def render():
    """Render the app for the demo (3 years) in a language, as Solara serves it (in an
    AppLayout, which holds the sidebar with the levers); returns the root widget."""
    context = kernel_context.create_dummy_context()
    rendered = []

    def _render(lang: str = "en"):
        with context:
            page = solara.AppLayout(children=[ui.App(DEMO, ("years=3",), lang)])
            root, rc = solara.render(page, handle_error=False)
        rendered.append(rc)
        return root

    yield _render
    with context:
        for rc in rendered:
            rc.close()


def _classes(widget) -> list[str]:
    attributes = getattr(widget, "attributes", None) or {}
    return f"{getattr(widget, 'class_', None) or ''} {attributes.get('class', '')}".split()


def _find(widget, css_class: str) -> list:
    """Every widget below ``widget`` (itself included) with the CSS class ``css_class``."""
    found = [widget] if css_class in _classes(widget) else []
    for child in getattr(widget, "children", None) or ():
        if not isinstance(child, str):
            found += _find(child, css_class)
    return found


def _text(widget) -> str:
    """Every text in a widget and below it (children, labels, HTML)."""
    parts = [
        v
        for v in (getattr(widget, "label", None), getattr(widget, "unsafe_innerHTML", None))
        if isinstance(v, str) and v
    ]
    for child in getattr(widget, "children", None) or ():
        parts.append(child if isinstance(child, str) else _text(child))
    return " ".join(p for p in parts if p)


def _one(root, css_class: str):
    [widget] = _find(root, css_class)
    return widget


def _button(root, label: str):
    buttons = [w for w in _all(root) if type(w).__name__ == "Btn" and _text(w) == label]
    assert len(buttons) == 1, label
    return buttons[0]


def _all(widget) -> list:
    out = [widget]
    for child in getattr(widget, "children", None) or ():
        if not isinstance(child, str):
            out += _all(child)
    return out


def test_make_page_validates_the_scenario():
    assert ui.make_page(DEMO, ["years=4"], "zh") is not None
    with pytest.raises(ScenarioError):
        ui.make_page("no_such_scenario")


def test_settings_from_env(monkeypatch):
    for name in (ui.ENV_SCENARIO, ui.ENV_SET, ui.ENV_LANG):
        monkeypatch.delenv(name, raising=False)
    assert ui.settings_from_env() == (DEFAULT_SCENARIO, (), i18n.DEFAULT_LANGUAGE)
    monkeypatch.setenv(ui.ENV_SCENARIO, "small_county")
    monkeypatch.setenv(ui.ENV_SET, '["years=4", "seed=3"]')
    monkeypatch.setenv(ui.ENV_LANG, "zh")
    assert ui.settings_from_env() == ("small_county", ("years=4", "seed=3"), "zh")


def test_the_page_shows_the_year_the_levers_and_the_command(render):
    root = render()
    start = ui.load_base(DEMO, ("years=3",)).start_year - 1
    assert _text(_one(root, "edusim-year")) == str(start)
    assert _text(_one(root, "edusim-year-progress")) == i18n.t("year_start", "en")
    for lever in LEVERS:
        assert _one(root, f"edusim-lever-{lever.key.replace('_', '-')}"), lever.key
    assert _text(_one(root, "edusim-command")) == f"edusim run {DEMO} --set years=3"
    assert DEMO in _text(_one(root, "edusim-notes-card"))
    [image] = [w for w in _all(_one(root, "edusim-map")) if type(w).__name__ == "Image"]
    assert bytes(image.value).startswith(PNG)


def test_moving_a_lever_rebuilds_the_county_with_it(render):
    root = render()
    [slider] = [w for w in _all(_one(root, "edusim-lever-closure")) if type(w).__name__ == "Slider"]
    slider.v_model = 60
    assert "60 pupils" in _text(_one(root, "edusim-lever-closure"))
    assert "min_pupils.primary=60" in _text(_one(root, "edusim-command"))


def test_step_advances_the_year_shown(render):
    root = render()
    year = int(_text(_one(root, "edusim-year")))
    _button(root, "Step").fire_event("click", {})
    assert int(_text(_one(root, "edusim-year"))) == year + 1
    assert _text(_one(root, "edusim-year-progress")) == i18n.t("year_progress", "en", k=1, n=3)


def test_the_page_speaks_the_language_it_opens_in(render):
    root = render("zh")
    assert _text(_one(root, "edusim-year-label")) == i18n.t("year", "zh")
    assert _text(_one(root, "edusim-levers")).startswith(i18n.t("levers", "zh"))

"""The teaching app as a package: what Solara serves, the names it exports, and the import
without Solara. ``edusim viz`` itself is tested in tests/cli/test_viz.py.

The levers, the model, the panels and the page each have their own tests in tests/viz/app/.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import sim.cli.viz  # noqa: F401  (registers ``viz`` until sim/cli/__init__.py imports it)
from sim.viz import app
from sim.viz.app import levers, panels, teaching, ui

NO_SOLARA = 'solara is not installed (pip install "edusim[viz]")'


def test_app_module_imports_without_solara():
    code = (
        "import sys; sys.modules['solara'] = None; import sim.viz.app as a; "
        "assert a.solara is None and not hasattr(a, 'page'); "
        "m = a.TeachingModel(); m.step(); print(m.year)\n"
        "try:\n a.make_page()\nexcept ImportError as e:\n print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert 'pip install "edusim[viz]"' in out.stdout


def test_the_package_exports_the_names_callers_use():
    assert app.TeachingModel is teaching.TeachingModel and app.load_base is teaching.load_base
    assert app.lever_overrides is levers.lever_overrides and app.LEVERS is levers.LEVERS
    assert app.draw_map is panels.draw_map and app.stats is panels.stats
    assert app.make_page is ui.make_page and app.solara is ui.solara
    assert set(app.__all__) <= set(dir(app))


def test_solara_serves_one_page_the_app_from_the_environment():
    """``edusim viz`` sets SOLARA_APP=sim.viz.app: Solara must find one page at "/" in it."""
    solara = pytest.importorskip("solara", reason=NO_SOLARA)
    from solara.autorouting import generate_routes

    assert app.title == "edusim" and app.Page is ui.AppFromEnv
    routes = generate_routes(app)
    assert [(r.path, r.component) for r in routes] == [("/", ui.AppFromEnv)]
    assert isinstance(app.page, solara.Element)

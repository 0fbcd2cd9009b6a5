"""``edusim viz``: its errors (exit 2 before serving), its help, and what it hands to Solara."""

from __future__ import annotations

import os
import socket

import pytest

import sim.cli.viz
from sim.viz import app
from sim.viz.app import ui

NO_SOLARA = 'solara is not installed (pip install "edusim[viz]")'


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


def test_viz_hands_this_package_and_its_settings_to_solara(monkeypatch):
    """What ``edusim viz`` puts in the environment is what the page reads back."""
    served = {}

    def serve(sock, host, port):
        served["port"] = port
        sock.close()

    monkeypatch.setattr(sim.cli.viz, "missing_viz_modules", lambda: [])
    monkeypatch.setattr(sim.cli.viz, "_serve", serve)
    for name in ("SOLARA_APP", ui.ENV_SCENARIO, ui.ENV_SET, ui.ENV_LANG):
        monkeypatch.setenv(name, "")  # restored after the test
    sim.cli.viz.viz_command(scenario=None, host="127.0.0.1", port=0, set_=["years=4"], lang="zh")
    assert os.environ["SOLARA_APP"] == app.__name__
    assert ui.settings_from_env() == ("hollow_school_demo", ("years=4",), "zh")
    assert served["port"] > 0

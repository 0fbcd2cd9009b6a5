"""The Typer app: ``--version``, and user errors (and memory errors) as one message and exit 2."""

from __future__ import annotations

import re
import subprocess
import sys

import sim.cli.scenarios as verbs
from sim.version import package_version


def test_version_option_prints_the_package_version(invoke):
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"edusim {package_version()}"
    assert re.fullmatch(r"edusim \d+(\.\d+)*\S*", result.stdout.strip())


def test_version_is_printed_by_the_console_entry_point():
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "--version"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"edusim {package_version()}"


def test_without_arguments_the_help_is_still_shown(invoke):
    result = invoke()
    assert "Usage" in result.output and "run" in result.output and "--version" in result.output


def test_a_scenario_too_large_for_memory_exits_2_with_a_message(invoke, monkeypatch):
    """A valid but huge county on a small machine: a clear message, not a traceback."""
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(verbs, "check_scenario", out_of_memory)
    result = invoke("validate", "small_county")
    assert result.exit_code == 2
    assert "not enough memory for this scenario" in result.stderr

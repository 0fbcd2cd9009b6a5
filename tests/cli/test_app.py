"""Issue 12: ``edusim --version`` prints the installed version (sim.version.package_version)."""

from __future__ import annotations

import re
import subprocess
import sys

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

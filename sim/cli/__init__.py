"""The ``edusim`` command line: a thin layer over the library (every verb is one call away)."""

from __future__ import annotations

# each module registers its verbs on the app
from sim.cli import calibrate, experiment, report, run, scenarios, validation, viz  # noqa: F401
from sim.cli.app import app


def main() -> None:
    """Console-script entry point."""
    app()

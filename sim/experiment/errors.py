"""Errors of experiment input (designs, sweep directories, options): exit status 2 in the CLI."""

from __future__ import annotations

from sim.errors import EdusimError


class ExperimentError(EdusimError):
    """A bad experiment option: vary spec, design, sample count, output directory, scheduler.

    The message names the option, the value and what is allowed.
    """

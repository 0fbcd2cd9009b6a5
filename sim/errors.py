"""Errors a user can cause. The CLI turns each into one message and exit status 2."""

from __future__ import annotations


class EdusimError(Exception):
    """Base class for every error caused by user input (scenario, file, option).

    The message names what is wrong, where, and what is allowed.
    """


class ScenarioError(EdusimError):
    """An invalid scenario: unknown key, wrong type or value, bad TOML, bad `extends`."""


class CountyDataError(EdusimError):
    """An invalid real-county file: missing file, column, bad value (names file, row, column)."""

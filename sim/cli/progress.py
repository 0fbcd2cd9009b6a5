"""A rich progress bar shared by the CLI verbs."""

from __future__ import annotations

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.cli.app import err_console


def progress_bar(transient: bool = False) -> Progress:
    """A progress bar on stderr: description, bar, done/total, elapsed and time left.

    Parameters
    ----------
    transient : bool, default False
        Whether the bar vanishes when done (so an error stays the only message).

    Returns
    -------
    rich.progress.Progress
        The bar, on the CLI's stderr console; use it as a context manager.
    """
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
    )

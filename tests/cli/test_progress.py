"""The CLI progress bar (sim.cli.progress): on stderr, done/total shown, transient on request."""

from __future__ import annotations

import io

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn

from sim.cli.app import err_console
from sim.cli.progress import progress_bar


def rendered(bar) -> str:
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(bar.make_tasks_table(bar.tasks))
    return console.file.getvalue()


def test_the_bar_writes_to_stderr():
    bar = progress_bar()
    assert bar.console is err_console and err_console.stderr


def test_the_bar_shows_description_and_done_of_total():
    bar = progress_bar()
    task = bar.add_task("runs", total=12)
    bar.advance(task, 5)
    text = rendered(bar)
    assert "runs" in text and "5/12" in text and "eta" in text


def test_the_bar_has_a_bar_a_count_and_the_time_left():
    kinds = {type(column) for column in progress_bar().columns}
    assert {BarColumn, MofNCompleteColumn, TimeRemainingColumn} <= kinds


def test_a_transient_bar_vanishes_when_done():
    assert progress_bar(transient=True).live.transient
    assert not progress_bar().live.transient

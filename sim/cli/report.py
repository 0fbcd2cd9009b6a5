"""``edusim report``: one self-contained HTML file of a run, comparison or sweep folder."""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli.app import app, console, user_errors


@app.command("report")
def report_command(
    folder: Path = typer.Argument(..., help="A run folder (edusim run), comparison folder (edusim compare) or sweep folder."),
    out: Path | None = typer.Option(None, "--out", help="Report file (default FOLDER/report.html)."),
) -> None:
    """Write an HTML report: figures (embedded), headline numbers, tables, scenario and manifest.

    The figures are (re)drawn into FOLDER/figures/. The report has no external file or link:
    it opens offline in any browser.
    """
    from sim.viz.report import write_report

    with user_errors():
        path = write_report(folder, out)
    console.print(f"wrote {path}", highlight=False)

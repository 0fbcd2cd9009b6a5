"""``edusim report``: one self-contained HTML file of a run, comparison or sweep folder."""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli.app import app, console, user_errors
from sim.errors import EdusimError
from sim.outputs import check_writable_file, check_writable_out

#: The report's file name inside FOLDER when --out is not given.
DEFAULT_REPORT = "report.html"
#: The folder inside FOLDER the figures are drawn into.
FIGURES = "figures"


@app.command("report")
def report_command(
    folder: Path = typer.Argument(
        ..., help="A run folder (edusim run), comparison folder (edusim compare) or sweep folder."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Report file (default FOLDER/report.html); not a folder."
    ),
) -> None:
    """Write an HTML report: figures (embedded), headline numbers, tables, scenario and manifest.

    The figures are (re)drawn into FOLDER/figures/. The report has no external file or link:
    it opens offline in any browser. Exit status 2, before anything is drawn, when FOLDER is
    not an edusim folder or FOLDER/figures/ or --out cannot be written.
    """
    from sim.viz.report import write_report

    with user_errors():
        if not folder.is_dir():
            raise EdusimError(f"{folder}: no such directory")
        check_writable_out(folder / FIGURES, option="FOLDER")
        check_writable_file(out if out is not None else folder / DEFAULT_REPORT)
        path = write_report(folder, out)
    console.print(f"wrote {path}", highlight=False)

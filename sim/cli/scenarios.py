"""CLI verbs about scenarios: list the bundled ones, validate a file, print the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from sim.cli.app import app, console, user_errors
from sim.errors import EdusimError
from sim.outputs import check_writable_file, write_text
from sim.runner import check_scenario
from sim.scenario import Scenario, describe_bundled, load_scenario


@app.command("scenarios")
def scenarios_command() -> None:
    """List the bundled scenarios with a one-line description each, then the bundled regions."""
    from sim.experiment.region import bundled_regions, load_region, region_path

    table = Table("name", "description", box=None, header_style="bold")
    with user_errors():
        for name, line in describe_bundled():
            table.add_row(name, line)
        for name in bundled_regions():
            region = load_region(region_path(name))
            table.add_row(name, f"(region, edusim run {name}) {region.description}")
    console.print(table)


@app.command("validate")
def validate_command(
    scenario: str = typer.Argument(..., help="Scenario file (TOML) or bundled name."),
    set_: list[str] = typer.Option(
        [], "--set", help="Override a key: dotted.key=value (repeatable)."
    ),
) -> None:
    """Check a scenario without running it; exit 0 when valid, 2 with the reason when not."""
    with user_errors():
        loaded = load_scenario(scenario, set_)
        check_scenario(loaded)  # a real county's files and policies' school names
    first_line = loaded.description.splitlines()[0] if loaded.description else ""
    console.print(f"ok: {loaded.name}: {first_line}")


@app.command("schema")
def schema_command(
    out: Path | None = typer.Option(
        None, "--out", help="Write the schema to this file instead of stdout."
    ),
    markdown: bool = typer.Option(
        False, "--markdown", help="A Markdown table of every parameter instead of JSON Schema."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace the --out file if it exists (never done without it)."
    ),
) -> None:
    """Print the JSON Schema of scenario files (every key, type, default and description)."""
    if markdown:
        from sim.scenario.reference import parameter_table_markdown

        text = parameter_table_markdown().rstrip("\n")
    else:
        text = json.dumps(Scenario.model_json_schema(), indent=2, ensure_ascii=False)
    if out is None:
        typer.echo(text)
        return
    with user_errors():
        check_writable_file(out)
        if out.exists() and not force and out.read_bytes() != (text + "\n").encode():
            raise EdusimError(
                f"--out {out}: the file exists; replace it with --force or choose another file"
            )
        write_text(out, text + "\n")

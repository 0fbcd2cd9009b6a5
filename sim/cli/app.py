"""The Typer application and the one place user errors become exit status 2."""

from __future__ import annotations

import contextlib
from typing import Iterator

import typer
from rich.console import Console
from rich.markup import escape

from sim.errors import EdusimError
from sim.version import package_version

app = typer.Typer(
    name="edusim",
    help="Agent-based simulation of rural-urban education migration and school layout policy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

USAGE_ERROR = 2


def _print_version(value: bool) -> None:
    """Print ``edusim <version>`` and stop (the eager ``--version`` option)."""
    if value:
        console.print(f"edusim {package_version()}", highlight=False)
        raise typer.Exit()


@app.callback()
def main_options(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the edusim version and exit.",
    ),
) -> None:
    """Agent-based simulation of rural-urban education migration and school layout policy."""


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn an :class:`EdusimError` (bad scenario, file, option) into one message and exit 2.

    Returns
    -------
    contextlib.AbstractContextManager
        A context manager (``with user_errors(): ...``) that yields nothing.

    Raises
    ------
    typer.Exit
        With status :data:`USAGE_ERROR` after printing the error's message to stderr.
    """
    try:
        yield
    except EdusimError as exc:
        _fail(str(exc))
    except OSError as exc:
        # a full disk, a folder made read-only after the checks, a lock the file system refuses
        where = f" {exc.filename}" if exc.filename else ""
        _fail(f"cannot read or write{where}: {exc.strerror or exc}")
    except MemoryError:
        # A valid but very large scenario (millions of residents, thousands of villages) on a
        # small machine: say so instead of a traceback; nothing was written (writes are atomic).
        _fail(
            "not enough memory for this scenario: make the county smaller (county.residents, "
            "county.villages) or run it on a machine with more memory"
        )


def _fail(message: str) -> None:
    err_console.print(
        f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True
    )
    raise typer.Exit(USAGE_ERROR) from None

"""The Typer application and the one place user errors become exit status 2."""

from __future__ import annotations

import contextlib
from typing import Iterator

import typer
from rich.console import Console
from rich.markup import escape

from sim.errors import EdusimError

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


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn an :class:`EdusimError` (bad scenario, file, option) into one message and exit 2."""
    try:
        yield
    except EdusimError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True, soft_wrap=True)
        raise typer.Exit(USAGE_ERROR) from None

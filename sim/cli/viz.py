"""``edusim viz``: serve the teaching app (Solara on Mesa's SolaraViz) until Ctrl-C."""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import warnings

import typer

from sim.cli.app import app, console, user_errors
from sim.errors import EdusimError
from sim.runner import check_scenario
from sim.scenario import load_scenario
from sim.viz.i18n import DEFAULT_LANGUAGE, LANGUAGES

#: The app's scenario when none is named (sim.viz.app.teaching.DEFAULT_SCENARIO; importing
#: that here would load the model and Solara for ``edusim --help``).
DEFAULT_SCENARIO = "hollow_school_demo"
#: The module Solara serves.
APP_MODULE = "sim.viz.app"
#: Modules the app needs beyond edusim's own dependencies (the ``viz`` extra).
VIZ_MODULES = ("solara", "mesa.visualization")
MISSING = 'the teaching app needs the viz extra: pip install "edusim[viz]" (missing: {missing})'


def missing_viz_modules() -> list[str]:
    """Modules of the viz extra that cannot be imported.

    Returns
    -------
    list of str
        Names from :data:`VIZ_MODULES` (or the missing module an import names), empty when the
        app can run.
    """
    missing = []
    for name in VIZ_MODULES:
        try:
            if importlib.util.find_spec(name.split(".")[0]) is None:
                missing.append(name)
                continue
            if "." in name:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    importlib.import_module(name)
        except ImportError as exc:
            missing.append(getattr(exc, "name", None) or name)
    return missing


@app.command("viz")
def viz_command(
    scenario: str | None = typer.Argument(
        None, help=f"Bundled name or TOML file (default {DEFAULT_SCENARIO})."
    ),
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on (127.0.0.1: this machine only)."
    ),
    port: int = typer.Option(8765, "--port", help="Port to listen on (0: any free port)."),
    set_: list[str] = typer.Option(
        [], "--set", help="Override a key: dotted.key=value (repeatable)."
    ),
    lang: str = typer.Option(
        DEFAULT_LANGUAGE,
        "--lang",
        help="Language the app opens in: en or zh (the page has a switch).",
    ),
) -> None:
    """Serve the teaching app: the county map year by year, policy levers, live plots."""
    with user_errors():
        if lang not in LANGUAGES:
            raise EdusimError(f"--lang {lang!r}: must be one of {', '.join(LANGUAGES)}")
        if not 0 <= port <= 65535:
            raise EdusimError(f"--port {port}: must be between 0 and 65535")
        name = scenario or DEFAULT_SCENARIO
        loaded = load_scenario(name, list(set_))
        check_scenario(loaded)
        missing = missing_viz_modules()
        if missing:
            raise EdusimError(MISSING.format(missing=", ".join(missing)))
        sock = _bind(host, port)
    os.environ.update(
        {
            "SOLARA_APP": APP_MODULE,
            "EDUSIM_VIZ_SCENARIO": name,
            "EDUSIM_VIZ_SET": json.dumps(list(set_)),
            "EDUSIM_VIZ_LANG": lang,
        }
    )
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"edusim viz: {loaded.name} at http://{shown}:{bound}/  (Ctrl-C to stop)", highlight=False
    )
    _serve(sock, host, bound)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise EdusimError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _serve(sock: socket.socket, host: str, port: int) -> None:
    """Run Solara's server (uvicorn) on the bound socket until interrupted."""
    import solara.server.settings as settings
    import uvicorn

    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    os.environ.setdefault("SERVER_NAME", host)
    os.environ.setdefault("SERVER_PORT", str(port))
    with warnings.catch_warnings():
        # Mesa's ComponentsView returns early before a hook (harmless here: the app shows no
        # ComponentsView); Solara warns about samesite cookies on plain http on 127.0.0.1.
        warnings.filterwarnings("ignore", message=".*ComponentsView.*")
        warnings.filterwarnings("ignore", message=".*samesite.*")
        config = uvicorn.Config(
            "solara.server.starlette:app", host=host, port=port, log_level="warning", lifespan="on"
        )
        server = uvicorn.Server(config)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:  # pragma: no cover - uvicorn normally handles Ctrl-C itself
            pass
        finally:
            sock.close()

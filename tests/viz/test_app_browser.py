"""The teaching app in headless Chromium: ``edusim viz`` on a free port, a lever moved, the
model stepped, the year and the hollow-share plot changed, the language switched; a screenshot.

Needs the viz extra (solara, Mesa's visualization), Playwright and Debian's chromium; skipped
with the reason otherwise. ``EDUSIM_SAVE_SCREENSHOTS=1`` also copies the screenshot to
``docs/images/app.png``.
"""

from __future__ import annotations

import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90
UI_TIMEOUT_MS = 30_000
STEPS = 6  # school years stepped in the browser (closures start after three years under the rule)
# ``edusim viz`` (sim.cli.viz is imported explicitly, so this works before the verb is wired
# into sim/cli/__init__.py too)
EDUSIM_VIZ = [sys.executable, "-c", "import sim.cli, sim.cli.viz; sim.cli.main()", "viz"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _needs() -> None:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    pytest.importorskip("solara", reason='solara is not installed (pip install "edusim[viz]")')
    from sim.cli.viz import missing_viz_modules

    missing = missing_viz_modules()
    if missing:
        pytest.skip(
            f'the viz extra is incomplete (missing {", ".join(missing)}): pip install "edusim[viz]"'
        )


@pytest.fixture(scope="module")
def server():
    """``edusim viz`` on a free port of 127.0.0.1; yields (url, printed lines); always stopped."""
    _needs()
    port = _free_port()
    proc = subprocess.Popen(
        [*EDUSIM_VIZ, "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    url = f"http://127.0.0.1:{port}/"
    printed: list[str] = []
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            while not lines.empty():
                printed.append(lines.get())
            if proc.poll() is not None:
                pytest.fail(f"edusim viz exited with {proc.returncode}:\n{''.join(printed)}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"edusim viz did not answer at {url} within {START_TIMEOUT_S} s:\n"
                    + "".join(printed)
                )
            time.sleep(0.3)
        while not lines.empty():
            printed.append(lines.get())
        yield url, printed
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _plot_src(page) -> str:
    return page.get_attribute(".edusim-plot-hollow-share img", "src")


def test_cli_prints_the_address(server):
    url, printed = server
    assert any(url in line for line in printed), printed


def test_lever_step_plot_language_and_screenshot(server, browser, tmp_path):
    url, _ = server
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(url)
    page.wait_for_selector(".edusim-plot-hollow-share img")
    year0 = int(page.inner_text(".edusim-year"))
    assert "hollow_school_demo" in page.inner_text(".edusim-notes-card")

    # the closure-threshold slider: six steps of 10 pupils to the right; each rebuilds the county
    thumb = page.locator(".edusim-lever-closure [role=slider]")
    thumb.focus()
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.edusim-lever-closure [role=slider]')"
        ".getAttribute('aria-valuenow') === '60'"
    )
    page.wait_for_function(
        "() => document.querySelector('.edusim-lever-closure').textContent.includes('60 pupils')"
    )
    # the model was rebuilt with the rule: the command line shown for it carries the threshold
    page.wait_for_function(
        "() => document.querySelector('.edusim-command')"
        ".textContent.includes('min_pupils.primary=60')"
    )
    assert int(page.inner_text(".edusim-year")) == year0
    before = _plot_src(page)

    # step school years with SolaraViz's own Step button
    step = page.get_by_role("button", name="Step", exact=True)
    for k in range(1, STEPS + 1):
        step.click()
        page.wait_for_function(
            f"() => document.querySelector('.edusim-year').textContent.trim() === '{year0 + k}'"
        )
    assert int(page.inner_text(".edusim-year")) == year0 + STEPS
    page.wait_for_function(
        "(old) => document.querySelector('.edusim-plot-hollow-share img').src !== old", arg=before
    )
    assert _plot_src(page) != before
    assert f"year {STEPS} of" in page.inner_text(".edusim-year-progress")

    # the language switch changes the labels, the lever names included, and back
    page.click(".edusim-lang-zh")
    for selector, text in (
        (".edusim-year-label", "学年"),
        (".edusim-lever-closure", "撤并"),
        (".edusim-plot-card-hollow_share", "空心校"),
        (".edusim-levers", "政策杠杆"),
        ("header", "空心校"),
    ):
        page.wait_for_function(
            "([s, t]) => document.querySelector(s).textContent.includes(t)", arg=[selector, text]
        )
    page.screenshot(path=str(tmp_path / "app-zh.png"), full_page=True)
    page.click(".edusim-lang-en")
    for selector, text in (
        (".edusim-year-label", "School year"),
        (".edusim-levers", "Policy levers"),
        ("header", "hollow school"),
    ):
        page.wait_for_function(
            "([s, t]) => document.querySelector(s).textContent.includes(t)", arg=[selector, text]
        )
    assert int(page.inner_text(".edusim-year")) == year0 + STEPS  # switching language keeps the run

    page.mouse.move(700, 500)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.wait_for_timeout(500)  # let the button's ripple fade
    shot = tmp_path / "app.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("EDUSIM_SAVE_SCREENSHOTS") == "1":
        target = REPO / "docs" / "images" / "app.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)
    assert not errors, errors
    page.close()

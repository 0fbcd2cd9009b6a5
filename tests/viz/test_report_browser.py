"""The report opens in headless Chromium with every image loaded (Debian's chromium, Playwright)."""

from __future__ import annotations

import shutil

import pytest

from sim.viz.report import write_report

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_run_report_opens_with_images(browser, small_run_dir, tmp_path):
    run = shutil.copytree(small_run_dir, tmp_path / "run")
    report = write_report(run)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(report.as_uri())
    page.wait_for_load_state("load")
    images = page.evaluate(
        "Array.from(document.images)"
        ".map(i => ({ok: i.complete, w: i.naturalWidth, h: i.naturalHeight}))"
    )
    assert len(images) == 4
    assert all(i["ok"] and i["w"] > 0 and i["h"] > 0 for i in images), images
    assert not failed
    assert page.title().startswith("edusim run report")
    assert "pupils" in page.inner_text("section")
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()

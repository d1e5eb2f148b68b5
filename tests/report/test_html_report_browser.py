"""The HTML report opened in headless Chromium: no console errors, every image shown.

Needs Debian's ``chromium`` and the ``playwright`` Python package (the ``test``
extra); without them the test is skipped with the reason, except under
continuous integration (``CI`` set), where it fails instead. Playwright only
drives the system's Chromium: no browser is downloaded.
"""

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from report_support import check_png

import glassnet as gn
from glassnet.report import write_report

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is an error)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("matplotlib")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).is_file():
        _unavailable("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def open_page(browser, path: Path):
    """Load ``path``; return the page, console errors and every URL requested."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors, requests = [], []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type in ("error", "assert") else None,
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url[:80]}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page, errors, requests


def two_d_classifier(rng):
    X = rng.normal(size=(150, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = gn.Network.mlp([2, 8, 1], hidden="tanh", seed=0)
    history = net.fit(
        X[:100],
        y[:100],
        epochs=5,
        optimizer=gn.SGD(lr=0.5),
        validation_split=0.2,
        diagnostics=gn.Diagnostics(warn=False),
        seed=0,
        verbose=0,
    )
    return net, X[100:], y[100:], history


def image_classifier(rng):
    X = rng.random(size=(60, 64))
    y = rng.integers(0, 3, size=60)
    net = gn.Network.mlp([64, 6, 3], seed=0)
    history = net.fit(X, y, epochs=2, seed=0, verbose=0)
    return net, X, y, history


@pytest.mark.parametrize(
    # the image classifier's five: network, curves, confusion matrix, weights,
    # saliency
    ("build", "n_images"),
    [(two_d_classifier, 5), (image_classifier, 5)],
)
def test_report_opens_without_errors_and_every_image_loads(
    build, n_images, browser, rng, tmp_path
):
    net, X, y, history = build(rng)
    path = write_report(net, X, y, tmp_path / "report.html", history=history)
    page, errors, requests = open_page(browser, path)
    try:
        images = page.evaluate(
            "Array.from(document.images).map(i => "
            "({complete: i.complete, width: i.naturalWidth, height: i.naturalHeight}))"
        )
        assert len(images) == n_images
        for image in images:
            assert image["complete"] and image["width"] > 0, image
        # nothing fetched but the page itself and its inline images
        assert all(u.startswith(("data:", path.resolve().as_uri())) for u in requests)
        assert page.evaluate("document.scripts.length") == 0
        assert page.title() == "glassnet report"
        shot = tmp_path / "screenshot.png"
        page.screenshot(path=str(shot), full_page=True)
        image = check_png(shot, min_width=1000, min_height=1500)
        assert np.mean(image[..., :3] < 0.9) > 0.02  # drawn on, not a blank page
    finally:
        page.close()
    assert errors == []

"""Screenshots of ``glassnet playground`` for the playground tour, taken by the build.

When the builder starts, this extension serves the playground in-process on a free
port of 127.0.0.1, drives it with headless Chromium through Playwright to the states
the tour describes (a fresh page, a trained circle, XOR with and without the product
feature, a traced step, the diagnostics), and writes one PNG per state into
``docs/_build/screenshots/``, which ``playground.md`` includes. Every image is
therefore the playground of the code being documented.

Chromium is looked up at ``$GLASSNET_CHROMIUM``, else ``/usr/bin/chromium`` (Debian's
package; ``.ci/run`` installs it), and Playwright comes with the ``docs`` extra.
Without either the build stops with a message saying what to install: a tour with
missing or stale pictures is worse than a failed build.

Run on its own (``python docs/_ext/screenshots.py [FOLDER]``) it writes the same
PNGs to FOLDER.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

#: The PNG files, by name, that ``playground.md`` includes.
SHOTS = (
    "start.png",
    "circle-trained.png",
    "side-panel.png",
    "xor-linear.png",
    "xor-product.png",
    "trace.png",
    "step-through.png",
    "input-gradients.png",
)
CHROMIUM = os.environ.get("GLASSNET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 120_000  # any one condition; the build machine may be busy
NETWORK_AND_OUTPUT = ["section.column.net", "section.column.output"]
READY = "() => window.playground && playground.setup && playground.framesDrawn > 0"
# Paused, and the last frame drawn.
SETTLED = (
    "() => !playground.playing && document.querySelector('#epoch').dataset.epoch"
    " === String(playground.frame.epoch)"
)


class ScreenshotError(RuntimeError):
    """The screenshots could not be taken; the message says why and what to do."""


def _epoch_at_least(n: int, extra: str = "true") -> str:
    return (
        f"() => Number(document.querySelector('#epoch').dataset.epoch) >= {n}"
        f" && ({extra})"
    )


@contextmanager
def _playground():
    """A playground server on 127.0.0.1 (a free port) for the block."""
    from glassnet.playground import Limits, PlaygroundServer

    server = PlaygroundServer("127.0.0.1", 0, limits=Limits())
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def _browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise ScreenshotError(
            "The playground tour's screenshots are taken by the build with "
            "Playwright, which is not installed: pip install -e '.[docs]' (or pip "
            "install playwright)."
        ) from exc
    if not Path(CHROMIUM).is_file():
        raise ScreenshotError(
            "The playground tour's screenshots are taken by the build with headless "
            f"Chromium, which is not at {CHROMIUM}: apt-get install chromium, or "
            "point GLASSNET_CHROMIUM at a Chromium executable."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


class _Tour:
    """One browser page on the playground, and the pictures taken of it."""

    def __init__(self, browser, server, folder: Path):
        self.browser, self.server, self.folder = browser, server, folder
        self.errors: list[str] = []

    def open(self, query: str = ""):
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.goto(self.server.url + query)
        page.wait_for_function(READY, timeout=WAIT_MS)
        page.wait_for_timeout(1000)  # the first frames settle the layout
        return page

    def play_until(self, page, condition: str) -> None:
        # One click each way: the page queues clicks and answers each once the
        # server has (slowly, on a busy machine), so a second click would undo it.
        page.click("#play")
        self.wait(page, "() => playground.playing", "playing")
        self.wait(page, condition, condition)
        self.pause(page)

    def pause(self, page) -> None:
        from playwright.sync_api import TimeoutError

        page.click("#play")
        try:
            page.wait_for_function(SETTLED, timeout=15_000)
            return
        except TimeoutError:
            pass
        # On a busy machine the page can draw a frame streamed before the pause
        # after the pause's answer and go on showing "playing": the server decides.
        session = page.evaluate("playground.setup.id")
        url = f"{self.server.url}api/sessions/{session}"
        with urllib.request.urlopen(url, timeout=30) as answer:
            frame = json.load(answer)["frame"]
        if frame["playing"]:
            raise ScreenshotError(f"the run did not pause (epoch {frame['epoch']})")
        self.wait(
            page,
            "() => document.querySelector('#epoch').dataset.epoch"
            f" === '{frame['epoch']}'",
            f"the last frame (epoch {frame['epoch']}) to be drawn",
        )

    def wait(self, page, condition: str, what: str) -> None:
        from playwright.sync_api import TimeoutError

        try:
            page.wait_for_function(condition, timeout=WAIT_MS)
        except TimeoutError:
            state = page.evaluate(
                "() => ({playing: playground.playing, epoch: playground.frame.epoch,"
                " test_loss: document.querySelector('#test-loss').dataset.value,"
                " message: document.querySelector('#message-text').textContent})"
            )
            raise ScreenshotError(
                f"waited {WAIT_MS / 1000:.0f} s for {what}; the page: {state}"
            ) from None

    def top(self, page, name: str) -> None:
        """The header and the three columns: data, network, output."""
        box = page.locator("main.columns").bounding_box()
        page.screenshot(
            path=self.folder / name,
            clip={"x": 0, "y": 0, "width": 1400, "height": box["y"] + box["height"]},
        )

    def shoot(self, page, selectors: list[str], name: str) -> None:
        """The smallest rectangle around the elements of ``selectors``."""
        boxes = []
        for selector in selectors:
            found = page.locator(selector)
            boxes += [found.nth(i).bounding_box() for i in range(found.count())]
        left = min(b["x"] for b in boxes) - 6
        top = min(b["y"] for b in boxes) - 6
        right = max(b["x"] + b["width"] for b in boxes) + 6
        bottom = max(b["y"] + b["height"] for b in boxes) + 6
        page.screenshot(
            path=self.folder / name,
            full_page=True,
            clip={"x": left, "y": top, "width": right - left, "height": bottom - top},
        )

    def run(self) -> None:
        for what, stage in (
            ("the circle", self.circle),
            ("XOR without hidden layers", self.xor),
            ("a traced step", self.traced_step),
            ("the step-through", self.step_through),
            ("the input-gradient arrows", self.input_gradients),
        ):
            try:
                stage()
            except Exception as exc:
                raise ScreenshotError(
                    f"The playground tour's screenshots failed at {what}: {exc}"
                ) from exc
        if self.errors:
            raise ScreenshotError(f"The playground page reported errors: {self.errors}")

    def circle(self) -> None:
        """The page as it opens, then trained until the test loss is small."""
        page = self.open()
        self.top(page, "start.png")
        self.play_until(
            page,
            _epoch_at_least(
                30, "Number(document.querySelector('#test-loss').dataset.value) < 0.1"
            ),
        )
        page.check("#show-test")
        self.shoot(page, NETWORK_AND_OUTPUT, "circle-trained.png")
        self.shoot(page, [".panel.side > section"], "side-panel.png")
        page.context.close()

    def xor(self) -> None:
        """No hidden layer: x1 and x2 cannot separate XOR, the product x1 x2 can."""
        for features, name in (
            ("x1,x2", "xor-linear.png"),
            ("x1x2", "xor-product.png"),
        ):
            page = self.open(f"?data=xor&layers=&features={features}&lr=0.1")
            self.play_until(page, _epoch_at_least(40))
            self.shoot(page, NETWORK_AND_OUTPUT, name)
            page.context.close()

    def traced_step(self) -> None:
        """One step, a training point traced in lecture 002's notation."""
        page = self.open("?seed=5")
        page.click("#step")
        self.wait(page, "() => playground.frame.updates === 1", "one step")
        page.fill("#trace-point", "12")
        page.dispatch_event("#trace-point", "change")
        page.select_option("#decimals", "3")
        page.select_option("#notation", "transfer")
        self.wait(
            page,
            "() => { const t = document.querySelector('#trace');"
            " return t.dataset.point === '12' && t.dataset.updates === '1'"
            " && t.dataset.notation === 'transfer'; }",
            "the trace of point 12",
        )
        page.locator(".trace-panel").screenshot(path=self.folder / "trace.png")
        page.context.close()

    def step_through(self) -> None:
        """One training point walked backward: the stage of delta of layer 2."""
        page = self.open("?seed=6")
        self.play_until(page, _epoch_at_least(3))
        page.click("#step-through")
        stage = "() => document.querySelector('#stage').dataset.stage === '{}'"
        self.wait(page, stage.format(0), "the step-through's first stage")
        for index in range(1, 7):  # input, 3 forward, cost, delta 3, delta 2
            page.click("#stage-next")
            self.wait(page, stage.format(index), f"stage {index}")
        self.shoot(page, ["section.column.net", "#stepper"], "step-through.png")
        page.context.close()

    def input_gradients(self) -> None:
        """The circle trained a while, with the arrows of -dC/dx on."""
        page = self.open("?seed=2")
        self.play_until(page, _epoch_at_least(20))
        page.check("#input-gradients")
        self.wait(
            page,
            "() => document.querySelector('#boundary').dataset.arrows !== '0'",
            "the arrows",
        )
        self.shoot(page, ["section.column.output"], "input-gradients.png")
        page.context.close()


def take(folder: Path) -> float:
    """Write :data:`SHOTS` into ``folder``; returns the seconds it took."""
    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    for name in SHOTS:
        (folder / name).unlink(missing_ok=True)
    with _browser() as browser, _playground() as server:
        _Tour(browser, server, folder).run()
    missing = [name for name in SHOTS if not (folder / name).is_file()]
    if missing:
        raise ScreenshotError(f"The tour did not write {missing} into {folder}.")
    return time.perf_counter() - start


def _builder_inited(app) -> None:
    from sphinx.errors import ExtensionError
    from sphinx.util import logging

    folder = Path(app.srcdir) / "_build" / "screenshots"
    try:
        seconds = take(folder)
    except ScreenshotError as exc:
        raise ExtensionError(str(exc)) from exc
    logging.getLogger(__name__).info(
        f"playground screenshots: {len(SHOTS)} in {folder} ({seconds:.1f} s)"
    )


def setup(app):
    app.connect("builder-inited", _builder_inited)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    print(f"{len(SHOTS)} screenshots in {target} ({take(target):.1f} s)")

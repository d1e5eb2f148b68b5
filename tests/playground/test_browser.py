"""The playground page in headless Chromium (Debian's), driven by Playwright.

Screenshots of every view go to ``$GLASSNET_SCREENSHOTS`` if set, else to a
temporary folder (its path is printed). Skipped when Chromium or Playwright
is missing, except under CI. The server binds to 127.0.0.1 and every wait
is bounded.
"""

import base64
import csv
import json
import os
import time
from pathlib import Path

import numpy as np
import pytest
from cli_support import run
from playground_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    call,
    dense_weights,
    hand_step,
    running_server,
    unavailable,
)

import glassnet as gn
from glassnet.datasets import load

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow

READY = "() => window.playground && playground.setup && playground.framesDrawn > 0"
WAIT = 20_000  # milliseconds, for any one condition
# Paused, and the last frame drawn (the page draws on the next animation frame).
SETTLED = (
    "() => !playground.playing && document.querySelector('#epoch').dataset.epoch"
    " === String(playground.frame.epoch)"
)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed (pip install playwright)")
    if not Path(CHROMIUM).is_file():
        unavailable(
            f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server():
    with running_server(max_sessions=12, grace_seconds=2, max_upload_bytes=20_000) as s:
        yield s


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("GLASSNET_SCREENSHOTS")
    folder = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nplayground screenshots: {folder}")
    return folder


@pytest.fixture
def context(browser):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1000}, accept_downloads=True
    )
    context.errors, requests = [], []
    context.on("request", lambda request: requests.append(request.url))
    yield context
    context.close()
    assert not context.errors, context.errors
    # Offline: everything the pages load comes from the playground itself.
    assert requests and all(url.startswith("http://127.0.0.1:") for url in requests)


def open_page(context, server, query=""):
    page = context.new_page()
    page.on("pageerror", lambda error: context.errors.append(str(error)))
    page.goto(server.url + query)
    page.wait_for_function(READY, timeout=WAIT)
    return page


def sid(page):
    return page.evaluate("playground.setup.id")


def state(server, page):
    return call(server, "GET", f"/api/sessions/{sid(page)}").json()


def floats(text):
    return np.frombuffer(base64.b64decode(text), "<f4")


def play_until(page, condition, seconds=30):
    page.click("#play")
    page.wait_for_function(condition, timeout=seconds * 1000)
    page.click("#play")
    page.wait_for_function(SETTLED, timeout=WAIT)


# -- the Done-when list ---------------------------------------------------------------
def test_play_advances_the_epochs_and_the_test_loss_falls(context, server, shots):
    page = open_page(context, server)
    assert page.evaluate("playground.config.data") == "circle"
    start_loss = float(page.get_attribute("#test-loss", "data-value"))
    play_until(
        page,
        "() => Number(document.querySelector('#epoch').dataset.epoch) >= 30 && "
        "Number(document.querySelector('#test-loss').dataset.value) < 0.1",
    )
    epoch = int(page.get_attribute("#epoch", "data-epoch"))
    test_loss = float(page.text_content("#test-loss"))
    assert epoch >= 30 and test_loss < 0.1 < start_loss
    assert page.text_content("#epoch") == f"{epoch:06d}"[:3] + "," + f"{epoch:06d}"[3:]
    frame = state(server, page)["frame"]  # what the page shows is the server's run
    assert frame["epoch"] == epoch
    assert round(frame["metrics"]["test_loss"], 3) == test_loss
    page.check("#show-test")
    page.screenshot(path=shots / "01-circle-trained.png", full_page=True)
    page.locator(".panel.side").screenshot(path=shots / "02-diagnostics-export.png")
    grads = page.eval_on_selector_all(
        "#diagnostics .value[data-q=grad_norm]", "els => els.map(e => e.dataset.v)"
    )
    assert len(grads) == 3 and all(float(g) > 0 for g in grads)


def test_step_one_batch_and_the_trace_is_the_servers_network(
    context, server, shots, tmp_path
):
    page = open_page(context, server, "?seed=5")
    page.click("#step")
    page.wait_for_function("() => playground.frame.updates === 1", timeout=WAIT)
    page.fill("#trace-point", "12")
    page.dispatch_event("#trace-point", "change")
    page.wait_for_function(
        "() => { const t = document.querySelector('#trace');"
        " return t.dataset.point === '12' && t.dataset.updates === '1'; }",
        timeout=WAIT,
    )
    cells = page.eval_on_selector_all(
        "#trace .num",
        "els => els.map(e => [e.dataset.q, e.dataset.l, e.dataset.r, e.dataset.c,"
        " Number(e.dataset.v)])",
    )
    model = call(server, "GET", f"/api/sessions/{sid(page)}/model").body
    path = tmp_path / "step-model.glassnet"
    path.write_bytes(model)
    weights = dense_weights(gn.load(path))
    data = load("circle", n_samples=500, noise=0.0, test_size=0.5, seed=5)
    x, y = data.X_train[12].astype(np.float64), float(data.y_train[12])
    hand = hand_step(weights, ["tanh", "tanh"], x, y, lr=0.03)
    checked = 0
    for q, layer, row, col, value in cells:
        if q == "W":  # the page shows exactly the server's weights
            assert value == weights[int(layer) - 1][0][int(row), int(col)]
        elif q in ("z", "a", "delta", "db", "b_new"):
            expected = hand[q][int(layer) - 1][int(row)]
            assert value == pytest.approx(expected, rel=1e-4, abs=1e-6), (q, layer)
        elif q in ("dW", "W_new"):
            expected = hand[q][int(layer) - 1][int(row), int(col)]
            assert value == pytest.approx(expected, rel=1e-4, abs=1e-6), (q, layer)
        elif q == "loss":
            assert value == pytest.approx(hand["loss"], rel=1e-5)
        elif q == "input":
            assert value == pytest.approx(x[int(row)], rel=1e-6)
        else:
            continue
        checked += 1
    assert checked >= 2 * 39  # every W, z, a, delta, gradient and update of 2-4-2-1
    page.locator(".trace-panel").screenshot(path=shots / "03-trace-wb.png")
    page.select_option("#notation", "transfer")
    page.wait_for_function(
        "() => document.querySelector('#trace').dataset.notation === 'transfer'",
        timeout=WAIT,
    )
    T = page.eval_on_selector_all(
        "#trace .num[data-q=T][data-l='1']",
        "els => els.map(e => [Number(e.dataset.r), Number(e.dataset.c),"
        " Number(e.dataset.v)])",
    )
    W1, b1 = weights[0]
    transfer = np.vstack([b1[None, :], W1.T])  # lecture 002: biases in row 0
    assert len(T) == transfer.size
    for r, c, value in T:
        assert value == transfer[r, c]
    page.locator(".trace-panel").screenshot(path=shots / "04-trace-transfer.png")


def link_point(page, selector):
    """A page point where the link ``selector`` is the topmost element."""
    return page.evaluate(
        """selector => {
          const path = document.querySelector(selector);
          const svg = path.ownerSVGElement.getBoundingClientRect();
          for (let t = 0.5; t < 0.95; t += 0.05) {
            const p = path.getPointAtLength(path.getTotalLength() * t);
            const x = svg.left + p.x, y = svg.top + p.y;
            if (document.elementFromPoint(x, y) === path) return [x, y];
          }
          return null;
        }""",
        selector,
    )


def test_change_dataset_activation_and_edit_weights(context, server, shots):
    page = open_page(context, server)
    page.click("button[data-data=spiral]")
    page.wait_for_function("() => playground.config.data === 'spiral'", timeout=WAIT)
    page.select_option("select.activation[data-position='0']", "relu")
    page.wait_for_function(
        "() => playground.setup.layers[0].activation === 'relu'", timeout=WAIT
    )
    assert "data=spiral" in page.url and "activation=relu%2Ctanh" in page.url
    setup = state(server, page)["setup"]
    assert setup["name"] == "spiral"
    assert [layer["activation"] for layer in setup["layers"]] == [
        "relu",
        "tanh",
        "sigmoid",
    ]
    page.screenshot(path=shots / "05-spiral-relu.png", full_page=True)
    # A click on a link shows its weight; setting it changes the server's network.
    selector = "path.hit[data-layer='2'][data-row='1'][data-col='2']"
    x, y = link_point(page, selector)
    page.mouse.click(x, y)
    page.wait_for_selector("#editor:not([hidden])", timeout=WAIT)
    assert "w(2)2,3" in page.text_content("#editor-title")
    W2 = floats(state(server, page)["frame"]["weights"][1]["W"]).reshape(2, 4)
    assert float(page.get_attribute("#editor-value", "data-value")) == W2[1, 2]
    page.fill("#editor-input", "1.5")
    page.click("#editor-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#editor-value').dataset.value === '1.5'",
        timeout=WAIT,
    )
    W2 = floats(state(server, page)["frame"]["weights"][1]["W"]).reshape(2, 4)
    assert W2[1, 2] == 1.5
    page.screenshot(path=shots / "06-edit-weight.png", full_page=True)
    page.click(".node.unit[data-layer='1'][data-row='3']")
    assert "b(1)4" in page.text_content("#editor-title")
    page.fill("#editor-input", "-0.75")
    page.click("#editor-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#editor-value').dataset.value === '-0.75'",
        timeout=WAIT,
    )
    assert floats(state(server, page)["frame"]["weights"][0]["b"])[3] == -0.75
    page.click("#editor-close")
    # Inputs, units, output and dropout; the trace follows the network's shape.
    page.click(".node.feature[data-feature='x1sq']")
    page.wait_for_function(
        "() => playground.config.features.join() === 'x1,x2,x1sq'", timeout=WAIT
    )
    page.click("button[aria-label='Add a unit to layer 1']")
    page.wait_for_function("() => playground.config.layers[0] === 5", timeout=WAIT)
    page.select_option("#output", "softmax")
    page.wait_for_function("() => playground.config.output === 'softmax'", timeout=WAIT)
    page.select_option("#dropout", "0.2")
    page.wait_for_function("() => playground.config.dropout === 0.2", timeout=WAIT)
    setup = state(server, page)["setup"]
    assert [(la["index"], la["n_in"], la["n_out"]) for la in setup["layers"]] == [
        (1, 3, 5),
        (3, 5, 2),
        (5, 2, 2),
    ]  # dropout layers sit between the dense ones
    assert setup["loss"] == "cross_entropy"
    page.click("#step")
    page.wait_for_function(
        "() => document.querySelector('#trace').dataset.updates === '1'", timeout=WAIT
    )
    assert page.locator("#trace .num[data-q=W][data-l='5']").count() == 4
    assert "after dropout" in page.text_content("#trace")
    page.click("#reset")
    page.wait_for_function("() => playground.frame.updates === 0", timeout=WAIT)
    # Several classes, and regression.
    page.click("button[data-data='multi-gauss']")
    page.wait_for_function("() => playground.setup.kind === 'multiclass'", timeout=WAIT)
    assert page.locator("#legend .swatch").count() == 3
    assert state(server, page)["setup"]["layers"][-1]["activation"] == "softmax"
    play_until(page, "() => playground.frame.epoch >= 20")
    page.screenshot(path=shots / "07-multiclass.png", full_page=True)
    page.click("button[data-data='multi-gauss-regression']")
    page.wait_for_function("() => playground.setup.kind === 'regression'", timeout=WAIT)
    play_until(page, "() => playground.frame.epoch >= 20")
    assert state(server, page)["setup"]["loss"] == "mse"
    page.screenshot(path=shots / "08-regression.png", full_page=True)


def ring_csv(path):
    rng = np.random.default_rng(0)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "kind"])
        for u, v in rng.uniform(-3, 3, size=(240, 2)):
            writer.writerow(
                [f"{u:.4f}", f"{v:.4f}", "in" if u * u + v * v < 4 else "out"]
            )


def upload_and_expect(page, files, status):
    with page.expect_response(lambda r: r.url.endswith("/upload")) as answer:
        page.set_input_files("#upload", files)
    assert answer.value.status == status
    page.wait_for_selector("#message:not([hidden])", timeout=WAIT)
    return page.text_content("#message-text")


def test_upload_a_csv_and_bad_uploads_are_explained(context, server, shots, tmp_path):
    page = open_page(context, server)
    ring = tmp_path / "ring.csv"
    ring_csv(ring)
    page.set_input_files("#upload", str(ring))
    page.wait_for_function("() => playground.setup.upload === 'ring.csv'", timeout=WAIT)
    setup = state(server, page)["setup"]
    assert setup["classes"] == ["in", "out"] and setup["columns"] == ["a", "b"]
    assert len(setup["train"]) + len(setup["test"]) == 240
    assert "data=upload" in page.url
    assert "ring.csv" in page.text_content("#upload-name")
    play_until(page, "() => playground.frame.epoch >= 40")
    page.screenshot(path=shots / "09-upload.png", full_page=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,kind\n1,2,in\nx,3,out\n")
    message = upload_and_expect(page, str(bad), 400)
    assert "bad.csv, line 3, column 'a': expected a number, got 'x'" in message
    page.screenshot(path=shots / "10-upload-error.png")
    big = tmp_path / "big.csv"
    big.write_text("a,b,kind\n" + "1.000,2.000,in\n3.000,4.000,out\n" * 800)
    assert "limit is 20,000 bytes" in upload_and_expect(page, str(big), 413)
    png = {"name": "plot.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}
    assert "not a CSV file" in upload_and_expect(page, png, 415)
    # The page and the run carry on.
    updates = page.evaluate("playground.frame.updates")
    page.click("#step")
    page.wait_for_function(f"() => playground.frame.updates === {updates + 1}")
    assert state(server, page)["setup"]["upload"] == "ring.csv"


def test_export_a_model_and_load_it_with_glassnet_predict(context, server, tmp_path):
    page = open_page(context, server, "?seed=1")
    play_until(
        page, "() => Number(document.querySelector('#test-loss').dataset.value) < 0.2"
    )
    with page.expect_download() as download:
        page.click("#download-model")
    model = tmp_path / "exported.glassnet"
    download.value.save_as(model)
    assert download.value.suggested_filename == "playground-circle.glassnet"
    data = load("circle", n_samples=500, noise=0.0, test_size=0.5, seed=1)
    inputs = tmp_path / "points.csv"
    with open(inputs, "w", newline="") as f:
        csv.writer(f).writerows([["x1", "x2"], *data.X_test.tolist()])
    result = run("predict", model, "--input", inputs, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    predicted = [row[0] for row in json.loads(result.stdout)["rows"]]
    assert np.mean(np.array(predicted, dtype=int) == data.y_test) >= 0.9
    inspect = run("inspect", model, cwd=tmp_path)
    assert inspect.returncode == 0, inspect.stderr
    assert "input columns (2): x1, x2" in inspect.stdout
    assert "data = 'circle'" in inspect.stdout
    with page.expect_download() as download:
        page.click("#download-toml")
    toml = tmp_path / "playground.toml"
    download.value.save_as(toml)
    assert 'data = "circle"' in toml.read_text()
    page.wait_for_function(
        "() => document.querySelector('#command').textContent.includes('--epochs')",
        timeout=WAIT,
    )
    assert page.text_content("#command").startswith("glassnet train --data circle")


def set_range(page, selector, value):
    page.eval_on_selector(
        selector,
        "(el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }",
        str(value),
    )


def test_reload_from_a_copied_link_gives_the_same_configuration(context, server, shots):
    page = open_page(context, server)
    page.click("button[data-data=xor]")
    page.wait_for_function("() => playground.config.data === 'xor'", timeout=WAIT)
    third_layer = "select.activation[data-position='2']"
    changes = [
        (lambda: set_range(page, "#noise", 10), "playground.config.noise === 0.1"),
        (lambda: page.click("#add-layer"), "playground.config.layers.length === 3"),
        (
            lambda: page.select_option(third_layer, "sigmoid"),
            "playground.config.activation[2] === 'sigmoid'",
        ),
        (lambda: page.select_option("#lr", "0.1"), "playground.config.lr === 0.1"),
        (lambda: page.select_option("#l2", "0.001"), "playground.config.l2 === 0.001"),
        (lambda: page.fill("#seed", "7") or page.dispatch_event("#seed", "change"),
         "playground.config.seed === 7"),
    ]  # fmt: skip
    for act, condition in changes:
        act()
        page.wait_for_function(f"() => {condition}", timeout=WAIT)
    link = page.input_value("#link")
    assert link == page.url
    copy = open_page(context, server, "?" + link.split("?", 1)[1])
    first, second = (p.evaluate("playground.config") for p in (page, copy))
    assert first == second
    assert second["layers"] == [4, 2, 2] and second["seed"] == 7
    assert copy.input_value("#lr") == "0.1" and copy.input_value("#seed") == "7"
    assert copy.input_value(third_layer) == "sigmoid"
    assert "selected" in copy.get_attribute("button[data-data=xor]", "class")
    # Same seed, same network; the same steps give the same weights.
    for p in (page, copy):
        p.bring_to_front()  # a tab in the background gets no animation frames
        for k in range(5):
            p.click("#step")
            p.wait_for_function(f"() => playground.frame.updates === {k + 1}")
    weights = [state(server, p)["frame"]["weights"] for p in (page, copy)]
    assert weights[0] == weights[1]
    copy.screenshot(path=shots / "11-reloaded-link.png", full_page=True)


def test_the_page_streams_at_least_20_updates_a_second(context, server):
    """2-8-8-1 on 500 points with a 64x64 boundary grid; the figure is printed."""
    page = open_page(context, server, "?layers=8,8&n_samples=500&activation=tanh")
    assert page.evaluate("playground.setup.grid.boundary") == 64
    page.click("#play")
    page.wait_for_function("() => playground.framesReceived > 5", timeout=WAIT)
    start = page.evaluate("[playground.framesReceived, playground.framesDrawn]")
    began = time.monotonic()
    page.wait_for_timeout(3000)
    end = page.evaluate("[playground.framesReceived, playground.framesDrawn]")
    seconds = time.monotonic() - began
    page.click("#play")
    received = (end[0] - start[0]) / seconds
    drawn = (end[1] - start[1]) / seconds
    print(
        f"\nplayground page: {received:.1f} updates/s received, {drawn:.1f} drawn "
        "(2-8-8-1, 500 points, 64x64 grid)"
    )
    assert received >= 20


def test_a_bad_link_is_explained_and_the_defaults_are_used(context, server, shots):
    page = context.new_page()
    page.on("pageerror", lambda error: context.errors.append(str(error)))
    with page.expect_response(lambda r: r.url.endswith("/api/sessions")) as answer:
        page.goto(server.url + "?layers=99&lr=0.1")
    assert answer.value.status == 400
    page.wait_for_function(READY, timeout=WAIT)
    message = page.text_content("#message-text")
    assert (
        "The 'layers' parameter of the playground must be an int in the range"
        in message
    )
    assert "Got '99'" in message and "default settings" in message
    assert page.evaluate("playground.config.layers") == [4, 2]
    page.screenshot(path=shots / "12-bad-link.png")


def test_closing_the_tab_frees_its_session(context, server):
    page = open_page(context, server)
    session = sid(page)
    assert session in server.sessions
    page.close()
    deadline = time.monotonic() + 10
    while session in server.sessions and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session not in server.sessions


def test_tabs_past_the_limit_are_told_so_and_a_closed_tab_frees_its_slot(browser):
    """A browser keeps 6 connections to a server and each tab holds one: the
    default limit (5 tabs) answers further tabs with a message, not a hang."""
    message = (
        "() => !document.querySelector('#message').hidden && document"
        ".querySelector('#message-text').textContent.includes('close another')"
    )
    with running_server() as server:  # the default limits
        context = browser.new_context()
        try:
            pages = [context.new_page() for _ in range(7)]
            for page in pages[:5]:
                page.goto(server.url)
                page.wait_for_function(READY, timeout=WAIT)
            for page in pages[5:]:
                page.goto(server.url, timeout=WAIT)
                page.wait_for_function(message, timeout=WAIT)
                assert "HTTP 429" in page.text_content("#message-text")
            pages[0].close()
            start = time.monotonic()
            pages[5].reload()
            pages[5].wait_for_function(READY, timeout=WAIT)
            assert time.monotonic() - start < 5
        finally:
            context.close()


# -- narrow windows, deep networks, early clicks, the link ---------------------------
EIGHT_LAYERS = "?layers=4,4,4,4,4,4,4,4&activation=tanh"


def overlapping(boxes):
    """Pairs of boxes ({x, y, width, height}) that share any area."""
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a["x"] < b["x"] + b["width"]
                and b["x"] < a["x"] + a["width"]
                and a["y"] < b["y"] + b["height"]
                and b["y"] < a["y"] + a["height"]
            ):
                pairs.append((a, b))
    return pairs


def test_1024_px_window_with_8_hidden_layers_fits_and_nothing_overlaps(
    browser, server, shots
):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.url + EIGHT_LAYERS)
        page.wait_for_function(READY, timeout=WAIT)
        assert page.evaluate("playground.config.layers.length") == 8
        # no sideways scrolling
        assert page.evaluate(
            "document.documentElement.scrollWidth <= "
            "document.documentElement.clientWidth"
        )
        heads = [h.bounding_box() for h in page.query_selector_all(".layer-head")]
        assert len(heads) == 9  # 8 hidden layers and the output
        assert overlapping(heads) == []
        network = page.query_selector("#network").bounding_box()
        for selector in (".layer-head", ".layer-head select", ".layer-head span"):
            for item in page.query_selector_all(selector):
                box = item.bounding_box()
                assert box["x"] >= network["x"] - 0.5, selector
                assert box["x"] + box["width"] <= network["x"] + network["width"] + 0.5
        selects = page.query_selector_all("select.activation")
        selects = [s.bounding_box() for s in selects]
        assert len(selects) == 8 and overlapping(selects) == []
        # at the limit of 8 hidden layers, + is disabled and a click adds none
        assert page.is_disabled("#add-layer") and not page.is_disabled("#remove-layer")
        page.evaluate("document.querySelector('#add-layer').click()")
        page.wait_for_timeout(300)
        assert page.evaluate("playground.config.layers.length") == 8
        page.screenshot(path=shots / "13-1024px-8-layers.png", full_page=True)
        page.click("#remove-layer")
        page.wait_for_function("() => playground.config.layers.length === 7")
        assert not page.is_disabled("#add-layer")
    finally:
        context.close()
    assert errors == []


def test_a_click_before_the_session_has_loaded_is_kept(context):
    # The session request is held back while + and step are clicked; a server
    # of its own gives the held session time before its page connects.
    with running_server(max_sessions=2, grace_seconds=30) as server:
        page = context.new_page()
        page.on("pageerror", lambda error: context.errors.append(str(error)))
        held = []
        page.route(
            "**/api/sessions",
            lambda route: (
                held.append(route)
                if route.request.method == "POST"
                else route.continue_()
            ),
        )
        page.goto(server.url, wait_until="domcontentloaded")
        for _ in range(200):
            if held:
                break
            page.wait_for_timeout(50)
        assert held and page.evaluate("playground.setup") is None
        page.click("#add-layer")
        page.click("#step")
        held[0].continue_()
        page.wait_for_function(
            "() => playground.config && playground.config.layers.length === 3 "
            "&& playground.frame && playground.frame.updates === 1",
            timeout=WAIT,
        )
        page.close()


def test_show_test_data_and_discretize_are_kept_in_the_link(context, server):
    page = open_page(context, server, "?showTestData=true&discretize=true")
    assert page.is_checked("#show-test") and page.is_checked("#discretize")
    page.uncheck("#discretize")
    link = page.input_value("#link")
    assert "showTestData=true" in link and "discretize=false" in link
    assert link == page.url
    copy = open_page(context, server, "?" + link.split("?", 1)[1])
    assert copy.is_checked("#show-test") and not copy.is_checked("#discretize")


def test_the_output_plot_has_a_colour_scale(context, server):
    page = open_page(context, server, "?data=xor")
    assert page.evaluate("playground.setup.kind") == "binary"
    scale = page.query_selector("#legend .scale")
    assert scale is not None and "P(" in scale.text_content()
    # its ends: orange for P = 0 (class 0), blue for P = 1, as the plot draws them
    ends = page.evaluate(
        "(() => { const c = document.querySelector('#legend .scale canvas');"
        " const g = c.getContext('2d'); return [Array.from(g.getImageData(0, 0, 1, 1)"
        ".data.slice(0, 3)), Array.from(g.getImageData(c.width - 1, 0, 1, 1)"
        ".data.slice(0, 3))]; })()"
    )
    assert ends == [[245, 147, 34], [8, 119, 189]]


# -- dataset thumbnails, a unit enlarged on hover, the trace's decimals --------------
def canvas_pixels(page, selector):
    """The RGB pixels of a canvas, shape (height, width, 3)."""
    width, height, data = page.evaluate(
        """selector => { const c = document.querySelector(selector);
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          return [c.width, c.height, Array.from(d)]; }""",
        selector,
    )
    return np.array(data, dtype=np.int16).reshape(height, width, 4)[:, :, :3]


def test_every_dataset_has_a_thumbnail_of_its_points(context, server, shots):
    from glassnet.datasets.toy import GENERATORS, REGRESSION

    page = open_page(context, server)
    buttons = page.locator(".dataset-buttons button")
    assert buttons.count() == len(GENERATORS)
    for name in GENERATORS:
        button = f".dataset-buttons button[data-data='{name}']"
        assert page.locator(f"{button} canvas.thumbnail").count() == 1, name
        pixels = canvas_pixels(page, f"{button} canvas.thumbnail")
        painted = np.abs(pixels - 255).sum(axis=2) > 60  # not the white ground
        assert painted.mean() > 0.05, name
        r, b = pixels[:, :, 0], pixels[:, :, 2]
        orange = painted & (r > b + 80)  # class 0 / negative values
        blue = painted & (b > r + 80)  # class 1 / positive values
        assert orange.any() and blue.any(), name
        if name == "circle":
            # class 1 (blue) is the disc of radius 2.5 in the middle of the
            # [-6, 6] box, class 0 (orange) the ring from 3.5 to 5
            size = pixels.shape[0]
            yy, xx = np.mgrid[:size, :size]
            radius = np.hypot(xx + 0.5 - size / 2, yy + 0.5 - size / 2) / size * 12
            assert (radius[blue] < 2.5 + 0.5).all()
            assert (radius[orange] > 3.5 - 0.5).all()
        if name in REGRESSION:
            assert page.evaluate(f"playground.options.samples['{name}'].task") == (
                "regression"
            )
    page.locator(".column.data").screenshot(path=shots / "14-dataset-thumbnails.png")


def test_hovering_a_unit_shows_its_activation_in_the_output_plot(
    context, server, shots, tmp_path
):
    page = open_page(context, server, "?seed=4&n_samples=100")
    page.click("#step")
    page.wait_for_function("() => playground.frame.updates === 1", timeout=WAIT)
    page.wait_for_function(SETTLED, timeout=WAIT)
    before = canvas_pixels(page, "#boundary")
    assert page.get_attribute("#boundary", "data-showing") == "output"
    unit = ".node.unit[data-layer='1'][data-row='2']"
    page.hover(unit)
    page.wait_for_function(
        "() => document.querySelector('#boundary').dataset.showing === 'unit 1.3'",
        timeout=WAIT,
    )
    during = canvas_pixels(page, "#boundary")
    assert (np.abs(during - before).sum(axis=2) > 30).mean() > 0.05
    legend = page.text_content("#legend")
    assert "unit 3 of layer 1" in legend and "-1" in legend
    page.screenshot(path=shots / "15-unit-hovered.png", full_page=True)
    # The plot's colours are that unit's tanh(W1[2] x + b1[2]), computed here
    # from the exported weights: blue where it is clearly positive, orange
    # where clearly negative, away from the points drawn over it.
    path = tmp_path / "hover.glassnet"
    path.write_bytes(call(server, "GET", f"/api/sessions/{sid(page)}/model").body)
    W1, b1 = dense_weights(gn.load(path))[0]
    setup = page.evaluate("playground.setup")
    a, b, c, d = setup["domain"]
    left, top, size = 30, 6, 304  # plots.js PLOT
    points = np.array([[p[0], p[1]] for p in setup["train"]])
    points_px = np.column_stack(
        [
            left + (points[:, 0] - a) / (b - a) * size,
            top + (d - points[:, 1]) / (d - c) * size,
        ]
    )
    checked = 0
    for py in range(top + 4, top + size - 4, 9):
        for px in range(left + 4, left + size - 4, 9):
            if np.hypot(*(points_px - [px + 0.5, py + 0.5]).T).min() < 12:
                continue
            x = np.array([a + (px + 0.5 - left) / size * (b - a),
                          d - (py + 0.5 - top) / size * (d - c)])  # fmt: skip
            activation = np.tanh(W1[2] @ x + b1[2])
            red, _, blue = during[py, px]
            if activation > 0.3:
                assert blue > red + 20, (px, py, activation, during[py, px])
                checked += 1
            elif activation < -0.3:
                assert red > blue + 20, (px, py, activation, during[py, px])
                checked += 1
    assert checked > 50
    # Leaving the unit gives the output back, pixel for pixel, and its scale.
    page.mouse.move(2, 2)
    page.wait_for_function(
        "() => document.querySelector('#boundary').dataset.showing === 'output'",
        timeout=WAIT,
    )
    page.wait_for_timeout(100)
    after = canvas_pixels(page, "#boundary")
    np.testing.assert_array_equal(after, before)
    assert "P(" in page.text_content("#legend")


def python_number(v, decimals):
    """How glassnet trace --decimals writes a number (Python's format; a zero,
    -0.0 included, without a sign)."""
    if v == 0:
        v = 0.0
    if v == 0 or 10.0**-decimals <= abs(v) < 1e6:
        return f"{v:.{decimals}f}"
    return f"{v:.{max(decimals - 1, 1)}e}"


def test_the_trace_decimals_selector_and_its_link(context, server, shots):
    page = open_page(context, server, "?seed=2&decimals=2")
    assert page.input_value("#decimals") == "2"
    trace = "document.querySelector('#trace')"
    page.wait_for_function(f"() => {trace}.dataset.decimals === '2'", timeout=WAIT)

    def shown():
        return page.eval_on_selector_all(
            "#trace .num", "els => els.map(e => [e.textContent, Number(e.dataset.v)])"
        )

    cells = shown()
    assert len(cells) > 30
    for text, value in cells:
        assert text == python_number(value, 2), (text, value)
    page.select_option("#decimals", "6")
    page.wait_for_function(f"() => {trace}.dataset.decimals === '6'", timeout=WAIT)
    cells = shown()
    for text, value in cells:
        assert text == python_number(value, 6), (text, value)
    assert any(len(text.split(".")[1]) == 6 for text, _ in cells)
    page.locator(".trace-panel").screenshot(path=shots / "16-trace-6-decimals.png")
    # Ties round half to even, small and large values go scientific, as Python.
    values = [0.125, -0.375, 2.5e-7, 0.0625, 1234567.0, -0.0, 0.0001, 3.14159265,
              1.5e-3, 0.000125, 9.995, 1e-9, -2.5e7]  # fmt: skip
    for decimals in (2, 3, 4, 5, 6):
        written = page.evaluate(
            "async ([values, d]) => { const m = await import('/static/trace.js');"
            " return values.map((v) => m.formatNumber(v, d)); }",
            [values, decimals],
        )
        assert written == [python_number(v, decimals) for v in values], decimals
    # The plain text is the server's rendering with the same digits.
    page.check("#trace-text")
    page.wait_for_function(f"() => {trace}.querySelector('pre')", timeout=WAIT)
    weights = page.evaluate("playground.frame.weights[0].W")
    text = page.text_content("#trace pre")
    assert all(python_number(float(w), 6) in text for w in floats(weights))
    # The link keeps the choice and brings it back.
    link = page.input_value("#link")
    assert "decimals=6" in link and link == page.url
    copy = open_page(context, server, "?" + link.split("?", 1)[1])
    assert copy.input_value("#decimals") == "6"
    copy.wait_for_function(f"() => {trace}.dataset.decimals === '6'", timeout=WAIT)
    bad = open_page(context, server, "?decimals=9")
    assert bad.input_value("#decimals") == "4"
    assert "decimals=9" in bad.text_content("#message-text")


# -- stepping through one sample; the input-gradient arrows ----------------------------
def lit(page):
    """What the network picture lights now: links (layer, class) and units."""
    return page.evaluate(
        """() => ({
          links: Array.from(document.querySelectorAll('#network .link.lit'))
            .map(e => [Number(e.dataset.layer), e.classList.contains('back')]),
          units: Array.from(document.querySelectorAll('#network .node.unit.lit'))
            .map(e => Number(e.dataset.layer)),
          inputs: document.querySelectorAll('#network .node.feature.lit').length,
          values: Array.from(document.querySelectorAll('#network .stage-value'))
            .map(e => Number(e.dataset.v)),
        })"""
    )


def stage_numbers(page, quantity):
    return page.eval_on_selector_all(
        f"#stage .num[data-q={quantity}]", "els => els.map(e => Number(e.dataset.v))"
    )


def wait_stage(page, index):
    page.wait_for_function(
        f"() => document.querySelector('#stage').dataset.stage === '{index}'",
        timeout=WAIT,
    )


def test_step_through_a_sample_stage_by_stage_lights_the_picture(
    context, server, shots, tmp_path
):
    page = open_page(context, server, "?seed=6")
    page.click("#play")
    page.wait_for_function(
        "() => Number(document.querySelector('#epoch').dataset.epoch) >= 3",
        timeout=WAIT,
    )
    page.click("#step-through")
    wait_stage(page, 0)
    # Training pauses, and the page says so; Play and Step wait for the exit.
    page.wait_for_function("() => !playground.playing", timeout=WAIT)
    assert "Training is paused" in page.text_content("#stepper-paused")
    assert page.is_disabled("#play") and page.is_disabled("#step")
    point = page.evaluate("playground.stepping.point")
    epoch = page.evaluate("playground.frame.epoch")
    model = call(server, "GET", f"/api/sessions/{sid(page)}/model").body
    path = tmp_path / "stepping.glassnet"
    path.write_bytes(model)
    weights = dense_weights(gn.load(path))
    x1, x2, y = page.evaluate(f"playground.setup.train[{point}]")
    hand = hand_step(weights, ["tanh", "tanh"], np.array([x1, x2]), y, lr=0.03)
    sizes = [(4, 2), (2, 4), (1, 2)]  # (n_out, n_in) of layers 1, 2, 3
    # (kind, layer, equation, lit links' layer, lit units' layer, backward)
    stages = [
        ("input", None, "a(0) = x", None, None, False),
        *[
            ("forward", l, f"z({l}) = W({l}) a({l - 1}) + b({l})", l, l, False)
            for l in (1, 2, 3)  # noqa: E741
        ],
        ("loss", 3, "C = binary_cross_entropy(a(3), y)", None, 3, False),
        ("delta", 3, "δ(3) = ∂C/∂z(3) = (a(3) − y)", None, 3, True),
        ("delta", 2, "δ(2) = ψ(a(2)) ⊙ (W(3))T δ(3)", 3, 2, True),
        ("delta", 1, "δ(1) = ψ(a(1)) ⊙ (W(2))T δ(2)", 2, 1, True),
        *[
            ("gradient", l, f"∂C/∂W({l}) = δ({l}) (a({l - 1}))T", l, l, True)
            for l in (1, 2, 3)  # noqa: E741
        ],
    ]
    assert page.evaluate("playground.stepping.stages.length") == len(stages)
    for index, (kind, layer, equation, links, units, back) in enumerate(stages):
        if index:
            page.click("#stage-next")
        wait_stage(page, index)
        box = page.locator("#stage")
        assert box.get_attribute("data-kind") == kind
        assert equation in box.text_content(), (index, box.text_content())
        shown = lit(page)
        n_links = sizes[links - 1][0] * sizes[links - 1][1] if links else 0
        assert len(shown["links"]) == n_links, (index, shown)
        assert all(entry == [links, back] for entry in shown["links"]), index
        if units is None:  # the input: the two features in use
            assert shown["inputs"] == 2 and shown["units"] == []
            np.testing.assert_allclose(shown["values"], [x1, x2], rtol=1e-6)
            continue
        assert shown["units"] == [units] * sizes[units - 1][0], (index, shown)
        # The numbers of the equation and beside the units are the lecture's.
        if kind == "forward":
            expected = hand["a"][layer - 1]
            for name in ("z", "a"):
                got = stage_numbers(page, name)
                np.testing.assert_allclose(
                    got, hand[name][layer - 1], rtol=1e-4, atol=1e-6
                )
        elif kind == "loss":
            expected = hand["a"][2]
            assert stage_numbers(page, "loss")[0] == pytest.approx(
                hand["loss"], rel=1e-5
            )
        elif kind == "delta":
            expected = hand["delta"][layer - 1]
            got = stage_numbers(page, "delta")
            np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
        else:
            expected = hand["delta"][layer - 1]
            got = stage_numbers(page, "dW")
            np.testing.assert_allclose(
                got, hand["dW"][layer - 1].ravel(), rtol=1e-4, atol=1e-6
            )
        np.testing.assert_allclose(shown["values"], expected, rtol=1e-4, atol=1e-6)
        if index == 2:
            page.locator(".column.net").screenshot(path=shots / "17-step-forward.png")
        if index == 7:
            page.locator(".column.net").screenshot(path=shots / "18-step-backward.png")
    assert page.is_disabled("#stage-next")
    # Back with Prev and the arrow keys (not while typing in a field).
    page.click("#stage-prev")
    wait_stage(page, len(stages) - 2)
    page.keyboard.press("ArrowLeft")
    wait_stage(page, len(stages) - 3)
    page.keyboard.press("ArrowRight")
    wait_stage(page, len(stages) - 2)
    assert page.evaluate("playground.frame.epoch") == epoch  # still paused
    # Next point: the same mode, the next point's trace, from its first stage.
    page.click("#next-point")
    page.wait_for_function(
        f"() => playground.stepping && playground.stepping.point === {point + 1}"
        " && document.querySelector('#stage').dataset.point === String("
        f"{point + 1})",
        timeout=WAIT,
    )
    wait_stage(page, 0)
    # Exit (Esc): nothing lit, and training resumes.
    page.keyboard.press("Escape")
    page.wait_for_function(
        "() => !playground.stepping && playground.playing", timeout=WAIT
    )
    assert page.is_hidden("#stepper")
    assert lit(page) == {"links": [], "units": [], "inputs": 0, "values": []}
    page.wait_for_function(
        f"() => Number(document.querySelector('#epoch').dataset.epoch) > {epoch}",
        timeout=WAIT,
    )
    assert not page.is_disabled("#play")
    page.click("#play")
    page.wait_for_function(SETTLED, timeout=WAIT)


def test_step_through_of_a_regularized_run_writes_the_weight_penalty(
    context, server, tmp_path
):
    page = open_page(context, server, "?seed=6&l2=0.1")
    page.click("#step-through")
    wait_stage(page, 0)
    point = page.evaluate("playground.stepping.point")
    path = tmp_path / "l2.glassnet"
    path.write_bytes(call(server, "GET", f"/api/sessions/{sid(page)}/model").body)
    weights = dense_weights(gn.load(path))
    x1, x2, y = page.evaluate(f"playground.setup.train[{point}]")
    hand = hand_step(weights, ["tanh", "tanh"], np.array([x1, x2]), y, lr=0.03)
    # C = data loss + R(W), R(W) = l2 sum W^2 over every weight matrix
    penalty = 0.1 * sum(float(np.sum(np.square(W))) for W, _ in weights)
    for index in range(1, 9):  # input, 3 forward stages, the loss (4) ... layer 1
        page.click("#stage-next")
        wait_stage(page, index)
        text = page.text_content("#stage")
        if index == 4:
            assert "C = binary_cross_entropy(a(3), y) + R(W)" in text, text
            assert stage_numbers(page, "loss")[0] == pytest.approx(
                hand["loss"] + penalty, rel=1e-5
            )
    assert "∂C/∂W(1) = δ(1) (a(0))T + ∂R/∂W(1)" in page.text_content("#stage")
    W1 = weights[0][0]
    np.testing.assert_allclose(
        np.reshape(stage_numbers(page, "dW"), W1.shape),
        np.asarray(hand["dW"][0]) + 2 * 0.1 * W1,
        rtol=1e-4,
        atol=1e-6,
    )


def test_a_click_or_an_edit_while_stepping_traces_again(context, server):
    page = open_page(context, server, "?seed=6")
    page.click("#step-through")
    wait_stage(page, 0)
    page.click("#stage-next")
    wait_stage(page, 1)
    x1, x2, _ = page.evaluate("playground.setup.train[17]")
    at = page.evaluate(
        """([x1, x2]) => { const c = document.querySelector('#boundary');
          const r = c.getBoundingClientRect(); const [a, b, lo, hi] =
          playground.setup.domain; const w = r.width / c.width;
          return [r.left + (30 + (x1 - a) / (b - a) * 304) * w,
                  r.top + (6 + (hi - x2) / (hi - lo) * 304) * w]; }""",
        [x1, x2],
    )
    page.mouse.click(*at)
    page.wait_for_function(
        "() => document.querySelector('#stage').dataset.point === '17'",
        timeout=WAIT,
    )
    wait_stage(page, 0)
    shown = page.eval_on_selector_all(
        "#stage .num[data-q=input]", "els => els.map(e => Number(e.dataset.v))"
    )
    np.testing.assert_allclose(shown, [x1, x2], rtol=1e-6)
    assert "#17" in page.text_content("#stepper-title")
    # An edited bias: the same stage, traced again with the new value.
    page.click("#stage-next")
    wait_stage(page, 1)
    page.click(".node.unit[data-layer='1'][data-row='0']")
    page.fill("#editor-input", "2.5")
    page.click("#editor-form button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('#stage .num[data-q=b]').dataset.v === '2.5'",
        timeout=WAIT,
    )
    assert page.get_attribute("#stage", "data-stage") == "1"
    page.click("#editor-close")
    page.click("#stepper-exit")
    page.wait_for_function("() => !playground.stepping", timeout=WAIT)
    assert not page.evaluate("playground.playing")  # it was paused before


def test_the_input_gradient_arrows_toggle(context, server, shots):
    page = open_page(context, server, "?seed=2")
    play_until(
        page, "() => Number(document.querySelector('#epoch').dataset.epoch) >= 20"
    )
    n = page.evaluate("playground.setup.train.length")
    before = canvas_pixels(page, "#boundary")
    assert page.get_attribute("#boundary", "data-arrows") == "0"
    assert page.is_hidden("#input-gradients-note")
    page.check("#input-gradients")
    page.wait_for_function(
        f"() => document.querySelector('#boundary').dataset.arrows === '{n}'",
        timeout=WAIT,
    )
    assert "direction in which" in page.text_content("#input-gradients-note")
    assert "inputGradients=true" in page.input_value("#link")
    # The page draws the server's field: -dC/dx of each training point.
    field = call(server, "GET", f"/api/sessions/{sid(page)}/input-gradients").json()
    assert page.evaluate("playground.field.gradient") == field["gradient"]
    with_arrows = canvas_pixels(page, "#boundary")
    dark = lambda p: (p.sum(axis=2) < 120).sum()  # noqa: E731
    assert dark(with_arrows) > dark(before) + 50  # the arrows' dark strokes
    page.locator(".column.output").screenshot(path=shots / "19-input-gradients.png")
    page.uncheck("#input-gradients")
    page.wait_for_function(
        "() => document.querySelector('#boundary').dataset.arrows === '0'",
        timeout=WAIT,
    )
    assert page.is_hidden("#input-gradients-note")

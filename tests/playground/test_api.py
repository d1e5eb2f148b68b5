"""The playground server over HTTP: training, traces, export, refusals, limits.

Every server binds to 127.0.0.1; every loop is bounded in count and time.
"""

import base64
import http.client
import json
import os
import socket
import threading
import time

import numpy as np
import pytest
from cli_support import run
from playground_support import (
    call,
    count_stream_frames,
    dense_weights,
    hand_batch_step,
    hand_step,
    new_session,
    running_server,
)

import glassnet as gn
from glassnet.datasets import load
from glassnet.datasets.toy import GENERATORS, REGRESSION
from glassnet.playground.config import DEFAULTS

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow

CIRCLE = {"data": "circle", "n_samples": 500, "noise": 0.0, "test_size": 0.5}


@pytest.fixture(scope="module")
def server():
    with running_server(max_sessions=4, grace_seconds=60, max_upload_bytes=20_000) as s:
        yield s


@pytest.fixture
def session(server):
    created = new_session(server, {"seed": 3})
    yield created["setup"]["id"]
    call(server, "DELETE", f"/api/sessions/{created['setup']['id']}")


def model_of(server, sid):
    answer = call(server, "GET", f"/api/sessions/{sid}/model")
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Disposition"].endswith('.glassnet"')
    return answer.body


def load_bytes(blob, tmp_path, name="m.glassnet"):
    path = tmp_path / name
    path.write_bytes(blob)
    return gn.load(path)


def test_page_and_assets_are_served_from_the_package(server):
    page = call(server, "GET", "/")
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert b'<script type="module" src="/static/main.js">' in page.body
    assert b"http" not in page.body.split(b"<body>")[0]  # nothing from elsewhere
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    script = call(server, "GET", "/static/main.js")
    assert script.status == 200 and "javascript" in script.headers["Content-Type"]
    assert call(server, "GET", "/static/../config.py").status == 404
    assert call(server, "GET", "/static/missing.js").status == 404


def test_a_step_is_one_sgd_step_on_the_next_batch_of_the_fit_order(
    server, session, tmp_path
):
    before = load_bytes(model_of(server, session), tmp_path, "before.glassnet")
    answer = call(server, "POST", f"/api/sessions/{session}/step")
    assert answer.status == 200
    frame = answer.json()["frame"]
    assert (frame["epoch"], frame["batch"], frame["updates"]) == (0, 1, 1)
    after = load_bytes(model_of(server, session), tmp_path, "after.glassnet")
    # The first batch of glassnet.fit(seed=3): the first 10 of a permutation.
    data = load("circle", seed=3, **{k: v for k, v in CIRCLE.items() if k != "data"})
    batch = np.random.default_rng(3).permutation(data.X_train.shape[0])[:10]
    expected = hand_batch_step(
        dense_weights(before),
        ["tanh", "tanh"],
        data.X_train[batch].astype(np.float64),
        data.y_train[batch],
        lr=0.03,
    )
    for (W, b), (W_hand, b_hand) in zip(dense_weights(after), expected, strict=True):
        np.testing.assert_allclose(W, W_hand, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(b, b_hand, rtol=1e-5, atol=1e-6)


def test_the_trace_is_the_lecture_pass_of_the_servers_network(
    server, session, tmp_path
):
    for _ in range(3):
        call(server, "POST", f"/api/sessions/{session}/step")
    answer = call(server, "GET", f"/api/sessions/{session}/trace?point=7")
    assert answer.status == 200
    info = answer.json()
    net = load_bytes(model_of(server, session), tmp_path)
    data = load("circle", seed=3, **{k: v for k, v in CIRCLE.items() if k != "data"})
    x, y = data.X_train[7].astype(np.float64), float(data.y_train[7])
    assert info["x"] == pytest.approx(list(x)) and info["y"] == str(int(y))
    hand = hand_step(dense_weights(net), ["tanh", "tanh"], x, y, lr=0.03)
    trace = info["trace"]
    assert trace["loss"] == pytest.approx(hand["loss"], rel=1e-5)
    for i, layer in enumerate(trace["layers"]):
        np.testing.assert_array_equal(layer["W"], dense_weights(net)[i][0])
        for name in ("z", "a", "delta"):
            np.testing.assert_allclose(
                layer[name][0], hand[name][i], rtol=1e-4, atol=1e-6
            )
        for name in ("dW", "db", "W_new", "b_new"):
            np.testing.assert_allclose(layer[name], hand[name][i], rtol=1e-4, atol=1e-6)
    assert trace["step_size"] == 0.03
    assert "z^(1) = W^(1) a^(0) + b^(1)" in info["text"]
    transfer = call(
        server, "GET", f"/api/sessions/{session}/trace?point=7&notation=transfer"
    ).json()
    W1, b1 = dense_weights(net)[0]
    expected = np.vstack([b1[None, :], W1.T])  # lecture 002: biases in row 0
    np.testing.assert_array_equal(
        transfer["trace"]["layers"][0]["transfer_matrix"], expected
    )
    # The trace changed nothing: the network is the one exported before it.
    again = load_bytes(model_of(server, session), tmp_path, "again.glassnet")
    for (W1, b1), (W2, b2) in zip(
        dense_weights(net), dense_weights(again), strict=True
    ):
        np.testing.assert_array_equal(W1, W2)
        np.testing.assert_array_equal(b1, b2)


def test_the_trace_text_has_the_decimals_asked_for(server, session):
    info = call(server, "GET", f"/api/sessions/{session}/trace?point=3").json()
    assert info["decimals"] == 4
    W = info["trace"]["layers"][0]["W"]
    for decimals in (2, 6):
        path = f"/api/sessions/{session}/trace?point=3&decimals={decimals}"
        answer = call(server, "GET", path).json()
        assert answer["decimals"] == decimals
        # every weight as Python writes it with that many digits (|w| is
        # between 10^-decimals and 10^6 for a fresh Glorot layer), and the
        # JSON keeps every digit whatever the decimals
        for w in np.ravel(W):
            assert 10.0**-decimals <= abs(w) < 1e6
            assert f"{w:.{decimals}f}" in answer["text"]
        assert answer["trace"] == info["trace"]


def test_options_carry_a_seeded_sample_of_every_generated_set(server):
    samples = call(server, "GET", "/api/options").json()["samples"]
    assert sorted(samples) == sorted(GENERATORS)
    for name, sample in samples.items():
        X, y = GENERATORS[name](100, noise=0.0, seed=0)
        points = np.array(sample["points"])
        assert points.shape == (100, 3)
        np.testing.assert_allclose(points[:, :2], X, atol=5e-4)
        np.testing.assert_allclose(points[:, 2], y, atol=5e-4)
        x1_min, x1_max, x2_min, x2_max = sample["domain"]
        assert x1_min <= X[:, 0].min() and X[:, 0].max() <= x1_max
        assert x2_min <= X[:, 1].min() and X[:, 1].max() <= x2_max
        regression = name in REGRESSION
        assert sample["task"] == ("regression" if regression else "classification")
        if not regression:  # class codes, every class of the set drawn
            assert all(isinstance(row[2], int) for row in sample["points"])
            assert set(points[:, 2]) == set(y.tolist())
        else:  # values coloured over [-top, top], top the largest |value|
            assert sample["value_range"] == pytest.approx(
                [-np.abs(y).max(), np.abs(y).max()]
            )
    # the same sample on every request (seeded), and small enough to load fast
    again = call(server, "GET", "/api/options")
    assert again.json()["samples"] == samples and len(again.body) < 40_000


def test_editing_a_weight_and_a_bias(server, session):
    path = f"/api/sessions/{session}/parameter"
    answer = call(
        server,
        "POST",
        path,
        {"layer": 2, "param": "W", "row": 1, "col": 3, "value": 1.25},
    )
    assert answer.status == 200
    frame = answer.json()["frame"]
    W = np.frombuffer(base64.b64decode(frame["weights"][1]["W"]), "<f4")
    assert W.reshape(2, 4)[1, 3] == 1.25 and frame["edited"]
    answer = call(
        server, "POST", path, {"layer": 3, "param": "b", "row": 0, "value": -2}
    )
    weights = answer.json()["frame"]["weights"]
    b = np.frombuffer(base64.b64decode(weights[2]["b"]), "<f4")
    assert b[0] == -2.0
    notes = call(server, "GET", f"/api/sessions/{session}/train-config").json()["notes"]
    assert any("edited by hand" in note for note in notes)


def the_commands_start(folder):
    """The data and the untrained network ``glassnet train --config
    playground.toml`` starts from, built as the command builds them."""
    from argparse import Namespace

    from glassnet.cli._common import load_data
    from glassnet.cli.train import resolve_settings
    from glassnet.runs.recipe import DATA_OPTIONS, build_network

    settings = resolve_settings(Namespace(config=str(folder / "playground.toml")))
    cwd = os.getcwd()
    os.chdir(folder)  # the file names a data file beside it
    try:
        data = load_data(
            settings["data"],
            target=settings["target"],
            seed=settings["seed"],
            options={k: settings[k] for k in DATA_OPTIONS if settings[k] is not None},
        )
    finally:
        os.chdir(cwd)
    return data, build_network(settings, data)


def assert_reproduced(server, sid, setup, initial, folder):
    """Same data, same initial weights (bit for bit); after the command's
    epochs, the same weights to float32 rounding (its training loop may add
    some sums in another order)."""
    data, start = the_commands_start(folder)
    np.testing.assert_array_equal(data.X_train, [row[:2] for row in setup["train"]])
    np.testing.assert_array_equal(data.X_test, [row[:2] for row in setup["test"]])
    for (W1, b1), (W2, b2) in zip(initial, dense_weights(start), strict=True):
        np.testing.assert_array_equal(W1, W2)
        np.testing.assert_array_equal(b1, b2)
    played = load_bytes(model_of(server, sid), folder, "played.glassnet")
    result = run("train", "--config", "playground.toml", "--quiet", cwd=folder)
    assert result.returncode == 0, result.stderr
    trained = gn.load(folder / "playground.glassnet")
    for (W1, b1), (W2, b2) in zip(
        dense_weights(played), dense_weights(trained), strict=True
    ):
        np.testing.assert_allclose(W1, W2, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(b1, b2, rtol=1e-4, atol=1e-6)
    return played


def test_the_exported_command_reproduces_the_run(server, tmp_path):
    config = {"data": "xor", "layers": "5,3", "activation": "tanh,relu", "lr": 0.1}
    config.update(seed=11, noise=0.1, n_samples=200, test_size=0.3, l2=0.001)
    created = new_session(server, config)
    sid = created["setup"]["id"]
    initial = dense_weights(load_bytes(model_of(server, sid), tmp_path, "0.glassnet"))
    for _ in range(2 * created["frame"]["n_batches"]):  # two whole epochs
        call(server, "POST", f"/api/sessions/{sid}/step")
    document = call(server, "GET", f"/api/sessions/{sid}/train-config").json()
    assert document["complete"] and document["settings"]["epochs"] == 2
    assert "--activation tanh,relu" in document["command"]
    toml = call(server, "GET", f"/api/sessions/{sid}/train-config?download=toml")
    assert (
        toml.headers["Content-Disposition"] == 'attachment; filename="playground.toml"'
    )
    (tmp_path / "playground.toml").write_bytes(toml.body)
    played = assert_reproduced(server, sid, created["setup"], initial, tmp_path)
    assert played.metadata["config"]["epochs"] == 2
    call(server, "DELETE", f"/api/sessions/{sid}")


def test_the_exported_command_reproduces_a_run_on_an_uploaded_file(server, tmp_path):
    sid = new_session(server, {"layers": "6", "seed": 2, "test_size": 0.4})
    sid = sid["setup"]["id"]
    rows = "".join(
        f"{(i * 7) % 13 - 6},{(i * 5) % 11 - 5},{i % 3}\n" for i in range(90)
    )
    answer = call(
        server,
        "POST",
        f"/api/sessions/{sid}/upload",
        "p,q,label\n" + rows,
        headers={"Content-Type": "text/csv", "X-Filename": "three.csv"},
    )
    setup = answer.json()["setup"]
    assert setup["classes"] == ["0", "1", "2"]
    initial = dense_weights(load_bytes(model_of(server, sid), tmp_path, "0.glassnet"))
    for _ in range(2 * answer.json()["frame"]["n_batches"]):
        call(server, "POST", f"/api/sessions/{sid}/step")
    document = call(server, "GET", f"/api/sessions/{sid}/train-config").json()
    assert document["complete"] and "three.csv" in document["notes"][0]
    (tmp_path / "playground.toml").write_text(document["toml"])
    file = call(server, "GET", f"/api/sessions/{sid}/upload.csv")
    (tmp_path / "three.csv").write_bytes(file.body)
    assert_reproduced(server, sid, setup, initial, tmp_path)
    call(server, "DELETE", f"/api/sessions/{sid}")


def test_export_notes_what_the_command_cannot_say(server):
    sid = new_session(server, {"features": "x1,x2,x1sq,sinx2"})["setup"]["id"]
    call(server, "POST", f"/api/sessions/{sid}/step")
    document = call(server, "GET", f"/api/sessions/{sid}/train-config").json()
    assert not document["complete"]
    notes = " ".join(document["notes"])
    assert "x1^2, sin(x2): the command trains on x1 and x2 only" in notes
    assert "1 of 25 batches into epoch 1" in notes
    csv_text = call(server, "GET", f"/api/sessions/{sid}/data.csv").body.decode()
    header, first = csv_text.splitlines()[:2]
    assert header == "x1,x2,x1^2,sin(x2),label"
    x1, x2, x1sq, sinx2, label = first.split(",")
    assert float(x1sq) == pytest.approx(float(x1) ** 2, rel=1e-6)
    assert float(sinx2) == pytest.approx(np.sin(float(x2)), rel=1e-5, abs=1e-7)
    call(server, "DELETE", f"/api/sessions/{sid}")


def test_a_stream_delivers_at_least_20_updates_a_second(server):
    """2-8-8-1 on 500 points with a 64x64 boundary grid (the figure is printed)."""
    created = new_session(server, {"layers": "8,8", "n_samples": 500})
    sid = created["setup"]["id"]
    assert created["setup"]["grid"]["boundary"] == 64
    assert [layer["n_out"] for layer in created["setup"]["layers"]] == [8, 8, 1]
    assert call(server, "POST", f"/api/sessions/{sid}/play").json()["playing"]
    frames, seconds, epoch = count_stream_frames(server, sid, 2.0)
    rate = frames / seconds
    print(f"\nplayground stream: {rate:.1f} updates/s (2-8-8-1, 500 points, 64x64)")
    assert rate >= 20
    assert epoch >= frames  # a frame per epoch at least
    call(server, "DELETE", f"/api/sessions/{sid}")


# -- refusals --------------------------------------------------------------------
def test_bad_requests_get_a_4xx_and_a_clear_message(server, session):
    other = new_session(server)["setup"]["id"]
    here = f"/api/sessions/{session}"
    weight = {"layer": 1, "param": "W", "row": 0, "col": 0, "value": 1}
    nan = '{"layer": 1, "param": "b", "row": 0, "value": NaN}'
    cases = [
        ("POST", "/api/sessions", {"layers": "8,8,8,8,8,8,8,8,8"}, 400, "at most 8"),
        ("POST", "/api/sessions", {"layers": "32"}, 400, "[1, 16]. Got '32'"),
        ("POST", "/api/sessions", {"n_samples": 10**6}, 400, "'n_samples'"),
        ("POST", "/api/sessions", {"data": "moon"}, 400, "'circle'"),
        ("POST", "/api/sessions", {"activation": "swish"}, 400, "'activation'"),
        ("POST", "/api/sessions", {"epochs": 5}, 400, "Unknown setting(s)"),
        ("POST", "/api/sessions", "{layers: 3", 400, "not valid JSON"),
        ("POST", "/api/sessions", "[1, 2]", 400, "must be a JSON object"),
        ("POST", "/api/sessions", {"data": "upload"}, 400, "upload one first"),
        ("POST", f"{here}/config", {"output": "softmax", "data": "plane"}, 400,
         "contradictory settings"),
        ("POST", f"{here}/parameter", {"layer": 9, "param": "W"}, 400, "'layer'"),
        ("POST", f"{here}/parameter", {**weight, "col": 5}, 400, "'col'"),
        ("POST", f"{here}/parameter", nan, 400, "finite number"),
        ("GET", f"{here}/trace?point=9999", None, 400, "'point'"),
        ("GET", f"{here}/trace?notation=tex", None, 400, "'notation'"),
        ("GET", f"{here}/trace?decimals=17", None, 400, "'decimals'"),
        ("GET", f"{here}/trace?decimals=2.5", None, 400, "[0, 16]. Got '2.5'"),
        ("GET", "/api/sessions/AAAAAAAAAAAAAAAA/trace", None, 404, "session has ended"),
        ("GET", "/api/nothing", None, 404, "Nothing at /api/nothing"),
        ("DELETE", "/api/options", None, 405, "use GET"),
        ("GET", f"{here}/upload.csv", None, 404, "does not use an uploaded file"),
    ]  # fmt: skip
    for method, path, body, status, message in cases:
        answer = call(server, method, path, body)
        assert answer.status == status, (path, body, answer.body)
        assert message in answer.error, (path, answer.error)
        step = call(server, "POST", f"/api/sessions/{other}/step")
        assert step.status == 200  # the server still serves another session
    big = call(
        server,
        "POST",
        f"{here}/upload",
        "x" * 30_000,
        headers={"Content-Type": "text/csv"},
    )
    assert big.status == 413 and "limit is 20,000 bytes" in big.error
    call(server, "DELETE", f"/api/sessions/{other}")


def test_uploads_over_http(server, session):
    path = f"/api/sessions/{session}/upload"
    good = "u,v,kind\n" + "".join(
        f"{i % 7 - 3},{(i * 5) % 11 - 5},{'a' if i % 3 else 'b'}\n" for i in range(60)
    )
    answer = call(
        server,
        "POST",
        path,
        good,
        headers={"Content-Type": "text/csv", "X-Filename": "my%20points.csv"},
    )
    assert answer.status == 200, answer.body
    setup = answer.json()["setup"]
    assert setup["upload"] == "my_points.csv" and setup["classes"] == ["a", "b"]
    assert setup["columns"] == ["u", "v"] and setup["config"]["data"] == "upload"
    assert len(setup["train"]) + len(setup["test"]) == 60
    document = call(server, "GET", f"/api/sessions/{session}/train-config").json()
    assert "--data my_points.csv --target kind" in document["command"]
    refusals = [
        (b"\x89PNG\r\n\x1a\n", "image/png", 415, "not a CSV file"),
        (b"u,v,kind\n1,2,a\nx,3,b\n", "text/csv", 400,
         "line 3, column 'u': expected a number, got 'x'"),
    ]  # fmt: skip
    for body, kind, status, message in refusals:
        answer = call(server, "POST", path, body, headers={"Content-Type": kind})
        assert answer.status == status and message in answer.error
    # A refused upload leaves the run as it was.
    state = call(server, "GET", f"/api/sessions/{session}").json()
    assert state["setup"]["upload"] == "my_points.csv"
    original = call(server, "GET", f"/api/sessions/{session}/upload.csv")
    assert original.body.decode() == good


def test_the_session_limit_and_freeing_a_closed_session():
    with running_server(max_sessions=2, grace_seconds=0.5) as server:
        first = new_session(server)["setup"]["id"]
        new_session(server)
        refused = call(server, "POST", "/api/sessions", {})
        assert refused.status == 429 and "limit" in refused.error
        assert call(server, "POST", f"/api/sessions/{first}/close").status == 200
        assert new_session(server)["setup"]["id"]
        # Sessions nobody uses are freed after the grace time.
        deadline = time.monotonic() + 10
        while len(server.sessions) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(server.sessions) == 0


def _raw_request(server, request: bytes, client) -> bytes:
    """Hand a request to the server as if it came from ``client`` (no network)."""
    mine, theirs = socket.socketpair()
    with mine, theirs:
        mine.sendall(request)
        mine.shutdown(socket.SHUT_WR)
        server.finish_request(theirs, client)
        theirs.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := mine.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_clients_from_other_machines_are_refused_unless_allowed(server):
    request = b"GET /api/options HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"
    answer = _raw_request(server, request, ("192.0.2.7", 51000))
    assert answer.startswith(b"HTTP/1.0 403") and b"start it with --host" in answer
    assert _raw_request(server, request, ("127.0.0.1", 51000)).startswith(
        b"HTTP/1.0 200"
    )
    assert _raw_request(server, request, ("::1", 51000, 0, 0)).startswith(
        b"HTTP/1.0 200"
    )
    server.allow_remote = True  # as when started with --host 0.0.0.0
    try:
        answer = _raw_request(server, request, ("192.0.2.7", 51000))
        assert answer.startswith(b"HTTP/1.0 200")
    finally:
        server.allow_remote = False


def test_foreign_hosts_and_origins_are_refused(server):
    answer = call(server, "GET", "/api/options", headers={"Host": "evil.example:8765"})
    assert (
        answer.status == 403
        and "answers to 127.0.0.1, ::1, localhost only" in answer.error
    )
    answer = call(
        server, "POST", "/api/sessions", {}, headers={"Origin": "http://evil.example"}
    )
    assert answer.status == 403 and "not accepted" in answer.error
    host = server.url.removeprefix("http://").rstrip("/")
    answer = call(
        server, "POST", "/api/sessions", {}, headers={"Origin": f"http://{host}"}
    )
    assert answer.status == 201
    call(server, "DELETE", f"/api/sessions/{answer.json()['setup']['id']}")


def test_a_diverged_run_pauses_and_exports_no_model(server):
    config = {"data": "plane", "layers": "8", "activation": "identity", "lr": 10}
    sid = new_session(server, config)["setup"]["id"]
    for _ in range(30):
        frame = call(server, "POST", f"/api/sessions/{sid}/step").json()["frame"]
        if frame["notice"]:
            break
    assert "diverged" in frame["notice"]
    assert frame["metrics"]["train_loss"] is None  # NaN or infinity
    # Steps go on (the user may insist) until the weights overflow too.
    for _ in range(60):
        answer = call(server, "GET", f"/api/sessions/{sid}/model")
        if answer.status != 200:
            break
        call(server, "POST", f"/api/sessions/{sid}/step")
    assert answer.status == 409 and "not finite" in answer.error
    assert not call(server, "POST", f"/api/sessions/{sid}/play").json()["playing"]
    reset = call(server, "POST", f"/api/sessions/{sid}/reset").json()["frame"]
    assert reset["notice"] is None and reset["epoch"] == 0
    call(server, "DELETE", f"/api/sessions/{sid}")


# -- hostile pages and clients -------------------------------------------------------
def _post(server, path, body: bytes, headers: dict):
    """A POST with exactly these headers (urllib would add a Content-Type)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_opaque_origins_and_simple_content_types_cannot_change_anything(server):
    sid = new_session(server)["setup"]["id"]
    here = f"/api/sessions/{sid}"
    opaque = call(server, "POST", "/api/sessions", {}, headers={"Origin": "null"})
    assert opaque.status == 403 and "Origin: null" in opaque.error
    opaque = call(server, "POST", f"{here}/step", headers={"Origin": "null"})
    assert opaque.status == 403
    # Types a page may send anywhere without asking first (no CORS preflight).
    for kind in ("text/plain", "application/x-www-form-urlencoded", "", None):
        headers = {"Content-Type": kind} if kind is not None else {}
        for path, body in [("/api/sessions", b"{}"), (f"{here}/step", b"")]:
            status, document = _post(server, path, body, headers)
            assert status == 415 and "application/json" in document["error"], kind
    assert len(server.sessions) == 1  # nothing was created
    state = call(server, "GET", here).json()
    assert state["frame"]["updates"] == 0  # nothing was trained
    csv = "u,v,label\n1,2,a\n3,4,b\n"
    bare = call(server, "POST", f"{here}/upload", csv, headers={"Content-Type": ""})
    assert bare.status == 415 and "text/csv" in bare.error
    # A beacon (no type, no body) from the page itself closes its session.
    host = server.url.removeprefix("http://").rstrip("/")
    status, _ = _post(server, f"{here}/close", b"", {"Origin": f"http://{host}"})
    assert status == 200
    assert sid not in server.sessions


def test_deep_json_and_long_numbers_are_a_400_with_one_line(server, session):
    here = f"/api/sessions/{session}"
    rows = "".join(f"{i % 5},{i % 3},{'ab'[i % 2]}\n" for i in range(20))
    cases = [
        ("POST", "/api/sessions", "[" * 5000 + "]" * 5000, "nests"),
        ("POST", "/api/sessions", '{"seed": [' * 3000 + "]}" * 3000, "nests"),
        ("POST", "/api/sessions", '{"seed": ' + "9" * 5000 + "}", "5000 digits"),
        ("POST", "/api/sessions", '{"seed": -' + "9" * 5000 + "}", "5000 digits"),
        ("POST", "/api/sessions", '{"lr": 1' + "0" * 5000 + ".5}", "'lr'"),
        ("POST", "/api/sessions", {"seed": "9" * 5000}, "'seed'"),
        ("POST", "/api/sessions", {"layers": "9" * 5000}, "'layers'"),
        ("POST", f"{here}/config", {"n_samples": "²"}, "'n_samples'"),
        ("POST", f"{here}/parameter", '{"layer": 1, "param": "b", "row": 0, '
         '"value": ' + "7" * 5000 + "}", "5000 digits"),
        ("POST", f"{here}/parameter", {"layer": 1, "param": "b", "row": "9" * 5000,
         "value": 1}, "'row'"),
        ("GET", f"{here}/trace?point=" + "9" * 5000, None, "'point'"),
        ("GET", f"{here}/trace?point=%C2%B2", None, "'point'"),
        ("GET", f"{here}/trace?point=-1", None, "'point'"),
        ("GET", f"{here}/trace?decimals=" + "4" * 5000, None, "'decimals'"),
        ("GET", f"{here}/trace?decimals=%C2%B2", None, "'decimals'"),
        ("GET", f"{here}/trace?decimals=-1", None, "'decimals'"),
        ("GET", f"{here}/trace?decimals=%EF%BC%94", None, "'decimals'"),  # fullwidth 4
        ("GET", f"{here}/trace?" + "&".join(f"f{i}=1" for i in range(200)), None,
         "fields"),
    ]  # fmt: skip
    for method, path, body, message in cases:
        answer = call(server, method, path, body)
        assert answer.status == 400, (path[:60], answer.body[:200])
        assert message in answer.error and "\n" not in answer.error, answer.error
    upload = call(
        server,
        "POST",
        f"{here}/upload",
        "x1,x2,label\n" + "9" * 5000 + ",1,a\n" + rows,
        headers={"Content-Type": "text/csv"},
    )
    assert upload.status == 400 and "\n" not in upload.error, upload.body[:200]
    assert call(server, "POST", f"{here}/step").status == 200  # still serving


def _stalled(server, count):
    """Sockets that send half a request line and then nothing."""
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", server.server_port), timeout=10)
        sock.sendall(b"GET /api/options HT")
        sockets.append(sock)
    return sockets


def _closed_within(sock, seconds) -> bool:
    """Whether the server closes ``sock`` within ``seconds``."""
    sock.settimeout(seconds)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except OSError:
        pass
    return True


def test_stalled_and_slow_clients_are_capped_and_timed_out():
    cap, timeout = 8, 1.5
    with running_server(max_connections=cap, request_timeout=timeout) as server:
        baseline = threading.active_count()
        stalled = _stalled(server, 40)
        # A slow client: one byte of its headers every 0.1 s never finishes.
        slow = socket.create_connection(("127.0.0.1", server.server_port), timeout=10)
        slow.sendall(b"GET /api/options HTTP/1.0\r\n")
        try:
            time.sleep(0.3)
            start = time.monotonic()
            answer = call(server, "GET", "/api/options", timeout=10)
            assert answer.status == 200 and time.monotonic() - start < 1.0
            assert threading.active_count() - baseline <= cap + 1
            cut_at = None
            begun = time.monotonic()
            while time.monotonic() - begun < timeout + 3:
                try:
                    slow.sendall(b"X")
                except OSError:
                    cut_at = time.monotonic() - begun
                    break
                time.sleep(0.1)
            assert cut_at is not None and cut_at < timeout + 1.5
            assert all(_closed_within(s, timeout + 2) for s in stalled)
        finally:
            for sock in [*stalled, slow]:
                sock.close()


def test_the_host_header_must_name_the_server_when_it_serves_others(server):
    port = server.server_port
    server.allow_remote = True  # as when started with --host
    server.allowed_hosts.add("playground.lan")  # --host playground.lan
    try:
        for host, status in [
            ("evil.example", 403),
            (f"rebind.evil.example:{port}", 403),
            (f"playground.lan:{port}", 200),
            (f"127.0.0.1:{port}", 200),
            (f"localhost:{port}", 200),
            (f"192.0.2.7:{port}", 200),
            (f"[2001:db8::1]:{port}", 200),
        ]:
            request = f"GET /api/options HTTP/1.0\r\nHost: {host}\r\n\r\n".encode()
            answer = _raw_request(server, request, ("192.0.2.7", 51000))
            assert answer.startswith(f"HTTP/1.0 {status}".encode()), (host, answer)
    finally:
        server.allow_remote = False
        server.allowed_hosts.discard("playground.lan")


def _open_stream(server, sid):
    sock = socket.create_connection(("127.0.0.1", server.server_port), timeout=10)
    sock.sendall(
        f"GET /api/sessions/{sid}/stream HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode()
    )
    seen = b""
    while b"retry:" not in seen:
        chunk = sock.recv(4096)
        assert chunk, seen
        seen += chunk
    return sock


def test_a_broken_stream_frees_its_session_within_two_seconds():
    with running_server(max_sessions=1, grace_seconds=30) as server:
        sid = new_session(server)["setup"]["id"]
        stream = _open_stream(server, sid)
        time.sleep(1.5)  # heartbeats (1 s apart) keep a live stream's session
        assert sid in server.sessions
        stream.close()  # the tab was closed, or the browser killed
        start = time.monotonic()
        while sid in server.sessions and time.monotonic() - start < 5:
            time.sleep(0.05)
        assert time.monotonic() - start < 2.0
        assert new_session(server)["setup"]["id"]


#: What replaces one field of a valid body: none of them is a valid value of
#: any field (a huge int, a huge float, a list, a dict, a bool, null, text).
WRONG_TYPES = [
    10**30,
    1e308,
    -1e308,
    [[1]],
    ["zzz"],
    {},
    {"a": 1},
    True,
    False,
    None,
    "zzz",
]


def test_every_field_of_every_body_refuses_every_wrong_type_with_a_400(server, session):
    here = f"/api/sessions/{session}"
    config = {
        **DEFAULTS,
        "n_samples": 40,
        "layers": [2],
        "activation": ["tanh"],
    }
    weight = {"layer": 1, "param": "W", "row": 0, "col": 0, "value": 1}
    bias = {"layer": 1, "param": "b", "row": 0, "value": 1}
    bodies = [
        ("/api/sessions", config),
        (f"{here}/config", config),
        (f"{here}/parameter", weight),
        (f"{here}/parameter", bias),
        (f"{here}/step-through", {"point": 1, "notation": "wb", "decimals": 3}),
    ]
    for path, good in bodies:
        for field in good:
            for wrong in WRONG_TYPES:
                body = {**good, field: wrong}
                answer = call(server, "POST", path, body)
                assert answer.status == 400, (path, body, answer.body[:300])
                assert "\n" not in answer.error and len(answer.error) < 400
        unknown = call(server, "POST", path, {**good, "extra": 1})
        assert unknown.status == 400, (path, unknown.body[:300])
    assert call(server, "POST", f"{here}/step").status == 200  # still serving


def test_refusals_of_long_values_and_many_fields_are_short(server, session):
    here = f"/api/sessions/{session}"
    many = {f"k{i}": 1 for i in range(3000)}
    cases = [
        ("/api/sessions", many, "Unknown setting(s)"),
        ("/api/sessions", {"data": "x" * 20_000}, "'data'"),
        ("/api/sessions", {"lr": "y" * 20_000}, "'lr'"),
        (f"{here}/parameter", {**many, "layer": 1}, "Unknown field(s)"),
        (f"{here}/parameter", {"layer": "z" * 20_000}, "'layer'"),
    ]
    for path, body, message in cases:
        answer = call(server, "POST", path, body)
        assert answer.status == 400, (path, answer.body[:300])
        assert message in answer.error and len(answer.error) < 400, answer.error

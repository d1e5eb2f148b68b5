"""A playground server for tests, an HTTP client for it, and the lecture's
forward and backward pass written out by hand to check the server against.

Every server binds to 127.0.0.1 and every request goes there.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import numpy as np
import pytest

from glassnet.playground import Limits, PlaygroundServer

#: Debian's Chromium; the browser tests drive it with Playwright.
CHROMIUM = os.environ.get("GLASSNET_CHROMIUM", "/usr/bin/chromium")
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


@contextmanager
def running_server(**limits):
    """A playground on 127.0.0.1 (a free port) for the duration of the block."""
    server = PlaygroundServer("127.0.0.1", 0, limits=Limits(**limits))
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Answer:
    """Status, headers and body of one response."""

    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    @property
    def error(self) -> str:
        return self.json()["error"]


def call(server, method: str, path: str, body=None, *, headers=None, timeout=30):
    """One request to the server; a JSON body for dicts and lists.

    Requests other than GET are sent as ``application/json`` unless
    ``headers`` names another Content-Type.
    """
    data = body
    headers = dict(headers or {})
    if method != "GET":  # as the page sends them (the server requires it)
        headers.setdefault("Content-Type", "application/json")
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
    elif isinstance(body, str):
        data = body.encode()
    url = server.url + path.lstrip("/")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.headers, exc.read())


def new_session(server, config=None) -> dict:
    answer = call(server, "POST", "/api/sessions", config or {})
    assert answer.status == 201, answer.body
    return answer.json()


def count_stream_frames(server, sid: str, seconds: float) -> tuple[int, float, int]:
    """Frames a session's stream delivers while playing, over ``seconds``: their
    count, the seconds taken and the epoch of the last one."""
    url = f"{server.url}api/sessions/{sid}/stream"
    frames, epoch = 0, -1
    with urllib.request.urlopen(url, timeout=10) as stream:
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            line = stream.readline()
            if not line:
                break
            if line.startswith(b"data: "):
                frames += 1
                epoch = json.loads(line[6:])["epoch"]
        elapsed = time.monotonic() - start
    return frames, elapsed, epoch


def unavailable(reason: str):
    """Skip, or fail under continuous integration (CI set)."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)")
    pytest.skip(reason)


# -- the lecture's pass, by hand (numpy float64) ----------------------------------
ACTIVATIONS = {
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": (lambda z: 1.0 / (1.0 + np.exp(-z)), lambda z, a: a * (1.0 - a)),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
}


def hand_step(weights, activations, x, y, lr):
    """Forward, backward and one SGD step on one sample, sigmoid output with
    binary cross-entropy (lecture 003: delta^L = a^L - y for one sample).

    Parameters
    ----------
    weights : list of (W, b)
        ``W`` of shape (n_out, n_in), ``b`` of shape (n_out,).
    activations : list of str
        Hidden activations; the output is a sigmoid.
    x : ndarray of shape (n_in,)
    y : float, 0 or 1

    Returns
    -------
    dict of lists per layer: z, a, delta, dW, db, W_new, b_new; and loss.
    """
    names = [*activations, "sigmoid"]
    a = np.asarray(x, dtype=np.float64)
    inputs, zs, outs = [], [], []
    for (W, b), name in zip(weights, names, strict=True):
        inputs.append(a)
        z = np.asarray(W, np.float64) @ a + np.asarray(b, np.float64)
        a = ACTIVATIONS[name][0](z)
        zs.append(z)
        outs.append(a)
    p = outs[-1][0]
    loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    deltas = [None] * len(weights)
    deltas[-1] = outs[-1] - y
    for i in range(len(weights) - 2, -1, -1):
        W_above = np.asarray(weights[i + 1][0], np.float64)
        derivative = ACTIVATIONS[names[i]][1](zs[i], outs[i])
        deltas[i] = (W_above.T @ deltas[i + 1]) * derivative
    dW = [np.outer(d, a_in) for d, a_in in zip(deltas, inputs, strict=True)]
    return {
        "z": zs,
        "a": outs,
        "delta": deltas,
        "dW": dW,
        "db": deltas,
        "W_new": [
            np.asarray(W, np.float64) - lr * g
            for (W, _), g in zip(weights, dW, strict=True)
        ],
        "b_new": [
            np.asarray(b, np.float64) - lr * d
            for (_, b), d in zip(weights, deltas, strict=True)
        ],
        "loss": loss,
    }


def hand_batch_step(weights, activations, X, y, lr):
    """One SGD step on a batch: the mean of the per-sample gradients."""
    grads_W = [np.zeros_like(np.asarray(W, np.float64)) for W, _ in weights]
    grads_b = [np.zeros_like(np.asarray(b, np.float64)) for _, b in weights]
    for x, target in zip(X, y, strict=True):
        one = hand_step(weights, activations, x, float(target), lr)
        for i in range(len(weights)):
            grads_W[i] += one["dW"][i] / len(X)
            grads_b[i] += one["db"][i] / len(X)
    return [
        (np.asarray(W, np.float64) - lr * gW, np.asarray(b, np.float64) - lr * gb)
        for (W, b), gW, gb in zip(weights, grads_W, grads_b, strict=True)
    ]


def dense_weights(net) -> list:
    """``(W, b)`` of every layer with weights."""
    return [
        (layer.W.copy(), layer.b.copy()) for layer in net.layers if hasattr(layer, "W")
    ]

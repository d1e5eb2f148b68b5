"""The playground's step-through of one sample and its input-gradient field,
over HTTP, checked against the lecture's pass and finite differences written
out here in NumPy (float64)."""

import numpy as np
import pytest
from playground_support import (
    call,
    dense_weights,
    hand_step,
    new_session,
    running_server,
)

import glassnet as gn
from glassnet.datasets import load

#: subprocesses, browsers, servers or real datasets: `pytest -m "not slow"` skips
pytestmark = pytest.mark.slow

CIRCLE = {"n_samples": 500, "noise": 0.0, "test_size": 0.5}


@pytest.fixture(scope="module")
def server():
    with running_server(max_sessions=4, grace_seconds=60) as s:
        yield s


@pytest.fixture
def session(server):
    created = new_session(server, {"seed": 3})
    yield created["setup"]["id"]
    call(server, "DELETE", f"/api/sessions/{created['setup']['id']}")


def model(server, sid, tmp_path):
    answer = call(server, "GET", f"/api/sessions/{sid}/model")
    assert answer.status == 200, answer.body
    path = tmp_path / "m.glassnet"
    path.write_bytes(answer.body)
    return gn.load(path)


def frame(server, sid):
    return call(server, "GET", f"/api/sessions/{sid}").json()["frame"]


def test_the_step_through_sends_the_lecture_pass_of_the_chosen_point(
    server, session, tmp_path
):
    for _ in range(4):
        call(server, "POST", f"/api/sessions/{session}/step")
    here = f"/api/sessions/{session}"
    answer = call(server, "POST", f"{here}/step-through", {"point": 11})
    assert answer.status == 200, answer.body
    info, shown = answer.json()["trace"], answer.json()["frame"]
    assert shown["stepping"] == {"point": 11} and not shown["playing"]
    net = model(server, session, tmp_path)
    data = load("circle", seed=3, **CIRCLE)
    x, y = data.X_train[11].astype(np.float64), float(data.y_train[11])
    assert info["point"] == 11 and info["x"] == pytest.approx(list(x))
    # Forward a^l = tanh(W^l a^(l-1) + b^l), sigmoid output, delta^L = a^L - y,
    # delta^l = (W^(l+1))^T delta^(l+1) * phi'(z^l), dW = delta a^T: by hand.
    hand = hand_step(dense_weights(net), ["tanh", "tanh"], x, y, lr=0.03)
    trace = info["trace"]
    np.testing.assert_allclose(trace["input"][0], x, rtol=1e-6)
    assert trace["loss"] == pytest.approx(hand["loss"], rel=1e-5)
    assert len(trace["layers"]) == 3
    for i, layer in enumerate(trace["layers"]):
        for name in ("z", "a", "delta"):
            np.testing.assert_allclose(
                layer[name][0], hand[name][i], rtol=1e-4, atol=1e-6
            )
        for name in ("dW", "db"):
            np.testing.assert_allclose(layer[name], hand[name][i], rtol=1e-4, atol=1e-6)
    # psi(a) = 1 - a^2 for tanh (lecture 002), the factor of each hidden delta
    for i in (0, 1):
        a = np.asarray(hand["a"][i])
        np.testing.assert_allclose(
            trace["layers"][i]["psi"][0], 1 - a * a, rtol=1e-4, atol=1e-6
        )
    # Another point while stepping: the same mode, that point's numbers.
    again = call(server, "POST", f"{here}/step-through", {"point": 3}).json()
    assert again["frame"]["stepping"] == {"point": 3}
    assert again["trace"]["x"] == pytest.approx(list(data.X_train[3]))


def test_training_pauses_while_stepping_and_resumes_on_exit(server, session):
    here = f"/api/sessions/{session}"
    assert call(server, "POST", f"{here}/play").json()["playing"] is True
    entered = call(server, "POST", f"{here}/step-through", {"point": 0}).json()
    assert entered["frame"]["playing"] is False
    assert frame(server, session)["stepping"] == {"point": 0}
    # Choosing another point keeps the run paused, and what resumes is play.
    call(server, "POST", f"{here}/step-through", {"point": 1})
    left = call(server, "POST", f"{here}/step-through/exit").json()["frame"]
    assert left["playing"] is True and left["stepping"] is None
    call(server, "POST", f"{here}/pause")
    # Entered while paused: leaving leaves it paused.
    call(server, "POST", f"{here}/step-through", {"point": 2})
    left = call(server, "POST", f"{here}/step-through/exit").json()["frame"]
    assert left["playing"] is False and left["stepping"] is None
    # Leaving twice, or without entering, changes nothing.
    assert call(server, "POST", f"{here}/step-through/exit").status == 200
    assert frame(server, session)["playing"] is False
    # Play, a reset or a new configuration end the step-through.
    for path, body in (("play", None), ("reset", None), ("config", {"seed": 4})):
        call(server, "POST", f"{here}/step-through", {"point": 2})
        answer = call(server, "POST", f"{here}/{path}", body)
        assert answer.status == 200, answer.body
        assert frame(server, session)["stepping"] is None
        call(server, "POST", f"{here}/pause")


def test_bad_step_through_requests_change_nothing(server, session):
    here = f"/api/sessions/{session}"
    call(server, "POST", f"{here}/play")
    cases = [
        ({"point": 250}, "[0, 249]. Got 250"),
        ({"point": "7"}, "'point'"),
        ({}, "'point'"),
        ({"point": 1, "notation": "tex"}, "'notation'"),
        ({"point": 1, "decimals": 17}, "'decimals'"),
        ({"point": 1, "extra": 1}, "Unknown field(s)"),
        ([1], "JSON object"),
    ]
    for body, message in cases:
        answer = call(server, "POST", f"{here}/step-through", body)
        assert answer.status == 400, (body, answer.body)
        assert message in answer.error, answer.error
    state = frame(server, session)
    assert state["stepping"] is None and state["playing"] is True
    call(server, "POST", f"{here}/pause")


# -- the input-gradient field ------------------------------------------------------
def hand_cost(weights, shift, scale, y, x1, x2):
    """The cost of one point, float64: features x1, x2, x1^2, x1*x2, sin(x2),
    standard scaling, tanh, tanh, sigmoid, binary cross-entropy."""
    a = (np.array([x1, x2, x1 * x1, x1 * x2, np.sin(x2)]) - shift) / scale
    for i, (W, b) in enumerate(weights):
        z = np.asarray(W, np.float64) @ a + np.asarray(b, np.float64)
        a = np.tanh(z) if i < len(weights) - 1 else 1 / (1 + np.exp(-z))
    p = a[0]
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_the_input_gradient_field_is_the_finite_difference_of_each_cost(
    server, tmp_path
):
    config = {"seed": 5, "features": ["x1", "x2", "x1sq", "x1x2", "sinx2"]}
    config.update(scale="standard", data="moons", n_samples=200)
    created = new_session(server, config)
    sid = created["setup"]["id"]
    try:
        for _ in range(30):
            call(server, "POST", f"/api/sessions/{sid}/step")
        answer = call(server, "GET", f"/api/sessions/{sid}/input-gradients")
        assert answer.status == 200, answer.body
        field = answer.json()
        train = created["setup"]["train"]
        gradient = np.array(field["gradient"], dtype=np.float64)
        assert gradient.shape == (len(train), 2)
        net = model(server, sid, tmp_path)
        # The scaling as the model file keeps it: x' = (x - shift) / scale.
        zero = net.preprocessing.transform(np.zeros((1, 5)))[0]
        one = net.preprocessing.transform(np.ones((1, 5)))[0]
        scale = 1 / (one - zero)
        shift = -zero * scale
        weights = dense_weights(net)
        h = 1e-6
        for i in (0, 7, 40, 99):
            x1, x2, y = train[i]
            c = [
                hand_cost(weights, shift, scale, y, u, v)
                for u, v in ((x1 + h, x2), (x1 - h, x2), (x1, x2 + h), (x1, x2 - h))
            ]
            expected = [(c[0] - c[1]) / (2 * h), (c[2] - c[3]) / (2 * h)]
            np.testing.assert_allclose(gradient[i], expected, rtol=2e-3, atol=1e-5)
        assert np.abs(gradient).max() > 1e-3  # not all zero
        # Reading the field changes nothing: the run exports the same model.
        again = model(server, sid, tmp_path)
        for (W1, b1), (W2, b2) in zip(weights, dense_weights(again), strict=True):
            np.testing.assert_array_equal(W1, W2)
            np.testing.assert_array_equal(b1, b2)
    finally:
        call(server, "DELETE", f"/api/sessions/{sid}")

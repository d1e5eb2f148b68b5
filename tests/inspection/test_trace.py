"""Traces rendered in lecture notation: text, Markdown, LaTeX and JSON."""

import copy
import json
import math
import re

import numpy as np
import pytest
from trace_support import GROUNDED_PRINTED, numbers_in
from untouched_support import assert_untouched, network_with_state, sample

import glassnet as gn
from glassnet.inspection.lecture_examples import EXAMPLES, lecture_examples

# Printed on the slide -> what the mathematics gives
# (tests/inspection/test_lecture_examples.py).
GROUNDED_CORRECTED = {"-0.447": "0.447", "0.460": "-0.140", "0.610": "0.310"}


def grounded_network():
    T0 = np.array([[0.4, 0.6], [0.7, -0.4], [-0.2, 0.3]])
    T1 = np.array([[-0.3], [0.5], [0.1]])
    layers = [
        gn.Dense.from_transfer_matrix(T0, activation="sigmoid"),
        gn.Dense.from_transfer_matrix(T1, activation="sigmoid"),
    ]
    return gn.Network(layers, loss="binary_cross_entropy", dtype="float64")


@pytest.mark.parametrize("fmt", ["latex", "markdown", "text"])
def test_grounded_example_shows_every_number_the_slide_prints(fmt):
    text = EXAMPLES["lecture002-grounded"].render(fmt)
    shown = numbers_in(text)
    for value in GROUNDED_PRINTED:
        assert any(abs(s - value) < 5e-4 for s in shown), value
    mark = {"text": "\u2020", "latex": r"^{\dagger}", "markdown": r"^{\dagger}"}[fmt]
    for printed, correct in GROUNDED_CORRECTED.items():
        # the corrected number is in the matrix, marked; the note names both
        assert correct + mark in text
        assert f"shows {printed} where the mathematics gives {correct}" in text
    assert text.count("corrected") == len(GROUNDED_CORRECTED)


def test_grounded_example_corrections_are_marked_in_both_notations():
    text = EXAMPLES["lecture002-grounded"].render("latex", notation="wb")
    # W^(2) after the update is the row (0.769, 0.447): the corrected entry
    assert r"0.769 & 0.447^{\dagger}" in text
    # W^(1) after the update: column 1 holds the corrected row 2 of W^(0)
    assert r"0.700 & -0.140^{\dagger}" in text
    assert r"-0.400 & 0.310^{\dagger}" in text


def test_json_values_are_the_arrays_the_network_computed():
    net = grounded_network()
    t = net.trace([[0, 1]], [1], optimizer=gn.SGD(lr=1.0))
    data = json.loads(t.to_json(notation="transfer"))
    # The same pass, taken here on an identical network (the traced network
    # itself is left as it was, its layers' arrays included).
    computed = grounded_network()
    computed.loss_and_gradients([[0, 1]], [1])
    assert all(getattr(layer, "X", None) is None for layer in net.layers)
    layers = computed.layers
    for entry, layer, traced in zip(data["layers"], layers, t.layers, strict=True):
        for name, array in [
            ("x", layer.X),
            ("z", layer.Z),
            ("a", layer.A),
            ("delta", layer.delta),
            ("W", layer.W),
            ("b", layer.b),
            ("dW", layer.dW),
            ("db", layer.db),
            ("transfer_matrix", layer.transfer_matrix),
        ]:
            assert np.array_equal(np.array(entry[name]), array), name
        assert np.array_equal(
            np.array(entry["transfer_gradient"]), traced.transfer_gradient
        )
    assert data["loss"] == t.loss
    # The update is the network's own SGD step, taken here independently.
    stepped = grounded_network()
    stepped.train_step([[0, 1]], [1], optimizer=gn.SGD(lr=1.0))
    for entry, layer in zip(data["layers"], stepped.layers, strict=True):
        assert np.array_equal(
            np.array(entry["new_transfer_matrix"]), layer.transfer_matrix
        )
        assert np.array_equal(np.array(entry["W_new"]), layer.W)
    assert np.array_equal(np.array(data["new_output"]), stepped.forward([[0, 1]]))
    assert data["new_output"][0][0] == pytest.approx(0.722, abs=5e-4)


def test_json_of_a_float32_network_keeps_every_digit(rng):
    net = gn.Network.mlp([3, 5, 2], hidden="relu", seed=1)
    X, y = rng.normal(size=(4, 3)), rng.integers(0, 2, size=4)
    t = net.trace(X, y)
    data = json.loads(t.render("json"))
    for entry, traced in zip(data["layers"], t.layers, strict=True):
        for name in ("z", "a", "delta", "dW", "db"):
            values = np.array(entry[name], dtype=np.float32)
            assert np.array_equal(values, getattr(traced, name))


def test_trace_with_an_optimizer_changes_neither_network_nor_optimizer(rng):
    net = gn.Network.mlp([3, 4, 2], hidden="tanh", seed=0, dtype="float64")
    before = net.get_weights()
    optimizer = gn.SGD(lr=0.5)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)
    t = net.trace(X, y, optimizer=optimizer)
    for a, b in zip(before, net.get_weights(), strict=True):
        assert np.array_equal(a, b)
    assert optimizer.iterations == 0 and not optimizer.state
    # W <- W - lr dC/dW with the gradients of the traced pass
    for traced in t.layers:
        assert traced.W_new == pytest.approx(traced.W - 0.5 * traced.dW)
        assert traced.b_new == pytest.approx(traced.b - 0.5 * traced.db)
    assert t.new_loss < t.loss


def test_lecture_symbols_in_each_notation():
    t = grounded_network().trace([[0, 1]], [1], optimizer=gn.SGD(lr=1.0))
    wb = t.to_latex(notation="wb")
    for symbol in [
        "z^{(1)}",
        "a^{(1)}",
        r"\delta^{(2)}",
        r"\frac{\partial C}{\partial W^{(1)}}",
        r"\frac{\partial C}{\partial b^{(2)}}",
        r"W^{(2)} &\leftarrow W^{(2)} - \eta",
    ]:
        assert symbol in wb, symbol
    transfer = t.to_latex(notation="transfer")
    for symbol in [
        r"\mathbb{W}^{(0)}",
        r"\mathbf{x}^{(1)}_{[1+]}",
        r"\psi\left(\mathbf{x}^{(1)}\right)",
        r"\delta^{(1)}_{[1+]}",
        r"\nabla^{(0)}",
        r"- \rho \nabla^{(1)}",
    ]:
        assert symbol in transfer, symbol
    # x^(0) = [1, 0, 1]^T: the bias input 1 comes first
    assert r"\mathbf{x}^{(0)} &= \begin{pmatrix} 1.000 \\ 0.000 \\ 1.000" in (
        t.to_latex(notation="transfer", decimals=3)
    )
    text = str(t)
    assert "delta^(1)" in text and "dC/dW^(2)" in text and "loss C" in text


@pytest.mark.parametrize(
    ("hidden", "output", "loss"),
    [
        ("relu", "identity", "mse"),
        ("leaky_relu", "sigmoid", "mse"),
        ("tanh", "softmax", "cross_entropy"),
        ("identity", "identity", "huber"),
        ("sigmoid", "sigmoid", "binary_cross_entropy"),
    ],
)
def test_every_pair_renders_in_every_format_and_notation(rng, hidden, output, loss):
    net = gn.Network.mlp([3, 4, 2], hidden=hidden, output=output, loss=loss, seed=0)
    y = (
        rng.integers(0, 2, size=3)
        if loss == "cross_entropy"
        else rng.uniform(size=(3, 2))
    )
    if loss == "binary_cross_entropy":
        y = np.round(y)
    t = net.trace(rng.normal(size=(3, 3)), y, optimizer="sgd")
    for fmt in ("text", "markdown", "latex", "json"):
        for notation in ("wb", "transfer"):
            assert t.render(fmt, notation=notation)
    text = t.to_text()
    if net.loss.is_canonical(net.layers[-1].activation):
        # the fused output delta, with the loss's constant (1/3 for 3 samples)
        assert "a^(2) - y" in text
    else:
        assert "dC/da^(2) o" in text


def test_notebook_renderings():
    t = grounded_network().trace([[0, 1]], [1])
    assert t._repr_markdown_().startswith("Network 2-2-1")
    assert "$$" in t._repr_markdown_()
    assert t._repr_latex_().startswith(r"\begin{align*}")
    assert t._repr_latex_().rstrip().endswith(r"\end{align*}")


def test_large_layers_are_cut_with_ellipses(rng):
    net = gn.Network.mlp([30, 20, 3], seed=0)
    t = net.trace(rng.normal(size=(2, 30)), [0, 2])
    latex = t.to_latex()
    assert r"\cdots" in latex and r"\vdots" in latex and r"\ddots" in latex
    # a 20 x 30 matrix shows 7 rows of 7 cells (3 + ellipsis + 3)
    W1 = re.search(r"W\^\{\(1\)\} &= \\begin\{pmatrix\}(.*?)\\end", latex).group(1)
    rows = W1.split(r"\\")
    assert len(rows) == 7 and all(row.count("&") == 6 for row in rows)
    assert "..." in str(t)


def test_lecture_examples_registry():
    names = set(lecture_examples())
    assert names == {
        "lecture002-grounded",
        "lecture003-binary",
        "lecture003-multiclass",
        "lecture004-parameters",
    }
    for example in EXAMPLES.values():
        for fmt in ("text", "markdown", "latex", "json"):
            for notation in ("wb", "transfer"):
                assert example.render(fmt, notation=notation)


def test_lecture003_binary_marks_the_recomputed_output():
    # a_2 = W_2 sigmoid(W_1 x + 0.5) + 0.3 with unrounded h_1
    W1 = np.array(
        [
            [0.9, 0.2, 0.4, 0.3],
            [-0.5, 0.4, 0.3, 0.3],
            [0.1, 0.1, -0.1, 0.2],
            [-0.2, 0.5, 0.5, 0.7],
        ]
    )
    h1 = 1 / (1 + np.exp(-(W1 @ [0.3, 0.5, -0.4, 0.3] + 0.5)))
    a2 = np.dot([0.5, 0.8, -0.6, 0.3], h1) + 0.3
    y_hat = 1 / (1 + np.exp(-a2))
    text = EXAMPLES["lecture003-binary"].render("latex")
    assert f"{a2:.4f}" + r"^{\dagger}" in text
    assert f"{y_hat:.4f}" + r"^{\dagger}" in text
    assert "0.948" in text and "0.7207" in text  # the printed values, in the notes
    assert f"{-np.log(y_hat):.4f}" in text  # L = -log(y_hat) = 0.327


def test_lecture004_counts_26_parameters_as_the_slide_writes_them():
    text = EXAMPLES["lecture004-parameters"].render("latex")
    assert r"4 \times 4 + 5 \times 2 = 26" in text


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"notation": "matrix"}, ValueError, "'notation' parameter of Trace"),
        ({"format": "html"}, ValueError, "'format' parameter of Trace"),
        ({"decimals": -1}, ValueError, "'decimals' parameter"),
        ({"decimals": 17}, ValueError, "'decimals' parameter"),
        ({"decimals": "3"}, TypeError, "'decimals' parameter"),
        ({"decimals": 2.0}, TypeError, "'decimals' parameter"),
        ({"decimals": True}, TypeError, "'decimals' parameter"),
        ({"decimals": 2, "precision": 2}, ValueError, "give only 'decimals'"),
    ],
)
def test_bad_render_options(options, error, message):
    t = grounded_network().trace([[0, 1]], [1])
    with pytest.raises(error, match=message):
        t.render(**options)


def test_trace_of_a_model_with_preprocessing_shows_what_the_network_computed():
    from glassnet.datasets.preprocessing import Preprocessing
    from glassnet.datasets.scalers import StandardScaler

    X = np.array([[100.0, -5.0], [130.0, -3.0], [70.0, -7.0]])
    net = gn.Network.mlp([2, 3, 1], hidden="tanh", seed=0, dtype="float64")
    scaler = StandardScaler().fit(X)
    net.preprocessing = Preprocessing(scaler=scaler, classes=["no", "yes"])
    t = net.trace(X, ["no", "yes", "no"])
    assert np.array_equal(t.input, scaler.transform(X))
    assert t.targets[:, 0].tolist() == [0.0, 1.0, 0.0]
    assert "after the network's preprocessing" in t.to_text()


def _sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def _grounded_by_hand():
    """Lecture 002's grounded step worked out with scalars (transfer notation)."""
    # forward: x^(0) = [1, 0, 1]; columns of W^(0) are the two hidden neurons
    h1, h2 = _sigmoid(0.4 + 0.7 * 0 - 0.2 * 1), _sigmoid(0.6 - 0.4 * 0 + 0.3 * 1)
    y_hat = _sigmoid(-0.3 + 0.5 * h1 + 0.1 * h2)
    # backward with neg-log-loss and a sigmoid output: delta^(2) = y_hat - y
    d2 = y_hat - 1.0
    d1 = (h1 * (1 - h1) * 0.5 * d2, h2 * (1 - h2) * 0.1 * d2)
    # rho = 1: W <- W - nabla; only the rows of x^(0) = 1 (bias and x_2) move
    w0 = [[0.4 - d1[0], 0.6 - d1[1]], [0.7, -0.4], [-0.2 - d1[0], 0.3 - d1[1]]]
    w1 = [-0.3 - d2, 0.5 - d2 * h1, 0.1 - d2 * h2]
    g1 = _sigmoid(w0[0][0] + w0[2][0])
    g2 = _sigmoid(w0[0][1] + w0[2][1])
    return {"h2": h2, "new_output": _sigmoid(w1[0] + w1[1] * g1 + w1[2] * g2)}


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex"])
def test_decimals_sets_the_digits_of_every_rendering(fmt):
    by_hand = _grounded_by_hand()
    trace = EXAMPLES["lecture002-grounded"].trace()
    for value in by_hand.values():
        two, four = f"{value:.2f}", f"{value:.4f}"
        shown2 = trace.render(fmt, decimals=2)
        shown4 = trace.render(fmt, decimals=4)
        assert re.search(rf"(?<![\d.]){re.escape(two)}(?!\d)", shown2), two
        assert four not in shown2
        assert re.search(rf"(?<![\d.]){re.escape(four)}(?!\d)", shown4), four
    # sigma(0.9) = 0.71095: 0.71 with two decimals, 0.7109 with four
    assert f"{by_hand['h2']:.4f}" == "0.7109"
    # the slide prints three decimals, the example's default
    assert f"{by_hand['h2']:.3f}" in trace.render(fmt)
    # the per-format methods take it too
    method = {"text": trace.to_text, "markdown": trace.to_markdown}.get(
        fmt, trace.to_latex
    )
    assert method(decimals=2) == trace.render(fmt, decimals=2)


def test_json_keeps_every_digit_whatever_the_decimals():
    by_hand = _grounded_by_hand()
    trace = EXAMPLES["lecture002-grounded"].trace()
    document = json.loads(trace.render("json", decimals=1))
    assert document["new_output"][0][0] == pytest.approx(by_hand["new_output"], 1e-12)
    assert document["layers"][0]["a"][0][1] == pytest.approx(by_hand["h2"], 1e-12)


def test_precision_is_the_deprecated_name_of_decimals():
    trace = EXAMPLES["lecture002-grounded"].trace()
    with pytest.warns(DeprecationWarning, match="'decimals'"):
        old = trace.render("text", precision=2)
    assert old == trace.render("text", decimals=2)


@pytest.mark.parametrize("optimizer", [None, "sgd", gn.Adam(lr=0.1)])
def test_trace_leaves_running_statistics_and_dropout_generator_alone(rng, optimizer):
    net = network_with_state()
    X, y = sample(rng)
    net.fit(X, y, epochs=1, batch_size=4, optimizer="adam")  # moved statistics
    assert_untouched(lambda: net.trace(X[:4], y[:4], optimizer=optimizer), net, X, y)


def test_trace_is_the_pass_the_network_would_take_next(rng):
    # The copy draws the dropout mask the network itself would draw next, and
    # normalizes with the batch's own statistics: the traced hidden output is
    # that of a training-mode forward pass of an identical network.
    net = network_with_state()
    X, y = sample(rng)
    twin = copy.deepcopy(net)
    t = net.trace(X[:4], y[:4])
    np.testing.assert_array_equal(t.output, twin.forward(X[:4], training=True))


# -- a regularized network: the cost and its gradients hold the weight penalty --------
def test_trace_of_a_regularized_network_writes_the_penalty_it_computes():
    T0 = np.array([[0.4, 0.6], [0.7, -0.4], [-0.2, 0.3]])
    T1 = np.array([[-0.3], [0.5], [0.1]])
    l1, l2 = 0.02, 0.05
    layers = [
        gn.Dense.from_transfer_matrix(T0, activation="sigmoid"),
        gn.Dense.from_transfer_matrix(T1, activation="sigmoid"),
    ]
    net = gn.Network(
        layers,
        loss="binary_cross_entropy",
        dtype="float64",
        regularizer=gn.L1L2(l1=l1, l2=l2),
    )
    t = net.trace([[0, 1]], [1], optimizer=gn.SGD(lr=1.0))
    # By hand (lecture 002's grounded example): C = -ln y_hat + R(W), with
    # R(W) = l1 sum|W| + l2 sum W^2 over both weight matrices (not the bias
    # rows), and dC/dW = delta a^T + l1 sign(W) + 2 l2 W.
    W1, W2 = T0[1:].T, T1[1:].T
    x = np.array([0.0, 1.0])
    a1 = 1 / (1 + np.exp(-(W1 @ x + T0[0])))
    y_hat = 1 / (1 + np.exp(-(W2 @ a1 + T1[0])))
    R = sum(l1 * np.abs(W).sum() + l2 * (W**2).sum() for W in (W1, W2))
    assert t.penalty == pytest.approx(R)
    assert t.loss == pytest.approx(-np.log(y_hat[0]) + R)
    d2 = y_hat - 1.0
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    for layer, W, delta, a in ((t.layers[0], W1, d1, x), (t.layers[1], W2, d2, a1)):
        expected = np.outer(delta, a) + l1 * np.sign(W) + 2 * l2 * W
        np.testing.assert_allclose(layer.dW, expected, rtol=1e-12)
    assert t.penalized == (1, 2)
    data = json.loads(t.to_json())
    assert data["penalty"] == pytest.approx(R) and data["penalized"] == [1, 2]
    # The formulas say so, in both notations: C = ... + R(W), dC/dW = ... + dR/dW.
    wb = t.render("text", notation="wb")
    assert "binary cross entropy(a^(2), y) + R(W) =" in wb
    assert "dC/dW^(1) = delta^(1) a^(0)T + dR/dW^(1) =" in wb
    assert "dC/dW^(2) = delta^(2) a^(1)T + dR/dW^(2) =" in wb
    transfer = t.render("text", notation="transfer")
    assert "nabla^(0) = dJ/dW^(0) = x^(0) (delta^(1)_[1+])T + dR/dW^(0) =" in transfer
    assert r"\frac{\partial R}{\partial W^{(1)}}" in t.render("latex", notation="wb")
    # Without a penalty nothing changes: the grounded example's formulas.
    plain = grounded_network().trace([[0, 1]], [1])
    assert plain.penalty == 0.0 and plain.penalized == ()
    assert "R(W)" not in plain.render("text") and "dR/dW" not in plain.render("text")


def test_a_zero_is_written_without_a_sign():
    # ReLU hidden unit switched off (z = -1): delta^(1) = (W^T delta^(2)) * 0,
    # which is -0.0 in IEEE arithmetic since W^T delta^(2) < 0; it is a zero.
    layers = [
        gn.Dense.from_transfer_matrix(np.array([[-1.0], [1.0]]), activation="relu"),
        gn.Dense.from_transfer_matrix(np.array([[0.0], [1.0]]), activation="sigmoid"),
    ]
    net = gn.Network(layers, loss="binary_cross_entropy", dtype="float64")
    t = net.trace([[0.0]], [1])
    assert t.layers[0].delta[0, 0] == 0.0
    for fmt in ("text", "markdown", "latex"):
        text = t.render(fmt)
        assert "-0.0000" not in text, fmt
        assert "0.0000" in text

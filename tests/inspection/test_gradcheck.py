"""Backpropagation against finite differences for every allowed combination."""

import itertools

import numpy as np
import pytest
from untouched_support import assert_untouched, network_with_state, sample

import glassnet as gn

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"]
OUTPUTS = ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax", "exp"]
REGRESSION_LOSSES = ["mse", "sse", "mae", "huber"]
CLASSIFICATION_LOSSES = ["binary_cross_entropy", "cross_entropy"]


def allowed_combinations():
    for hidden, output in itertools.product(HIDDEN, OUTPUTS):
        for loss in REGRESSION_LOSSES:
            yield hidden, output, loss
        if output in ("sigmoid", "softmax", "exp"):
            # means > 0: the Poisson loss takes their log
            yield hidden, output, "poisson"
        if output in ("sigmoid", "softmax"):
            for loss in CLASSIFICATION_LOSSES:
                yield hidden, output, loss


COMBINATIONS = list(allowed_combinations())


def targets_for(loss, n_samples, n_out, rng):
    if loss == "cross_entropy":
        return rng.integers(0, n_out, size=n_samples)
    if loss == "poisson":
        return rng.poisson(2.0, size=(n_samples, n_out))
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=(n_samples, n_out))
    return rng.normal(size=(n_samples, n_out))


@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize(("hidden", "output", "loss"), COMBINATIONS)
def test_backprop_matches_central_differences(hidden, output, loss, depth):
    seed = COMBINATIONS.index((hidden, output, loss)) * 10 + depth
    rng = np.random.default_rng(seed)
    sizes = [4, *rng.integers(3, 6, size=depth).tolist(), 3]
    net = gn.Network.mlp(
        sizes, hidden=hidden, output=output, loss=loss, seed=seed, dtype="float64"
    )
    # Random biases too: with zero biases a unit fed only by dead ReLUs has
    # z = 0 exactly, on the kink, where no derivative exists to compare. A
    # moderate scale keeps outputs away from probabilities that round to 0 or
    # 1, where no float64 difference quotient is accurate to 1e-6.
    net.set_weights([rng.normal(scale=0.5, size=w.shape) for w in net.get_weights()])
    X = rng.normal(size=(6, 4))
    y = targets_for(loss, 6, 3, rng)
    report = gn.gradcheck(net, X, y)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-6


def test_single_sigmoid_output_with_labels():
    rng = np.random.default_rng(0)
    net = gn.Network.mlp([3, 5, 1], hidden="tanh", seed=1, dtype="float64")
    assert net.loss.name == "binary_cross_entropy"
    report = gn.gradcheck(net, rng.normal(size=(8, 3)), rng.integers(0, 2, size=8))
    assert report.passed, str(report)


def test_float32_network_is_checked_in_float64_and_left_unchanged():
    rng = np.random.default_rng(1)
    net = gn.Network.mlp([3, 4, 2], hidden="tanh", seed=2)
    before = net.get_weights()
    report = gn.gradcheck(net, rng.normal(size=(5, 3)), rng.integers(0, 2, size=5))
    assert report.passed
    assert net.dtype == np.float32
    for a, b in zip(before, net.get_weights(), strict=True):
        assert np.array_equal(a, b)


def test_report_detects_a_wrong_gradient():
    """A deliberately broken derivative must fail the check (the check can fail)."""

    class WrongTanh(gn.Tanh):
        name = "wrong_tanh"

        def backward(self, dA, Z, A):
            return dA * (1.0 - A)  # the correct factor is 1 - A^2

    rng = np.random.default_rng(3)
    layers = [
        gn.Dense(3, 4, WrongTanh(), seed=0),
        gn.Dense(4, 2, "softmax", seed=1),
    ]
    net = gn.Network(layers, dtype="float64")
    report = gn.gradcheck(net, rng.normal(size=(5, 3)), rng.integers(0, 2, size=5))
    assert not report.passed
    failed = [(c.layer, c.name) for c in report.checks if not c.passed]
    assert (1, "W") in failed
    assert "FAIL" in str(report)


def test_report_lists_every_parameter():
    net = gn.Network.mlp([2, 3, 2], seed=0)
    report = gn.gradcheck(net, [[0.5, -1.0], [1.0, 2.0]], [0, 1])
    assert [(c.layer, c.name, c.shape) for c in report.checks] == [
        (1, "W", (3, 2)),
        (1, "b", (3,)),
        (2, "W", (2, 3)),
        (2, "b", (2,)),
    ]


# -- the check sees what training sees: the network's preprocessing -------------------


def _scaled_classifier(rng, classes=None):
    from glassnet.datasets.preprocessing import Preprocessing
    from glassnet.datasets.scalers import StandardScaler

    X = rng.normal(loc=40.0, scale=12.0, size=(12, 3))
    net = gn.Network.mlp([3, 5, 3], hidden="tanh", seed=1, dtype="float64")
    scaler = StandardScaler().fit(X)
    net.preprocessing = Preprocessing(scaler=scaler, classes=classes)
    return net, X


def test_gradcheck_passes_through_a_standard_scaler(rng):
    net, X = _scaled_classifier(rng)
    y = rng.integers(0, 3, size=12)
    report = gn.gradcheck(net, X, y)
    assert report.passed, str(report)
    # the loss it reports is the one of the scaled inputs, worked out here
    # without glassnet: standardize, tanh layer, softmax layer, mean -log p
    Xs = (X - X.mean(0)) / X.std(0)
    (W1, b1), (W2, b2) = [(layer.W, layer.b) for layer in net.layers]
    Z2 = np.tanh(Xs @ W1.T + b1) @ W2.T + b2
    log_p = Z2 - np.log(np.exp(Z2).sum(1, keepdims=True))
    assert report.loss == pytest.approx(-log_p[np.arange(12), y].mean(), rel=1e-12)


def test_gradcheck_passes_with_class_names(rng):
    net, X = _scaled_classifier(rng, classes=["cat", "dog", "eel"])
    y = np.array(["cat", "dog", "eel", "dog"] * 3)
    assert gn.gradcheck(net, X, y).passed


def test_gradcheck_leaves_running_statistics_and_dropout_generator_alone(rng):
    net = network_with_state()
    X, y = sample(rng)
    net.fit(X, y, epochs=1, batch_size=4)
    assert_untouched(lambda: gn.gradcheck(net, X[:4], y[:4]), net, X, y)

"""L1 and L2 penalties: in the reported loss and in the gradient, weights only."""

import numpy as np
import pytest
from loss_cases import LOSS_CASES, LOSS_IDS, targets

import glassnet as gn


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.mark.parametrize("loss, output, n_out", LOSS_CASES, ids=LOSS_IDS)
@pytest.mark.parametrize(
    "regularizer",
    [gn.L2(0.05), gn.L1(0.02), gn.L1L2(l1=0.01, l2=0.03)],
    ids=["l2", "l1", "l1_l2"],
)
def test_gradcheck_with_penalty_for_every_loss(rng, loss, output, n_out, regularizer):
    X = rng.normal(size=(6, 4))
    y = targets(loss, n_out, rng, 6)
    net = gn.Network(
        [
            gn.Dense(4, 5, "tanh"),
            gn.Dense(5, n_out, output, regularizer=gn.L2(0.1)),
        ],
        loss=loss,
        seed=1,
        dtype="float64",
        regularizer=regularizer,
    )
    # eps 1e-5: see GRADCHECK_EPS in core/test_layers.py.
    report = gn.gradcheck(net, X, y, eps=1e-5)
    assert report.passed, str(report)
    assert report.max_rel_error < 1e-6


def test_penalty_is_in_the_loss_and_only_on_weights(rng):
    X, y = rng.normal(size=(5, 3)), rng.normal(size=5)
    plain = gn.Network.mlp([3, 4, 1], loss="mse", seed=0, dtype="float64")
    reg = gn.Network.mlp(
        [3, 4, 1], loss="mse", seed=0, dtype="float64", regularizer=gn.L2(0.1)
    )
    data_loss = plain.loss_and_gradients(X, y)
    W1, W2 = reg.layers[0].W, reg.layers[1].W
    penalty = 0.1 * (np.sum(W1**2) + np.sum(W2**2))
    assert reg.loss_and_gradients(X, y) == pytest.approx(data_loss + penalty)
    # dR/dW = 2 * 0.1 * W on weights; biases untouched.
    np.testing.assert_allclose(reg.layers[0].dW, plain.layers[0].dW + 0.2 * W1)
    np.testing.assert_allclose(reg.layers[0].db, plain.layers[0].db)
    assert reg.evaluate(X, y)["loss"] == pytest.approx(
        plain.evaluate(X, y)["loss"] + penalty
    )


def test_l1_gradient_is_sign_of_weights(rng):
    X, y = rng.normal(size=(5, 3)), rng.normal(size=5)
    plain = gn.Network.mlp([3, 2, 1], loss="mse", seed=0, dtype="float64")
    reg = gn.Network(
        [gn.Dense(3, 2, "relu", regularizer=gn.L1(0.5)), gn.Dense(2, 1)],
        loss="mse",
        seed=0,
        dtype="float64",
    )
    plain.loss_and_gradients(X, y)
    reg.loss_and_gradients(X, y)
    np.testing.assert_allclose(
        reg.layers[0].dW, plain.layers[0].dW + 0.5 * np.sign(reg.layers[0].W)
    )
    np.testing.assert_allclose(reg.layers[1].dW, plain.layers[1].dW)


def test_layer_regularizer_overrides_the_network_one(rng):
    net = gn.Network(
        [gn.Dense(3, 2, "relu", regularizer=gn.L1(0.5)), gn.Dense(2, 1)],
        loss="mse",
        seed=0,
        dtype="float64",
        regularizer="l2",
    )
    W1, W2 = net.layers[0].W, net.layers[1].W
    expected = 0.5 * np.abs(W1).sum() + 0.01 * (W2**2).sum()
    from glassnet.core.regularizers import penalty

    assert penalty(net) == pytest.approx(expected)


def test_l2_shrinks_weights_in_training(rng):
    X = rng.normal(size=(80, 5))
    y = X @ rng.normal(size=5)
    norms = []
    for reg in (None, gn.L2(0.05)):
        net = gn.Network.mlp([5, 8, 1], loss="mse", seed=0, regularizer=reg)
        net.fit(X, y, epochs=20, optimizer=gn.Adam(lr=0.01), seed=0, metrics=[])
        norms.append(np.linalg.norm(net.layers[0].W))
    assert norms[1] < 0.8 * norms[0]


def test_config_round_trip():
    layer = gn.Dense(3, 2, regularizer=gn.L1L2(l1=0.1, l2=0.2))
    again = gn.Dense.from_config(layer.config())
    assert again.regularizer.config() == layer.regularizer.config()
    assert gn.regularizers.get({"name": "l2", "l2": 0.3}).l2 == 0.3


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: gn.L2(-1), ValueError, r"'l2' parameter of L2 .* \[0, inf\)"),
        (lambda: gn.L1("big"), TypeError, "'l1' parameter of L1"),
        (
            lambda: gn.regularizers.get("l3"),
            ValueError,
            r"Unknown regularizer 'l3'.*l1, l1_l2, l2",
        ),
        (lambda: gn.Dense(2, 2, regularizer=5), TypeError, "'regularizer' parameter"),
    ],
    ids=["negative", "string_strength", "unknown_name", "number"],
)
def test_bad_regularizers_raise(make, error, message):
    with pytest.raises(error, match=message):
        make()

"""Keras's metric names resolve to glassnet's metrics."""

import numpy as np
import pytest

import glassnet as gn


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("sparse_categorical_accuracy", "accuracy"),
        ("categorical_accuracy", "accuracy"),
        ("mse", "mse"),
        ("mae", "mae"),
        ("mean_squared_error", "mse"),
        ("mean_absolute_error", "mae"),
    ],
)
def test_keras_names_resolve(name, canonical):
    assert gn.metrics.get(name).name == canonical


def test_binary_accuracy_is_not_an_alias():
    # Keras's binary_accuracy averages over labels; glassnet's accuracy of
    # several sigmoid outputs is per sample: refused rather than silently other
    with pytest.raises(ValueError, match="Unknown metric 'binary_accuracy'"):
        gn.metrics.get("binary_accuracy")


@pytest.mark.parametrize(
    "name", ["sparse_categorical_accuracy", "categorical_accuracy"]
)
def test_accuracy_alias_in_evaluate(name):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))
    labels = np.array([0, 1, 2, 2, 1, 0, 1, 2])
    net = gn.Network(
        [gn.Dense(3, 4, activation="tanh"), gn.Dense(4, 3, activation="softmax")],
        seed=0,
    )
    expected = np.mean(net.forward(X).argmax(axis=1) == labels)
    for y in (labels, np.eye(3)[labels]):
        got = net.evaluate(X, y, metrics=[name])
        assert got["accuracy"] == pytest.approx(expected)

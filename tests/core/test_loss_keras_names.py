"""Keras's loss names resolve to glassnet's losses."""

import numpy as np
import pytest

import glassnet as gn


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("categorical_crossentropy", gn.losses.CrossEntropy),
        ("sparse_categorical_crossentropy", gn.losses.CrossEntropy),
        ("binary_crossentropy", gn.losses.BinaryCrossEntropy),
        ("mean_squared_error", gn.losses.MSE),
        ("mean_absolute_error", gn.losses.MAE),
        ("Categorical-CrossEntropy", gn.losses.CrossEntropy),
    ],
)
def test_keras_names_resolve(name, cls):
    assert type(gn.losses.get(name)) is cls


@pytest.mark.parametrize(
    "name", ["categorical_crossentropy", "sparse_categorical_crossentropy"]
)
@pytest.mark.parametrize("form", ["labels", "one_hot"])
def test_both_cross_entropy_names_take_labels_and_one_hot(name, form):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    labels = np.array([0, 1, 2, 2, 1, 0])
    y = labels if form == "labels" else np.eye(3)[labels]
    net = gn.Network(
        [gn.Dense(3, 4, activation="tanh"), gn.Dense(4, 3, activation="softmax")],
        loss=name,
        seed=0,
    )
    # -1/n sum_i log a_{i, y_i}, from the network's own forward pass
    A = net.forward(X)
    expected = -np.mean(np.log(A[np.arange(6), labels]))
    assert net.evaluate(X, y)["loss"] == pytest.approx(expected, rel=1e-5)

"""Checking that an inspection call leaves a network exactly as it was."""

import copy

import numpy as np

import glassnet as gn


def network_with_state(seed: int = 0) -> gn.Network:
    """A network with batch normalization and dropout: state beyond weights."""
    return gn.Network(
        [
            gn.Dense(3, 4),
            gn.BatchNorm(activation="relu"),
            gn.Dropout(0.5),
            gn.Dense(4, 1, activation="sigmoid"),
        ],
        seed=seed,
        dtype="float64",
    )


def sample(rng, n: int = 12):
    X = rng.normal(size=(n, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return X, y


class _MaskRecorder(gn.Callback):
    def __init__(self):
        self.masks = []

    def on_batch_end(self, batch, logs):
        for layer in self.network.layers:
            if isinstance(layer, gn.Dropout):
                self.masks.append(layer.mask.copy())


def _next_fit_masks(net, X, y):
    recorder = _MaskRecorder()
    net.fit(X, y, epochs=2, batch_size=4, callbacks=[recorder], seed=0)
    return recorder.masks


def assert_untouched(inspect, net, X, y):
    """Run ``inspect()`` and check ``net`` predicts, holds and trains as before.

    The reference is a deep copy taken before the call (its random generators
    included): predictions, ``get_weights()`` (running statistics included)
    and the dropout masks of the next fit must be identical.
    """
    before = copy.deepcopy(net)
    inspect()
    np.testing.assert_array_equal(net.predict_proba(X), before.predict_proba(X))
    for now, then in zip(net.get_weights(), before.get_weights(), strict=True):
        np.testing.assert_array_equal(now, then)
    masks, expected = _next_fit_masks(net, X, y), _next_fit_masks(before, X, y)
    assert len(masks) == len(expected) > 0
    for now, then in zip(masks, expected, strict=True):
        np.testing.assert_array_equal(now, then)
    for now, then in zip(net.get_weights(), before.get_weights(), strict=True):
        np.testing.assert_array_equal(now, then)

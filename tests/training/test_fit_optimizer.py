"""The optimizer and its state are kept on the network across fit calls."""

import numpy as np
import pytest

import glassnet as gn


def _net(seed=0):
    return gn.Network(
        [gn.Dense(3, 5, activation="tanh"), gn.Dense(5, 1, activation="sigmoid")],
        seed=seed,
    )


def _data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 3))
    return X, (X[:, 0] > 0).astype(int)


def _weights(net):
    return [p.copy() for layer in net.layers for p in (layer.W, layer.b)]


def _fit_twice(first, second):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=2, batch_size=5, shuffle=False, optimizer=first)
    net.fit(X, y, epochs=2, batch_size=5, shuffle=False, optimizer=second)
    return net


def _fit_once(optimizer):
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=4, batch_size=5, shuffle=False, optimizer=optimizer)
    return net


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [("none_after_name", "adam", None), ("same_name", "adam", "adam")],
)
def test_second_fit_continues_the_first(name, first, second):
    # two fits of 2 epochs are one fit of 4 epochs: same Adam moments and step
    # count (bias correction), no switch to SGD
    net = _fit_twice(first, second)
    assert isinstance(net.optimizer, gn.Adam)
    assert net.optimizer.iterations == 16
    for a, b in zip(_weights(net), _weights(_fit_once("adam")), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_instance_is_kept_and_continued():
    opt = gn.Adam(lr=0.05)
    net = _fit_twice(opt, None)
    assert net.optimizer is opt
    for a, b in zip(_weights(net), _weights(_fit_once(gn.Adam(lr=0.05))), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_a_new_instance_or_another_name_starts_afresh():
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1, batch_size=5, optimizer="adam")
    kept = net.optimizer
    net.fit(X, y, epochs=1, batch_size=5, optimizer="sgd")
    assert isinstance(net.optimizer, gn.SGD) and net.optimizer.iterations == 4
    fresh = gn.Adam()
    net.fit(X, y, epochs=1, batch_size=5, optimizer=fresh)
    assert net.optimizer is fresh and fresh is not kept
    assert fresh.iterations == 4


def test_default_on_a_new_network_is_sgd():
    X, y = _data()
    net = _net()
    net.fit(X, y, epochs=1, batch_size=5)
    assert isinstance(net.optimizer, gn.SGD)
    assert net.optimizer.lr == pytest.approx(0.01)


def test_stream_fit_continues_too():
    X, y = _data()
    batches = [(X[i : i + 5], y[i : i + 5]) for i in range(0, 20, 5)]
    net = _net()
    net.fit(batches, epochs=2, optimizer="adam")
    net.fit(batches, epochs=2)
    for a, b in zip(_weights(net), _weights(_fit_once("adam")), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
